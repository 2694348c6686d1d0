import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { ObservabilityPlatform, setServingTls } from '../../lib';
import { OtelCollectorGateway, OtelCollectorGatewayProps } from '../../lib/collectors/otel-collector';
import { externalReferences } from '../../lib/core/external';
import { Manifest, containersOf, dataOf, get, podSpecOf, synth, testChart } from '../support/synth';

const TEMPO_GRPC = 'tempo.obs.svc.cluster.local:4317';

function gateway(props: Partial<OtelCollectorGatewayProps> = {}, tls = false): { chart: Chart; gw: OtelCollectorGateway; manifests: Manifest[]; config: any } {
  const chart = testChart('tempo.obs.svc.cluster.local');
  if (tls) setServingTls(chart, { issuer: { name: 'ca', kind: 'ClusterIssuer' } });
  const gw = new OtelCollectorGateway(chart, 'otel', { namespace: 'obs', traces: { otlpGrpcEndpoint: TEMPO_GRPC }, ...props });
  const manifests = synth(chart);
  return { chart, gw, manifests, config: parse(dataOf(get(manifests, 'ConfigMap', 'otel-gateway-config'))['config.yaml']) };
}

describe('the OTLP entry of the OpenTelemetry gateway', () => {
  test('with auth, both OTLP protocols require a login checked against the htpasswd Secret, which is mounted and declared', () => {
    const { chart, manifests, config } = gateway({ auth: { basicAuthSecret: 'otlp-senders' } });
    expect(config.extensions['basicauth/senders']).toEqual({ htpasswd: { file: '/etc/otelcol/senders/.htpasswd' } });
    expect(config.service.extensions).toContain('basicauth/senders');
    for (const protocol of ['grpc', 'http']) expect(config.receivers.otlp.protocols[protocol].auth).toEqual({ authenticator: 'basicauth/senders' });
    const pod = podSpecOf(get(manifests, 'Deployment', 'otel-gateway'));
    expect(pod.volumes).toContainEqual({ name: 'senders', secret: { secretName: 'otlp-senders' } });
    expect(containersOf(pod)[0].volumeMounts).toContainEqual({ name: 'senders', mountPath: '/etc/otelcol/senders', readOnly: true });
    expect(
      externalReferences(chart)
        .filter((r) => r.name === 'otlp-senders')
        .map((r) => r.kind),
    ).toEqual(['Secret']);
  });

  test('with serving TLS, both OTLP ports serve its certificate (read again hourly) and the HTTP URL is https', () => {
    const { gw, manifests, config } = gateway({}, true);
    for (const protocol of ['grpc', 'http']) {
      expect(config.receivers.otlp.protocols[protocol].tls).toEqual({
        cert_file: '/etc/tls/serving/tls.crt',
        key_file: '/etc/tls/serving/tls.key',
        min_version: '1.2',
        reload_interval: '1h',
      });
    }
    expect(gw.otlpHttpUrl).toBe('https://otel-gateway.obs.svc.cluster.local:4318');
    expect(gw.platformCa).toBe(true);
    expect(get(manifests, 'Certificate', 'otel-gateway-tls').spec.dnsNames).toContain('otel-gateway.obs.svc.cluster.local');
  });

  test("the platform passes the login through, and its OTLP gateway then serves TLS with the platform's", () => {
    const app = new App({ outdir: '/nonexistent' });
    new ObservabilityPlatform(app, 'p', {
      tls: { issuer: { name: 'ca', kind: 'ClusterIssuer' } },
      collectors: { otlp: { auth: { basicAuthSecret: 'senders' } } },
    });
    const out = app.charts.flatMap((c) => c.toJson()) as Manifest[];
    const protocols = parse(dataOf(get(out, 'ConfigMap', 'otel-gateway-config'))['config.yaml']).receivers.otlp.protocols;
    expect([protocols.http.auth, protocols.http.tls?.cert_file]).toEqual([{ authenticator: 'basicauth/senders' }, '/etc/tls/serving/tls.crt']);
  });

  test('without either, the receivers only listen: no login, no TLS', () => {
    const { gw, config } = gateway();
    expect(config.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } });
    expect(Object.keys(config.extensions)).toEqual(['health_check']);
    expect(gw.platformCa).toBeUndefined();
  });
});
