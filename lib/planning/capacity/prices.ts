import { Validator } from '../../core/errors';
import { RuleSource } from './rule';

/**
 * What a month of each resource costs: the table a plan's cost comes from. Replace it with your
 * own (another region, a discount, your own hardware) through `planPlatform(load, { prices })` or
 * `obs-platform plan --prices prices.json`.
 */
export interface PriceTable {
  /** What the prices are, e.g. "AWS us-east-1, on-demand". */
  readonly name: string;
  /** The day the prices were read (YYYY-MM-DD). */
  readonly asOf: string;
  /** Currency of every price, e.g. "USD". */
  readonly currency: string;
  /** One CPU core requested, for an hour. */
  readonly cpuCoreHour: number;
  /** One GiB of memory requested, for an hour. */
  readonly memoryGibHour: number;
  /** One GiB of volume (a PersistentVolumeClaim), for a month. */
  readonly volumeGibMonth: number;
  /** One GiB kept in object storage, for a month. */
  readonly objectGibMonth: number;
  /** A thousand object write requests (PUT, COPY, POST, LIST). */
  readonly putsPer1000: number;
  /** A thousand object read requests (GET). */
  readonly getsPer1000: number;
  /** Hours in the month the hourly prices are billed over. @default 730 in the built-in table */
  readonly hoursPerMonth: number;
  /** Where each price was read. */
  readonly sources: readonly RuleSource[];
}

/**
 * AWS us-east-1 on-demand: CPU and memory at Fargate's per-vCPU and per-GB prices for Linux on
 * x86 (a price per requested resource, which is what a plan knows), volumes at gp3's, objects at
 * S3 Standard's first-50-TB tier. Fargate and EBS quote GB; the planner applies them per GiB, which
 * errs high by at most 7%.
 */
export const AWS_US_EAST_1_PRICES: PriceTable = {
  name: 'AWS us-east-1, on-demand (Fargate Linux/x86 CPU and memory, EBS gp3, S3 Standard)',
  asOf: '2026-12-02',
  currency: 'USD',
  cpuCoreHour: 0.04048,
  memoryGibHour: 0.004445,
  volumeGibMonth: 0.08,
  objectGibMonth: 0.023,
  putsPer1000: 0.005,
  getsPer1000: 0.0004,
  hoursPerMonth: 730,
  sources: [
    { title: 'AWS Fargate pricing (per vCPU-hour and per GB-hour)', url: 'https://aws.amazon.com/fargate/pricing/' },
    { title: 'Vantage: AWS Fargate pricing explained (us-east-1 rates, read for the figures above)', url: 'https://www.vantage.sh/blog/fargate-pricing' },
    { title: 'Amazon EBS pricing (gp3 per GB-month)', url: 'https://aws.amazon.com/ebs/pricing/' },
    { title: 'Amazon S3 pricing (S3 Standard storage and requests)', url: 'https://aws.amazon.com/s3/pricing/' },
  ],
};

const PRICES: ReadonlyArray<keyof PriceTable> = [
  'cpuCoreHour',
  'memoryGibHour',
  'volumeGibMonth',
  'objectGibMonth',
  'putsPer1000',
  'getsPer1000',
  'hoursPerMonth',
];

/** Checks a price table (one read from a file, for instance): every price a number of zero or more. */
export function checkPriceTable(prices: PriceTable): void {
  const v = new Validator('PriceTable');
  for (const key of PRICES) {
    const value = prices[key];
    v.check(
      typeof value === 'number' && Number.isFinite(value) && value >= 0,
      key,
      value,
      'is not a price of zero or more',
      `give it as a number, e.g. ${AWS_US_EAST_1_PRICES[key]}`,
    );
  }
  v.check(typeof prices.hoursPerMonth === 'number' && prices.hoursPerMonth > 0, 'hoursPerMonth', prices.hoursPerMonth, 'is no month', 'give 730');
  for (const key of ['name', 'asOf', 'currency'] as const)
    v.check(typeof prices[key] === 'string' && prices[key] !== '', key, prices[key], 'is missing', `say it, e.g. "${AWS_US_EAST_1_PRICES[key]}"`);
  v.check(Array.isArray(prices.sources), 'sources', prices.sources, 'is not a list', 'give [{ "title": ..., "url": ... }], or []');
  v.throwIfAny();
}
