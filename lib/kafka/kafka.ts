import { createHash } from 'node:crypto';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../core/k8s';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { clusterDomainOf } from '../core/cluster-domain';
import { Validator } from '../core/errors';
import { IMAGES, imageVersion } from '../core/images';
import { jobNamedBySpec } from '../core/job-name';
import { ComponentIdentity } from '../core/names';
import { restrictedPodTemplate, tcpProbe } from '../core/pod';
import { durationAtLeast, parseDuration } from '../core/duration';
import { volumeSize } from '../core/rules';
import { createService, createServiceAccount } from '../core/service';
import { Workload, WorkloadOptions, podOptions, withOptions } from '../core/workload';
import { KafkaEndpoint, KafkaTopicRequest } from './endpoint';

/** The ports of every node: clients and other brokers on 9092, the KRaft controllers on 9093. */
export const KAFKA_PORTS = { client: 9092, controller: 9093 } as const;
/** The image's user (`appuser`), which owns its writable paths. */
const KAFKA_UID = 1000;
const DATA_DIR = '/var/lib/kafka/data';

/** Props of {@link Kafka}. */
export interface KafkaProps extends WorkloadOptions {
  /** Namespace of every object. */
  readonly namespace: string;
  /** Instance name, the prefix of every object name (`<name>-broker`). @default "kafka" */
  readonly name?: string;
  /**
   * Nodes, each a broker and a KRaft controller. 1 for a dev broker, 3 or 5 for a quorum that
   * survives the loss of one or two. The controller quorum is fixed when the cluster is first
   * formatted: changing the count later needs Kafka's own quorum reconfiguration.
   * @default 3
   */
  readonly replicas?: number;
  /** How long records are kept: the components read them within minutes, this is slack for outages. @default "24h" */
  readonly retention?: string;
  /** Each node's volume. @default "20Gi" */
  readonly storageSize?: string;
  /** @default the cluster default */
  readonly storageClass?: string;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * Apache Kafka in KRaft mode from the official image: every node a broker and a controller of a
 * StatefulSet, started together (the controllers need a quorum before any is ready), with topics
 * created by a Job from what the components ask for, and topic auto-creation off so that none is
 * made with the wrong partition count. Plain text inside the cluster, admitted by NetworkPolicies
 * to the components that use it.
 */
export class Kafka extends Construct implements KafkaEndpoint {
  readonly kind = 'kafka';
  readonly identity: ComponentIdentity;
  readonly workload: Workload;
  readonly replicas: number;
  /** The bootstrap Service, `host:port`. */
  readonly bootstrapServers: readonly string[];
  private readonly asked: KafkaTopicRequest[] = [];

