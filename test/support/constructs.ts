import { Chart } from 'cdk8s';
import {
  AlloyGateway,
  AlloyLogAgent,
  Alertmanager,
  Grafana,
  KubeStateMetrics,
  LokiCluster,
  MetricsServer,
  Minio,
  NodeExporter,
  OtelCollectorGateway,
  PrometheusAgent,
  PrometheusServer,
  Pushgateway,
  Promtail,
  Tempo,
  ThanosBucket,
  ThanosCluster,
  ThanosCompactor,
  ThanosQuery,
  ThanosQueryFrontend,
  ThanosReceive,
  ThanosRuler,
  ThanosStore,
  VictoriaMetricsCluster,
  VmAgent,
  VmInsert,
  VmSelect,
  VmStorage,
  metricsDatasource,
} from '../../lib';

/** How to make one construct: its required props, with whatever it needs made beside it. */
export type Make = (chart: Chart, props: any) => unknown;
export interface ConstructCase {
  readonly name: string;
  readonly make: Make;
  readonly props: (chart: Chart) => Record<string, unknown>;
  readonly required: readonly string[];
}

const minio = (chart: Chart) => new Minio(chart, 'minio', { namespace: 'obs' });
const bucket = (chart: Chart) => new ThanosBucket(chart, 'bucket', { namespace: 'obs', storage: minio(chart) });
const query = (chart: Chart) =>
  new ThanosQuery(chart, 'q', { namespace: 'obs', endpoints: [{ address: 'dnssrv+_grpc._tcp.x.obs.svc.cluster.local', component: 'x', replicaLabels: [] }] });
const vmstorage = (chart: Chart) => new VmStorage(chart, 'vmstorage', { namespace: 'obs', retention: '90d' });
const logs = { pushUrl: 'http://loki-gateway.obs.svc.cluster.local/loki/api/v1/push', tenant: 'a' };
const write = [{ url: 'http://thanos-receive.obs.svc.cluster.local:19291/api/v1/receive' }];

