import { IMAGES } from '../core/images';
import { Construct } from 'constructs';
import { checkReplicas, checkWorkloadOptions } from '../core/check-options';
import { parseDuration } from '../core/duration';
import { Validator } from '../core/errors';
import { namespaceName, volumeSize } from '../core/rules';
import { bucketChoiceRule } from '../object-storage/bucket-name';
import { TempoProps } from './props';

/** Checks a Tempo spec before anything is emitted; every problem is reported at once. */
export function validateTempoProps(scope: Construct, props: TempoProps, bucket: string | undefined, retention: string): void {
  const v = new Validator(scope);
  v.apply('namespace', props.namespace, namespaceName(props.namespace));
  v.check(
    props.storage !== undefined,
    'storage',
    props.storage,
    'is missing; Tempo keeps its trace blocks in object storage',
    'pass an ObjectStorage such as a Minio or an S3Storage',
  );
  v.apply('bucket', bucket, bucketChoiceRule(props.bucket, bucket, `${props.name ?? 'tempo'}-traces`));
  v.check(
    (parseDuration(retention) ?? 0) >= parseDuration('1h')!,
    'retention',
    retention,
    'is not a duration of at least 1h',
    'write it in hours, e.g. "336h" for 14 days',
  );
  if (props.storageSize !== undefined) v.apply('storageSize', props.storageSize, volumeSize(props.storageSize));
  checkWorkloadOptions(v, '', props, IMAGES.tempo);
  const mode = props.mode ?? 'monolithic';
  v.check(mode === 'monolithic' || mode === 'distributed', 'mode', mode, 'is not a Tempo deployment mode', 'set "monolithic" or "distributed"');
  if (mode === 'distributed') {
    const given = [props.kafka?.broker, props.kafka?.address].filter((x) => x !== undefined).length;
    v.check(
      given === 1,
      given === 0 ? 'kafka.address' : 'kafka.broker',
      props.kafka?.address,
      given === 0
        ? 'is missing: distributed Tempo 3 writes every span through a Kafka-compatible broker and cannot start without one'
        : 'and kafka.address are both set, and Tempo takes one broker',
      given === 0
        ? 'give kafka: { broker } (a Kafka of the library, or an ExternalKafka) or kafka: { address: "<broker-host>:9092" } (Kafka, Redpanda or WarpStream), or use mode: "monolithic", which needs no broker'
        : 'keep broker (the topic is then made or checked), or address alone',
    );
    if (props.kafka?.address) {
      v.check(
        /^[A-Za-z0-9.-]+:\d{1,5}$/.test(props.kafka.address),
        'kafka.address',
        props.kafka.address,
        'is not host:port',
        'write it as "redpanda.streaming.svc.cluster.local:9092", without a scheme',
      );
    }
    for (const [key, value] of Object.entries(props.distributed ?? {})) {
      if (value !== undefined) checkReplicas(v, `distributed.${key}`, value);
    }
  } else {
    v.check(
      props.kafka === undefined,
      'kafka',
      props.kafka?.address ?? props.kafka?.broker?.bootstrapServers.join(','),
      'is set but monolithic Tempo pushes in-process and never reads it',
      'remove kafka, or set mode: "distributed"',
    );
    v.check(
      props.distributed === undefined,
      'distributed',
      '(set)',
      'sizes components that monolithic Tempo does not run',
      'remove distributed, or set mode: "distributed"',
    );
  }
  if (props.metricsGenerator) {
    v.check(
      props.metricsGenerator.remoteWrite.length > 0,
      'metricsGenerator.remoteWrite',
      '[]',
      'is empty, so span metrics and service graphs would go nowhere',
      'give a metrics store, e.g. thanos.remoteWriteTarget(), or set metricsGenerator: false',
    );
  }
  v.throwIfAny();
}