  constructor(scope: Construct, id: string, props: KafkaProps) {
    super(scope, id);
    const name = props.name ?? 'kafka';
    const image = props.image ?? IMAGES.kafka;
    this.identity = new ComponentIdentity({ app: 'kafka', instance: name, component: 'broker', namespace: props.namespace, version: imageVersion(image) });
    this.replicas = props.replicas ?? 3;
    const retention = props.retention ?? '24h';
    validate(this, props, this.replicas, retention);
    const domain = clusterDomainOf(this, props.clusterDomain);
    const identity = this.identity;
    const headless = identity.serviceHost(identity.headlessName, domain);
    const pod = (i: number | string) => `${identity.name}-${i}.${headless}`;
    this.bootstrapServers = [`${identity.serviceHost(identity.name, domain)}:${KAFKA_PORTS.client}`];

    const ports = [
      { name: 'client', port: KAFKA_PORTS.client },
      { name: 'controller', port: KAFKA_PORTS.controller },
    ];
    createService(this, 'Service', { identity, name: identity.name, ports: [ports[0]] });
    // Every node by name, ready or not: the controllers must reach each other to become ready.
    createService(this, 'HeadlessService', { identity, name: identity.headlessName, ports, headless: true, publishNotReadyAddresses: true });
    createServiceAccount(this, 'ServiceAccount', identity, identity.name);

    const copies = Math.min(3, this.replicas);
    const settings: Record<string, string> = {
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${KAFKA_PORTS.client},CONTROLLER://:${KAFKA_PORTS.controller}`,
      // Clients bootstrap through the Service, then talk to each partition's leader by its pod name.
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://$(POD_NAME).${headless}:${KAFKA_PORTS.client}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: Array.from({ length: this.replicas }, (_, i) => `${i}@${pod(i)}:${KAFKA_PORTS.controller}`).join(','),
      KAFKA_LOG_DIRS: DATA_DIR,
      // A topic is made by the topic Job with the partitions its component asked for, never by a first write.
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_DEFAULT_REPLICATION_FACTOR: String(copies),
      KAFKA_MIN_INSYNC_REPLICAS: String(Math.max(1, copies - 1)),
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: String(copies),
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: String(copies),
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: String(Math.max(1, copies - 1)),
      KAFKA_LOG_RETENTION_MS: String(parseDuration(retention)),
      // Consumers (Tempo's live-stores) join at once rather than after the default 3 s.
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      CLUSTER_ID: clusterId(`${props.namespace}/${name}`),
      // The launcher's logs and the JVM's files go to /tmp: the root filesystem is read-only.
      LOG_DIR: '/tmp/logs',
      KAFKA_HEAP_OPTS: '-Xms1g -Xmx1g',
    };
    const env: k8s.EnvVar[] = [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      // The StatefulSet controller labels each pod with its ordinal: the node id of the quorum.
      { name: 'KAFKA_NODE_ID', valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } } },
      ...Object.entries(settings).map(([k, value]) => ({ name: k, value })),
    ];
    this.workload = new Workload(this, 'Workload', {
      kind: 'StatefulSet',
      identity,
      replicas: this.replicas,
      // Controllers wait for a quorum before they are ready: start them all at once.
      podManagementPolicy: 'Parallel',
      podIdentity: { runAsUser: KAFKA_UID, runAsGroup: KAFKA_UID, fsGroup: KAFKA_UID },
      serviceAccountName: identity.name,
      ...podOptions(props),
      exclusiveNodes: this.replicas > 1,
      disruptionBudget: this.replicas > 1 ? { maxUnavailable: 1 } : false,
      // A controlled shutdown moves partition leadership away before the broker stops.
      terminationGracePeriodSeconds: 120,
      // The image writes its rendered config at start; both paths are volumes of their own.
      volumes: [
        { name: 'config', emptyDir: {} },
        { name: 'mounted-config', emptyDir: {} },
      ],
      volumeClaims: [{ name: 'data', size: props.storageSize ?? '20Gi', storageClass: props.storageClass }],
      containers: [
        withOptions(props, {
          name: 'kafka',
          image,
          env,
          ports: [
            { name: 'client', containerPort: KAFKA_PORTS.client },
            { name: 'controller', containerPort: KAFKA_PORTS.controller },
          ],
          volumeMounts: [
            { name: 'data', mountPath: DATA_DIR },
            { name: 'config', mountPath: '/opt/kafka/config' },
            { name: 'mounted-config', mountPath: '/mnt/shared/config' },
          ],
          readinessProbe: tcpProbe('client', { initialDelaySeconds: 10, periodSeconds: 10 }),
          // Recovering a large log takes minutes: only a node whose controller port stays shut is restarted.
          livenessProbe: tcpProbe('controller', { initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 9 }),
          defaultResources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } },
        }),
      ],
    });
    this.emitTopicJob(props, copies);
  }

  get topics(): readonly KafkaTopicRequest[] {
    return [...this.asked];
  }

  requireTopic(topic: KafkaTopicRequest): void {
    const v = new Validator(this);
    v.check(/^[A-Za-z0-9._-]{1,249}$/.test(topic.name), 'topic', topic.name, 'is not a Kafka topic name', 'use letters, digits, ".", "_" and "-"');
    v.check(
      Number.isInteger(topic.partitions) && topic.partitions >= 1,
      `topics["${topic.name}"].partitions`,
      topic.partitions,
      'is not a whole number of at least 1',
      'ask for 1 or more',
    );
    v.throwIfAny();
    const same = this.asked.findIndex((t) => t.name === topic.name);
    // Two components on one topic: it gets the larger count.
    if (same >= 0) this.asked[same] = topic.partitions > this.asked[same].partitions ? topic : this.asked[same];
    else this.asked.push(topic);
  }

  /**
   * The Job that makes every topic asked for, or adds partitions to one that has fewer (Kafka never
   * removes any). Its name carries a hash of its spec, so a new topic list is a new Job.
   */
  private emitTopicJob(props: KafkaProps, copies: number): void {
    const identity = this.identity.sibling('topics', this.identity.version);
    const server = this.bootstrapServers[0];
    const script = () =>
      [
        'set -eu',
        'topics=/opt/kafka/bin/kafka-topics.sh',
        `server=${server}`,
        'until $topics --bootstrap-server "$server" --list > /dev/null; do echo "waiting for $server"; sleep 5; done',
        'ensure() {',
        '  $topics --bootstrap-server "$server" --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor "$3"',
        '  have=$($topics --bootstrap-server "$server" --describe --topic "$1" | sed -n "s/.*PartitionCount: *\\([0-9]*\\).*/\\1/p" | head -n 1)',
        '  if [ "$have" -lt "$2" ]; then $topics --bootstrap-server "$server" --alter --topic "$1" --partitions "$2"; fi',
        '}',
        ...this.asked.map((t) => `ensure ${t.name} ${t.partitions} ${copies}`),
      ].join('\n');
    const template = restrictedPodTemplate({
      identity,
      replicas: 1,
      podIdentity: { runAsUser: KAFKA_UID, runAsGroup: KAFKA_UID, fsGroup: KAFKA_UID },
      restartPolicy: 'OnFailure',
      scheduling: props.scheduling,
      containers: [
        {
          name: 'topics',
          image: props.image ?? IMAGES.kafka,
          command: ['/bin/bash', '-c'],
          args: [Lazy.any({ produce: script }) as unknown as string],
          env: [
            { name: 'LOG_DIR', value: '/tmp/logs' },
            { name: 'KAFKA_HEAP_OPTS', value: '-Xmx256m' },
          ],
          resources: { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '512Mi' } },
        },
      ],
    });
    const spec = { backoffLimit: 6, activeDeadlineSeconds: 1800, template };
    // Named at synth, when every component has asked for its topics.
    jobNamedBySpec(this, 'Topics', identity, spec);
  }
}

/** A KRaft cluster id: 16 bytes, base64url without padding. Derived from the name, so every synth gives the same. */
function clusterId(seed: string): string {
  return createHash('sha256').update(seed).digest().subarray(0, 16).toString('base64url');
}

function validate(scope: Construct, props: KafkaProps, replicas: number, retention: string): void {
  const v = new Validator(scope);
  checkReplicas(v, 'replicas', replicas);
  v.check(
    [1, 3, 5].includes(replicas),
    'replicas',
    replicas,
    'is not 1, 3 or 5: every node is a KRaft controller, and an even quorum survives no more losses than the odd one below it',
    'use 1 for a dev broker, 3 (survives one loss) or 5 (survives two)',
  );
  checkWorkloadOptions(v, '', props, IMAGES.kafka);
  v.apply('retention', retention, durationAtLeast(retention, 3600_000, 'a consumer that was down longer loses what it had not read'));
  if (props.storageSize !== undefined) v.apply('storageSize', props.storageSize, volumeSize(props.storageSize));
  v.throwIfAny();
}