/** Every component construct, with the least it can be made with. */
export const CONSTRUCT_CASES: ConstructCase[] = [
  { name: 'Minio', make: (c, p) => new Minio(c, 'x', p), props: () => ({ namespace: 'obs' }), required: ['namespace'] },
  {
    name: 'LokiCluster',
    make: (c, p) => new LokiCluster(c, 'x', p),
    props: (c) => ({ namespace: 'obs', storage: minio(c) }),
    required: ['namespace', 'storage'],
  },
  {
    name: 'ThanosBucket',
    make: (c, p) => new ThanosBucket(c, 'x', p),
    props: (c) => ({ namespace: 'obs', storage: minio(c) }),
    required: ['namespace', 'storage'],
  },
  {
    name: 'ThanosCluster',
    make: (c, p) => new ThanosCluster(c, 'x', p),
    props: (c) => ({ namespace: 'obs', storage: minio(c) }),
    required: ['namespace', 'storage'],
  },
  {
    name: 'ThanosReceive',
    make: (c, p) => new ThanosReceive(c, 'x', p),
    props: (c) => ({ namespace: 'obs', bucket: bucket(c) }),
    required: ['namespace', 'bucket'],
  },
  {
    name: 'ThanosQuery',
    make: (c, p) => new ThanosQuery(c, 'x', p),
    props: () => ({ namespace: 'obs', endpoints: [{ address: 'dnssrv+_grpc._tcp.s.obs.svc.cluster.local', component: 's', replicaLabels: [] }] }),
    required: ['namespace', 'endpoints'],
  },
  {
    name: 'ThanosQueryFrontend',
    make: (c, p) => new ThanosQueryFrontend(c, 'x', p),
    props: (c) => ({ namespace: 'obs', query: query(c) }),
    required: ['namespace', 'query'],
  },
  {
    name: 'ThanosStore',
    make: (c, p) => new ThanosStore(c, 'x', p),
    props: (c) => ({ namespace: 'obs', bucket: bucket(c) }),
    required: ['namespace', 'bucket'],
  },
  {
    name: 'ThanosCompactor',
    make: (c, p) => new ThanosCompactor(c, 'x', p),
    props: (c) => ({ namespace: 'obs', bucket: bucket(c) }),
    required: ['namespace', 'bucket'],
  },
  {
    name: 'ThanosRuler',
    make: (c, p) => new ThanosRuler(c, 'x', p),
    props: (c) => ({ namespace: 'obs', bucket: bucket(c), query: query(c), ruleConfigMaps: ['rules'] }),
    required: ['namespace', 'bucket', 'query'],
  },
  {
    name: 'PrometheusAgent',
    make: (c, p) => new PrometheusAgent(c, 'x', p),
    props: () => ({ namespace: 'obs', remoteWrite: write }),
    required: ['namespace', 'remoteWrite'],
  },
  { name: 'PrometheusServer', make: (c, p) => new PrometheusServer(c, 'x', p), props: () => ({ namespace: 'obs' }), required: ['namespace'] },
  { name: 'VictoriaMetricsCluster', make: (c, p) => new VictoriaMetricsCluster(c, 'x', p), props: () => ({ namespace: 'obs' }), required: ['namespace'] },
  { name: 'VmStorage', make: (c, p) => new VmStorage(c, 'x', p), props: () => ({ namespace: 'obs', retention: '90d' }), required: ['namespace', 'retention'] },
  {
    name: 'VmInsert',
    make: (c, p) => new VmInsert(c, 'x', p),
    props: (c) => ({ namespace: 'obs', storage: vmstorage(c) }),
    required: ['namespace', 'storage'],
  },
  {
    name: 'VmSelect',
    make: (c, p) => new VmSelect(c, 'x', p),
    props: (c) => ({ namespace: 'obs', storage: vmstorage(c) }),
    required: ['namespace', 'storage'],
  },
  { name: 'VmAgent', make: (c, p) => new VmAgent(c, 'x', p), props: () => ({ namespace: 'obs', remoteWrite: write }), required: ['namespace', 'remoteWrite'] },
  { name: 'Tempo', make: (c, p) => new Tempo(c, 'x', p), props: (c) => ({ namespace: 'obs', storage: minio(c) }), required: ['namespace', 'storage'] },
  {
    name: 'Grafana',
    make: (c, p) => new Grafana(c, 'x', p),
    props: () => ({ namespace: 'obs', datasources: [metricsDatasource({ url: 'http://q.obs.svc.cluster.local:10902' })] }),
    required: ['namespace', 'datasources'],
  },
  { name: 'AlloyLogAgent', make: (c, p) => new AlloyLogAgent(c, 'x', p), props: () => ({ namespace: 'obs', loki: logs }), required: ['namespace', 'loki'] },
  {
    name: 'AlloyGateway',
    make: (c, p) => new AlloyGateway(c, 'x', p),
    props: () => ({ namespace: 'obs', traces: { otlpGrpcEndpoint: 'tempo.obs.svc.cluster.local:4317' }, metrics: write[0], logs }),
    required: ['namespace', 'traces', 'metrics', 'logs'],
  },
  {
    name: 'OtelCollectorGateway',
    make: (c, p) => new OtelCollectorGateway(c, 'x', p),
    props: () => ({ namespace: 'obs', traces: { otlpGrpcEndpoint: 'tempo.obs.svc.cluster.local:4317' } }),
    required: ['namespace', 'traces'],
  },
  { name: 'Promtail', make: (c, p) => new Promtail(c, 'x', p), props: () => ({ namespace: 'obs', loki: logs }), required: ['namespace', 'loki'] },
  { name: 'NodeExporter', make: (c, p) => new NodeExporter(c, 'x', p), props: () => ({ namespace: 'obs' }), required: ['namespace'] },
  { name: 'KubeStateMetrics', make: (c, p) => new KubeStateMetrics(c, 'x', p), props: () => ({ namespace: 'obs' }), required: ['namespace'] },
  { name: 'MetricsServer', make: (c, p) => new MetricsServer(c, 'x', p), props: () => ({ namespace: 'obs' }), required: ['namespace'] },
  { name: 'Alertmanager', make: (c, p) => new Alertmanager(c, 'x', p), props: () => ({ namespace: 'obs' }), required: ['namespace'] },
  { name: 'Pushgateway', make: (c, p) => new Pushgateway(c, 'x', p), props: () => ({ namespace: 'obs' }), required: ['namespace'] },
];
