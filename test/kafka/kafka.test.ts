import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ExternalKafka, Kafka, Minio, ObservabilityPlatform, Tempo, TempoProps } from '../../lib';
import { Manifest, containersOf, dataOf, get, ofKind, podSpecOf, synth, testChart } from '../support/synth';

/** A Kafka and a distributed Tempo on it, synthesized. */
function onKafka(tempo: Partial<TempoProps> = {}, replicas = 3) {
  const chart = testChart();
  const kafka = new Kafka(chart, 'kafka', { namespace: 'obs', replicas });
  new Tempo(chart, 'tempo', {
    namespace: 'obs',
    storage: new Minio(chart, 'minio', { namespace: 'obs' }),
    mode: 'distributed',
    kafka: { broker: kafka },
    metricsGenerator: false,
    ...tempo,
  });
  const manifests = synth(chart);
  return { kafka, manifests };
}

const envOf = (manifests: Manifest[]) =>
  Object.fromEntries(containersOf(podSpecOf(get(manifests, 'StatefulSet', 'kafka-broker')))[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
const topicJob = (manifests: Manifest[]) => ofKind(manifests, 'Job').find((j) => j.metadata.name.startsWith('kafka-topics-'))!;
const tempoConfig = (manifests: Manifest[]) => parse(dataOf(get(manifests, 'ConfigMap', 'tempo-config'))['tempo.yaml']);

describe('Kafka in KRaft mode', () => {
  const { manifests, kafka } = onKafka();
  const sts = get(manifests, 'StatefulSet', 'kafka-broker');
  const env = envOf(manifests);

  test('every node is a broker and a controller, its node id the ordinal the StatefulSet labels its pod with', () => {
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_NODE_ID).toEqual({ fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } });
    // The voters are the pods by their stable names, each with the id of its ordinal.
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS.split(',')).toEqual(
      [0, 1, 2].map((i) => `${i}@kafka-broker-${i}.kafka-broker-headless.obs.svc.cluster.local:9093`),
    );
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://$(POD_NAME).kafka-broker-headless.obs.svc.cluster.local:9092');
    expect(get(manifests, 'Service', 'kafka-broker-headless').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  });

  test('starts every node at once: a controller is ready only once a quorum of them runs', () => {
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(get(manifests, 'PodDisruptionBudget', 'kafka-broker').spec.maxUnavailable).toBe(1);
  });

  test('keeps three copies of every topic and refuses writes with fewer than two in sync; never makes a topic by itself', () => {
    expect(env).toMatchObject({
      KAFKA_DEFAULT_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
    const dev = envOf(onKafka({}, 1).manifests);
    expect(dev).toMatchObject({ KAFKA_DEFAULT_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '1' });
  });

  test("its log is on the node's volume; what the image writes at start goes to volumes of their own (read-only root)", () => {
    const c = containersOf(podSpecOf(sts))[0];
    const mountOf = (path: string) => c.volumeMounts.find((m: any) => m.mountPath === path)?.name;
    expect(mountOf(env.KAFKA_LOG_DIRS)).toBe(sts.spec.volumeClaimTemplates[0].metadata.name);
    expect(mountOf('/opt/kafka/config')).toBeDefined();
    expect(mountOf('/mnt/shared/config')).toBeDefined();
    expect(env.LOG_DIR.startsWith('/tmp/')).toBe(true);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('its cluster id is a KRaft id (16 bytes, base64url) and the same at every synth', () => {
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(env.CLUSTER_ID, 'base64url')).toHaveLength(16);
    expect(envOf(onKafka().manifests).CLUSTER_ID).toBe(env.CLUSTER_ID);
    expect(kafka.bootstrapServers).toEqual(['kafka-broker.obs.svc.cluster.local:9092']);
  });
});

describe('Tempo on Kafka', () => {
  test('Tempo writes to the bootstrap Service, never makes the topic itself, and the Job makes it with one partition per live-store', () => {
    const { manifests, kafka } = onKafka({ distributed: { liveStore: 4, blockBuilder: 2 } });
    expect(tempoConfig(manifests).ingest.kafka).toEqual({ address: kafka.bootstrapServers[0], topic: 'tempo-ingest', auto_create_topic_enabled: false });
    expect(kafka.topics).toEqual([expect.objectContaining({ name: 'tempo-ingest', partitions: 4 })]);
    expect(topicJob(manifests).spec.template.spec.containers[0].args[0]).toContain('ensure tempo-ingest 4 3');
  });

  test("a change of the topics is a new Job (a Job's template cannot change)", () => {
    const names = [3, 5].map((liveStore) => topicJob(onKafka({ distributed: { liveStore } }).manifests).metadata.name);
    expect(names[0]).not.toBe(names[1]);
  });

  test('the topic script creates what is missing and adds partitions to a topic that has fewer, never fewer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-topics-'));
    try {
      // A stand-in for kafka-topics.sh: topics and their partition counts in a file, each call logged.
      const state = join(dir, 'topics');
      const log = join(dir, 'calls');
      writeFileSync(state, 'tempo-ingest 2\n');
      const fake = join(dir, 'kafka-topics.sh');
      writeFileSync(
        fake,
        [
          '#!/bin/bash',
          `echo "$*" >> ${log}`,
          'args=" $* "; topic=$(echo "$args" | sed -n "s/.* --topic \\([^ ]*\\) .*/\\1/p"); parts=$(echo "$args" | sed -n "s/.* --partitions \\([0-9]*\\) .*/\\1/p")',
          `case "$args" in`,
          `  *" --list "*) exit 0 ;;`,
          `  *" --create "*) grep -q "^$topic " ${state} || echo "$topic $parts" >> ${state} ;;`,
          `  *" --describe "*) echo "Topic: $topic PartitionCount: $(grep "^$topic " ${state} | cut -d" " -f2) ReplicationFactor: 3" ;;`,
          `  *" --alter "*) sed -i "s/^$topic .*/$topic $parts/" ${state} ;;`,
          'esac',
        ].join('\n'),
      );
      chmodSync(fake, 0o755);
      const { manifests } = onKafka({ distributed: { liveStore: 4 } });
      const script = topicJob(manifests).spec.template.spec.containers[0].args[0].replace('/opt/kafka/bin/kafka-topics.sh', fake);
      const run = (text: string) => spawnSync('bash', ['-c', text], { encoding: 'utf8' });
      expect(run(script).status).toBe(0);
      expect(readFileSync(state, 'utf8')).toBe('tempo-ingest 4\n');
      // Run again, or with a smaller count: nothing shrinks.
      expect(run(script.replace('ensure tempo-ingest 4 3', 'ensure tempo-ingest 3 3')).status).toBe(0);
      expect(readFileSync(state, 'utf8')).toBe('tempo-ingest 4\n');
      expect(readFileSync(log, 'utf8').match(/--alter/g)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an external broker is checked: a missing topic, or one with too few partitions, is refused with what to create', () => {
    const build = (topics?: Record<string, { partitions: number }>) => () =>
      new Tempo(testChart(), 'tempo', {
        namespace: 'obs',
        storage: new Minio(testChart(), 'minio', { namespace: 'obs' }),
        mode: 'distributed',
        distributed: { liveStore: 3 },
        kafka: { broker: new ExternalKafka({ bootstrapServers: ['b-1.msk.example.com:9092'], topics }) },
        metricsGenerator: false,
      });
    expect(build()).toThrow(/topics\["tempo-ingest"\].*not listed.*3 partitions.*create the topic "tempo-ingest" with 3 partitions/s);
    expect(build({ 'tempo-ingest': { partitions: 2 } })).toThrow(/has 2 partitions.*needs 3 or more.*--partitions 3/s);
    expect(build({ 'tempo-ingest': { partitions: 12 } })).not.toThrow();
  });
});

describe('Kafka validation and the platform', () => {
  test('refuses an even quorum and a retention shorter than an hour', () => {
    expect(() => new Kafka(testChart(), 'kafka', { namespace: 'obs', replicas: 2 })).toThrow(/replicas = 2.*1, 3 or 5/s);
    expect(() => new Kafka(testChart(), 'kafka', { namespace: 'obs', retention: '10m' })).toThrow(/retention = "10m"/);
  });

  test('a distributed Tempo on the platform gets an in-cluster Kafka (one node in the dev profile), unless given a broker', () => {
    const nodes = (spec: ConstructorParameters<typeof ObservabilityPlatform>[2]) => {
      const platform = new ObservabilityPlatform(new App({ outdir: '/nonexistent' }), 'p', spec);
      return ofKind(platform.toJson() as Manifest[], 'StatefulSet').find((s) => s.metadata.name === 'kafka-broker')?.spec.replicas;
    };
    expect(nodes({ tempo: { mode: 'distributed' } })).toBe(3);
    expect(nodes({ profile: 'dev', tempo: { mode: 'distributed' } })).toBe(1);
    expect(nodes({ tempo: { mode: 'distributed', kafka: { address: 'kafka.example.com:9092' } } })).toBeUndefined();
    expect(nodes({})).toBeUndefined();
  });
});
