import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { clusterDomainOf } from '../core/cluster-domain';
import { ConfigFile, renderYaml } from '../core/config-file';
import { parseGoDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { DATASOURCE_UIDS, DatasourceContext, DatasourceDefinition, DatasourceProvider } from '../core/grafana-provisioning';
import { jaegerDatasource } from '../core/grafana-datasources';
import { IMAGES, imageVersion } from '../core/images';
import { ComponentIdentity } from '../core/names';
import { httpProbe } from '../core/pod';
import { dnsLabel, httpUrl } from '../core/rules';
import { ResourceRequirements } from '../core/resources';
import { ScrapeTarget, srvScrapeTarget } from '../core/scrape-target';
import { ServicePortSpec, createService, createServiceAccount } from '../core/service';
import { servingTlsOf } from '../core/serving-tls';
import { addWarning } from '../core/warnings';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { KafkaEndpoint } from '../kafka/endpoint';
import { JAEGER_PORTS, JaegerStorageBackend, collectorConfig, ingesterConfig, queryConfig, remoteStorageConfig } from './config';

/** The image runs as uid 10001. */
const JAEGER_UID = 10001;
const CONFIG_DIR = '/conf';
const DATA_DIR = '/var/lib/jaeger';

/**
 * Where Jaeger keeps spans. `badger`: an in-cluster remote storage (one pod, Badger on its volume),
 * for dev and small setups. `elasticsearch` / `opensearch`: a cluster you run, for production.
 * `remote`: a Jaeger remote storage you run (its read API, and OTLP for writes).
 */
export type JaegerStorage =
  | { readonly kind: 'badger'; readonly storageSize?: string; readonly storageClass?: string }
  | {
      readonly kind: 'elasticsearch' | 'opensearch';
      /** URLs of the cluster's nodes, e.g. `https://es.logging.svc:9200`. */
      readonly serverUrls: readonly string[];
      /** Prefix of the indices, to share a cluster. @default none */
      readonly indexPrefix?: string;
      /** A login: the user, and the Secret key holding its password (mounted as a file, never in the config). @default none */
      readonly login?: { readonly username: string; readonly passwordSecret: { readonly name: string; readonly key: string } };
    }
  | { readonly kind: 'remote'; readonly readEndpoint: string; readonly writeEndpoint: string };

/** Replicas of the stateless roles. */
export interface JaegerReplicas {
  /** @default 2 */ readonly collector?: number;
  /** Consumers of the topic: at most its partitions do work. @default 2 */ readonly ingester?: number;
  /** @default 2 */ readonly query?: number;
}

/** Props of {@link Jaeger}. */
export interface JaegerProps extends WorkloadOptions {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name, the prefix of every object name. @default "jaeger" */
  readonly name?: string;
  /** The broker between the collectors and the ingesters: a {@link Kafka} of the library or an {@link ExternalKafka}. */
  readonly broker: KafkaEndpoint;
  /** Topic of the spans. @default "jaeger-spans" */
  readonly topic?: string;
  /** Partitions of the topic: ingesters share them, so more than ingesters is room to grow. @default 6 */
  readonly partitions?: number;
  /** Where spans are kept. @default { kind: "badger" } (in the cluster, 10Gi) */
  readonly storage?: JaegerStorage;
  /** How long the in-cluster storage keeps spans (Badger's TTL). @default "72h" */
  readonly retention?: string;
  /** Replicas of each role. @default 2 each */
  readonly replicas?: JaegerReplicas;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * Jaeger v2 as the "Jaeger with Kafka" architecture wires it: collectors take OTLP, Jaeger and
 * Zipkin and write spans to a Kafka topic; ingesters read the topic and write to the storage
 * backend; the query serves the API and UI from it. The broker absorbs bursts and storage
 * outages: spans wait in the topic until an ingester writes them.
 */
export class Jaeger extends Construct implements DatasourceProvider {
  readonly datasourceKind = 'jaeger';
  readonly signal = 'traces' as const;
  /** OTLP over gRPC, `host:port`, for SDKs and collectors. */
  readonly otlpGrpcEndpoint: string;
  /** OTLP over HTTP, `http://host:port`. */
  readonly otlpHttpUrl: string;
  /** The query API and UI, `http://host:16686`: Grafana's Jaeger datasource URL. */
  readonly queryUrl: string;
  /** Each role's own metrics. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly workloads: Readonly<Record<string, Workload>>;
  readonly topic: string;
  private readonly base: ComponentIdentity;
  private readonly domain: string;

  constructor(scope: Construct, id: string, props: JaegerProps) {
    super(scope, id);
    const name = props.name ?? 'jaeger';
    const image = props.image ?? IMAGES.jaeger;
    const storage: JaegerStorage = props.storage ?? { kind: 'badger' };
    const retention = props.retention ?? '72h';
    this.topic = props.topic ?? 'jaeger-spans';
    const replicas = { collector: props.replicas?.collector ?? 2, ingester: props.replicas?.ingester ?? 2, query: props.replicas?.query ?? 2 };
    const partitions = props.partitions ?? 6;
    validate(this, props, storage, retention, replicas, partitions, name);
    this.domain = clusterDomainOf(this, props.clusterDomain);
    this.base = new ComponentIdentity({ app: 'jaeger', instance: name, component: 'collector', namespace: props.namespace, version: imageVersion(image) });
    const host = (service: string) => this.base.serviceHost(service, this.domain);
    if (servingTlsOf(this)) {
      addWarning(
        this,
        'jaeger-plain-http',
        'storage',
        storage.kind,
        'serves its APIs, the UI and the remote storage over plain HTTP and gRPC: the library does not give Jaeger certificates yet',
        'keep the NetworkPolicies on (they admit only its clients), or front the query with a TLS gateway',
      );
    }

    props.broker.requireTopic({
      name: this.topic,
      partitions,
      reason: `Jaeger "${name}" (its ingesters share the partitions)`,
      askedBy: { path: this.node.path, property: 'broker' },
    });
    const kafka = { brokers: props.broker.bootstrapServers, topic: this.topic };

    const workloads: Record<string, Workload> = {};
    const targets: ScrapeTarget[] = [];
    const role = (component: string, spec: RoleSpec) => {
      const identity = this.base.sibling(component);
      const ports = [...spec.ports, { name: 'health', port: JAEGER_PORTS.health }, { name: 'metrics', port: JAEGER_PORTS.metrics }];
      createService(this, `${component}Service`, { identity, name: identity.name, ports });
      createService(this, `${component}Headless`, { identity, name: identity.headlessName, ports, headless: true });
      createServiceAccount(this, `${component}ServiceAccount`, identity, identity.name);
      const config = new ConfigFile(this, `${component}Config`, {
        identity,
        name: `${identity.name}-config`,
        files: { 'config.yaml': renderYaml(spec.config) },
      });
      const container = withOptions(props, {
        name: 'jaeger',
        image,
        args: [`--config=${CONFIG_DIR}/config.yaml`],
        ports: ports.map((p) => ({ name: p.name, containerPort: p.port })),
        volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, ...(spec.mounts ?? [])],
        readinessProbe: httpProbe('/status', 'health', { initialDelaySeconds: 5 }),
        livenessProbe: httpProbe('/status', 'health', { initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 }),
        defaultResources: spec.resources,
      });
      const common = {
        identity,
        replicas: spec.replicas,
        podIdentity: { runAsUser: JAEGER_UID, runAsGroup: JAEGER_UID, fsGroup: JAEGER_UID },
        serviceAccountName: identity.name,
        configChecksums: [config.checksum],
        ...podOptions(props),
        volumes: [config.volume('config'), ...(spec.volumes ?? [])],
        containers: [container],
        // The collector's batch and the ingester's uncommitted offsets are flushed on SIGTERM.
        terminationGracePeriodSeconds: 60,
      };
      workloads[component] = spec.claim
        ? new Workload(this, component, { kind: 'StatefulSet', ...common, volumeClaims: [spec.claim], disruptionBudget: false })
        : new Workload(this, component, { kind: 'Deployment', ...common, disruptionBudget: spec.replicas > 1 ? { maxUnavailable: 1 } : false });
      targets.push(srvScrapeTarget(identity.name, 'metrics', host(identity.headlessName)));
    };

    let backend: JaegerStorageBackend;
    if (storage.kind === 'badger') {
      const storageName = `${name}-storage`;
      backend = {
        kind: 'remote',
        readEndpoint: `${host(storageName)}:${JAEGER_PORTS.remoteStorage}`,
        writeEndpoint: `${host(storageName)}:${JAEGER_PORTS.otlpGrpc}`,
      };
      role('storage', {
        replicas: 1,
        ports: [
          { name: 'remote-storage', port: JAEGER_PORTS.remoteStorage },
          { name: 'otlp-grpc', port: JAEGER_PORTS.otlpGrpc },
        ],
        config: remoteStorageConfig(DATA_DIR, retention),
        mounts: [{ name: 'data', mountPath: DATA_DIR }],
        claim: { name: 'data', size: storage.storageSize ?? '10Gi', storageClass: storage.storageClass },
        resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '2Gi' } },
      });
    } else if (storage.kind === 'remote') {
      backend = storage;
    } else {
      const passwordFile = storage.login ? `${SECRETS_DIR}/${storage.login.passwordSecret.key}` : undefined;
      backend = { kind: storage.kind, serverUrls: storage.serverUrls, indexPrefix: storage.indexPrefix, username: storage.login?.username, passwordFile };
    }
    const secretVolume = storage.kind !== 'badger' && storage.kind !== 'remote' && storage.login ? storage.login.passwordSecret : undefined;
    const storageClient = {
      volumes: secretVolume
        ? [{ name: 'storage-login', secret: { secretName: secretVolume.name, items: [{ key: secretVolume.key, path: secretVolume.key }] } }]
        : [],
      mounts: secretVolume ? [{ name: 'storage-login', mountPath: SECRETS_DIR, readOnly: true }] : [],
    };

    role('collector', {
      replicas: replicas.collector,
      ports: [
        { name: 'otlp-grpc', port: JAEGER_PORTS.otlpGrpc },
        { name: 'otlp-http', port: JAEGER_PORTS.otlpHttp },
        { name: 'jaeger-grpc', port: JAEGER_PORTS.jaegerGrpc },
        { name: 'jaeger-http', port: JAEGER_PORTS.jaegerThriftHttp },
        { name: 'zipkin', port: JAEGER_PORTS.zipkin },
      ],
      config: collectorConfig(kafka),
      resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    });
    role('ingester', {
      replicas: replicas.ingester,
      ports: [],
      config: ingesterConfig({ ...kafka, groupId: `${name}-ingester` }, backend),
      ...storageClient,
      resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    });
    role('query', {
      replicas: replicas.query,
      ports: [
        { name: 'query-http', port: JAEGER_PORTS.queryHttp },
        { name: 'query-grpc', port: JAEGER_PORTS.queryGrpc },
      ],
      config: queryConfig(backend),
      ...storageClient,
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    });

    this.workloads = workloads;
    this.scrapeTargets = targets;
    this.otlpGrpcEndpoint = `${host(`${name}-collector`)}:${JAEGER_PORTS.otlpGrpc}`;
    this.otlpHttpUrl = `http://${host(`${name}-collector`)}:${JAEGER_PORTS.otlpHttp}`;
    this.queryUrl = `http://${host(`${name}-query`)}:${JAEGER_PORTS.queryHttp}`;
  }

  /** A Jaeger datasource, linked to the logs and metrics datasources of the composition. */
  datasources(context: DatasourceContext): DatasourceDefinition[] {
    return [jaegerDatasource({ url: this.queryUrl, uid: DATASOURCE_UIDS.traces, logsUid: context.links.logsUid, metricsUid: context.links.metricsUid })];
  }
}

const SECRETS_DIR = '/etc/jaeger/storage-login';

/** One role's differences. */
interface RoleSpec {
  readonly replicas: number;
  readonly ports: readonly ServicePortSpec[];
  readonly config: Record<string, unknown>;
  readonly resources: ResourceRequirements;
  readonly volumes?: readonly k8s.Volume[];
  readonly mounts?: readonly k8s.VolumeMount[];
  /** A volume of its own (the in-cluster storage). */
  readonly claim?: { readonly name: string; readonly size: string; readonly storageClass?: string };
}

function validate(
  scope: Construct,
  props: JaegerProps,
  storage: JaegerStorage,
  retention: string,
  replicas: Required<JaegerReplicas>,
  partitions: number,
  name: string,
): void {
  const v = new Validator(scope);
  v.apply('name', name, dnsLabel(name, 63 - '-collector-headless'.length));
  checkWorkloadOptions(v, '', props, IMAGES.jaeger);
  for (const [role, n] of Object.entries(replicas)) checkReplicas(v, `replicas.${role}`, n);
  v.check(Number.isInteger(partitions) && partitions >= 1, 'partitions', partitions, 'is not a whole number of at least 1', 'give the partition count, e.g. 6');
  v.check(
    partitions >= replicas.ingester,
    'partitions',
    partitions,
    `is fewer than the ${replicas.ingester} ingesters: an ingester without a partition sits idle`,
    `give ${replicas.ingester} partitions or more, or fewer ingesters`,
  );
  v.check((parseGoDuration(retention) ?? 0) >= 3600_000, 'retention', retention, 'is not a duration of at least 1h', 'write it as "72h"');
  if (storage.kind === 'elasticsearch' || storage.kind === 'opensearch') {
    v.check(storage.serverUrls.length > 0, 'storage.serverUrls', storage.serverUrls, 'is empty', 'give the URL of at least one node');
    storage.serverUrls.forEach((u, i) => v.apply(`storage.serverUrls[${i}]`, u, httpUrl(u)));
  }
  if (storage.kind === 'remote') {
    for (const key of ['readEndpoint', 'writeEndpoint'] as const) {
      v.check(
        /^[A-Za-z0-9.-]+:\d{1,5}$/.test(storage[key]),
        `storage.${key}`,
        storage[key],
        'is not host:port',
        'write it as "jaeger-storage.tracing.svc.cluster.local:17271"',
      );
    }
  }
  v.throwIfAny();
}
