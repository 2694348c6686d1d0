import { AwsStorage, Credentials, S3Storage, ValidationError } from '../../lib';
import { CONSTRUCT_CASES } from '../support/constructs';
import { testChart } from '../support/synth';

/**
 * A required prop left out (what `as any`, plain JavaScript or a bad JSON spec does) must stop the
 * synth with a ValidationError that names the prop, never with "Cannot read properties of undefined".
 */
describe.each(CONSTRUCT_CASES)('$name', ({ make, props, required }) => {
  test('builds with its required props', () => {
    const chart = testChart();
    expect(() => make(chart, props(chart))).not.toThrow();
  });

  test.each(required)('without %s: a ValidationError that names it', (prop) => {
    const chart = testChart();
    const given = { ...props(chart) };
    delete given[prop];
    let thrown: unknown;
    try {
      make(chart, given);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).problems.map((p) => p.property)).toContain(prop);
  });
});

describe('plain objects with required props', () => {
  test('S3Storage without region or credentials', () => {
    expect(() => new S3Storage({ credentials: Credentials.fromSecret({ name: 's3' }) } as any)).toThrow(ValidationError);
    expect(() => new S3Storage({ region: 'eu-west-1' } as any)).toThrow('[S3Storage] credentials = (unset): are required.');
    expect(() => new S3Storage({ region: '', credentials: Credentials.fromSecret({ name: 's3' }) })).toThrow('[S3Storage] region = "": is not a region name');
  });

  test('AwsStorage without identity', () => {
    expect(() => new AwsStorage({ accountId: '111122223333', region: 'eu-west-1', namePrefix: 'acme' } as any)).toThrow(ValidationError);
  });
});
