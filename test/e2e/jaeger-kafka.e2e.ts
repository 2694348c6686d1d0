import { randomBytes } from 'node:crypto';
import { synthApp } from '../support/synth';
import { anyExited, eventually, podLogs } from './support/eventually';
import { program, scenario } from './support/programs';
import { startPod } from './support/pod-runner';
import { PodToRun, withPods } from './support/run-pods';

/**
 * The jaeger-kafka app with the real Jaeger v2 (2.13.0, module v1.76.0) in every role, each with
 * the config its pods get: spans sent to the collector (OTLP and Zipkin) go to the broker, the
 * ingester reads them from the topic and writes them to the remote storage (Badger on its volume),
 * and the query reads them back by trace id. The collector never writes to the storage, so a span
 * read back went the whole way. The storage starts only after the spans were sent and the ingester
 * failed to write them: they wait in the topic and arrive once it runs. Apache Kafka is a JVM program the tier cannot fetch: franz-go's
 * kfake (BSD-3) stands at the broker pod's address with the topic the topic Job would make.
 */
const NS = 'observability';
const COLLECTOR = `jaeger-collector.${NS}.svc.cluster.local`;
const QUERY = `http://jaeger-query.${NS}.svc.cluster.local:16686`;

interface JaegerTrace {
  readonly traceID: string;
  readonly spans: ReadonlyArray<{ readonly operationName: string; readonly processID: string }>;
  readonly processes: Record<string, { readonly serviceName: string }>;
}

scenario('jaeger', 'kfake')(
  'spans sent to the collector are read back by trace id after the broker, the ingester and the storage',
  async () => {
    const { manifests } = synthApp('jaeger-kafka');
    const topicArgs = manifests
      .filter((m) => m.kind === 'Job' && m.metadata.name.startsWith('kafka-topics-'))
      .flatMap((j) => [...j.spec.template.spec.containers[0].args[0].matchAll(/^ensure (\S+) (\d+) \d+$/gm)].map((m) => ['-topic', `${m[1]}:${m[2]}`]))
      .flat();
    expect(topicArgs).toEqual(['-topic', 'jaeger-spans:6']);
    const broker = `kafka-broker-0.kafka-broker-headless.${NS}.svc.cluster.local`;
    const toRun: PodToRun[] = [
      ['StatefulSet', 'kafka-broker', 0, 'kfake', ['-host', broker, '-port', '9092', ...topicArgs]],
      // The storage starts after the spans are sent: they must wait in the topic, not be dropped.
      ['StatefulSet', 'jaeger-storage', 0, null],
      ['Deployment', 'jaeger-ingester', 0, 'jaeger'],
      ['Deployment', 'jaeger-query', 0, 'jaeger'],
      ['Deployment', 'jaeger-collector', 0, 'jaeger'],
    ];
    await withPods(manifests, toRun, `e2e-client.${NS}.svc.cluster.local`, async ({ cluster, host, pods, plans }) => {
      const ready = (url: string) => cluster.httpGet(url, host).status === 200;
      await eventually(() => ['jaeger-collector', 'jaeger-ingester', 'jaeger-query'].every((r) => ready(`http://${r}.${NS}.svc.cluster.local:13133/status`)), {
        withinMs: 90_000,
        everyMs: 1000,
        gaveUp: () => anyExited(pods),
        why: () => `the Jaeger roles did not report healthy\n${podLogs(pods)}`,
      });

      // One span over OTLP/HTTP, one over Zipkin's v2 API.
      const otlpTrace = randomBytes(16).toString('hex');
      const now = BigInt(Date.now()) * 1_000_000n;
      const otlp = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: otlpTrace,
                    spanId: randomBytes(8).toString('hex'),
                    name: 'POST /orders',
                    kind: 2,
                    startTimeUnixNano: String(now - 5_000_000n),
                    endTimeUnixNano: String(now),
                  },
                ],
              },
            ],
          },
        ],
      };
      const sent = cluster.httpRequest(
        `http://${COLLECTOR}:4318/v1/traces`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlp) },
        host,
      );
      expect(sent.status).toBe(200);
      const zipkinTrace = randomBytes(8).toString('hex');
      const zipkin = [
        {
          traceId: zipkinTrace,
          id: zipkinTrace,
          name: 'get /stock',
          timestamp: Date.now() * 1000,
          duration: 3000,
          localEndpoint: { serviceName: 'inventory' },
        },
      ];
      const zipped = cluster.httpRequest(
        `http://${COLLECTOR}:9411/api/v2/spans`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(zipkin) },
        host,
      );
      expect(zipped.status).toBe(202);

      // The ingester has read the spans and failed to write them; now the storage comes up.
      await eventually(() => /Exporting failed|rpc error/.test(pods.find((p) => p.pod.name.startsWith('jaeger-ingester'))!.output()), {
        withinMs: 30_000,
        everyMs: 500,
        why: () => `the ingester never tried to write to the missing storage\n${podLogs(pods)}`,
      });
      pods.push(startPod(manifests, plans[1], { program: program('jaeger'), restartOnce: true }));
      const trace = (id: string): JaegerTrace | undefined => {
        const r = cluster.httpGet(`${QUERY}/api/traces/${id}`, host);
        return r.status === 200 ? (JSON.parse(r.body).data?.[0] as JaegerTrace | undefined) : undefined;
      };
      await eventually(() => trace(otlpTrace) !== undefined && trace(zipkinTrace.padStart(32, '0')) !== undefined, {
        withinMs: 90_000,
        everyMs: 2000,
        gaveUp: () => anyExited(pods),
        why: () => `the spans were not readable from the query after 90 s\n${podLogs(pods)}`,
      });
      const read = trace(otlpTrace)!;
      expect(read.spans.map((s) => [s.operationName, read.processes[s.processID].serviceName])).toEqual([['POST /orders', 'checkout']]);
      const fromZipkin = trace(zipkinTrace.padStart(32, '0'))!;
      expect(fromZipkin.spans.map((s) => [s.operationName, fromZipkin.processes[s.processID].serviceName])).toEqual([['get /stock', 'inventory']]);
      // Both services are known to the query, read from the storage.
      const services = JSON.parse(cluster.httpGet(`${QUERY}/api/services`, host).body).data as string[];
      expect(services).toEqual(expect.arrayContaining(['checkout', 'inventory']));
      expect(pods.filter((p) => !p.alive()).map((p) => p.pod.name)).toEqual([]);
    });
  },
  300_000,
);
