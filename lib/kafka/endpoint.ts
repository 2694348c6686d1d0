import { Validator } from '../core/errors';

/** A topic a component needs, with the partitions it must have. */
export interface KafkaTopicRequest {
  readonly name: string;
  /** At least this many partitions (Tempo: one per live-store). */
  readonly partitions: number;
  /** Who needs it and why, for messages, e.g. `tempo: one partition per live-store (3)`. */
  readonly reason: string;
  /** The construct path of the component that asks, and the property that names the broker there, for messages. @default the broker's own */
  readonly askedBy?: { readonly path: string; readonly property: string };
}

/**
 * A Kafka-compatible broker the components write through: the in-cluster {@link Kafka}, or
 * {@link ExternalKafka} (Kafka, MSK, Redpanda, WarpStream). Components ask it for their topics,
 * so the broker either creates them or checks that they exist as needed.
 */
export interface KafkaEndpoint {
  /** What it is, for messages: `kafka` (in the cluster) or `external`. */
  readonly kind: string;
  /** `host:port` of each bootstrap server. */
  readonly bootstrapServers: readonly string[];
  /** Asks for a topic; a broker that cannot have it as asked refuses at synth. */
  requireTopic(topic: KafkaTopicRequest): void;
  /** Every topic asked for so far. */
  readonly topics: readonly KafkaTopicRequest[];
}

/** A topic that exists on an external broker, by name. */
export interface ExternalKafkaTopic {
  /** Its partition count. */
  readonly partitions: number;
}

/** Props of {@link ExternalKafka}. */
export interface ExternalKafkaProps {
  /** `host:port` of one or more brokers, e.g. `b-1.msk.eu-west-1.amazonaws.com:9092`. */
  readonly bootstrapServers: readonly string[];
  /**
   * The topics that exist there, by name: a component asking for a topic not listed here, or
   * with more partitions than it has, is refused at synth with the topic to create.
   * @default none listed: every topic a component asks for is refused, naming what to create
   */
  readonly topics?: Readonly<Record<string, ExternalKafkaTopic>>;
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/** A broker outside the output: nothing is created, every topic a component needs is checked. */
export class ExternalKafka implements KafkaEndpoint {
  readonly kind = 'external';
  readonly bootstrapServers: readonly string[];
  private readonly existing: Readonly<Record<string, ExternalKafkaTopic>>;
  private readonly asked: KafkaTopicRequest[] = [];

  constructor(props: ExternalKafkaProps) {
    const v = new Validator('ExternalKafka');
    v.check(props.bootstrapServers.length > 0, 'bootstrapServers', props.bootstrapServers, 'is empty', 'give at least one "host:port"');
    props.bootstrapServers.forEach((s, i) =>
      v.check(HOST_PORT.test(s), `bootstrapServers[${i}]`, s, 'is not host:port', 'write it as "kafka.example.com:9092"'),
    );
    v.throwIfAny();
    this.bootstrapServers = [...props.bootstrapServers];
    this.existing = props.topics ?? {};
  }

  get topics(): readonly KafkaTopicRequest[] {
    return [...this.asked];
  }

  requireTopic(topic: KafkaTopicRequest): void {
    const have = this.existing[topic.name];
    const v = new Validator(topic.askedBy?.path ?? 'ExternalKafka');
    v.check(
      have !== undefined && have.partitions >= topic.partitions,
      `${topic.askedBy ? `${topic.askedBy.property}.` : ''}topics["${topic.name}"]`,
      have?.partitions,
      have === undefined
        ? `is not listed, and ${topic.reason} needs it with ${topic.partitions} partitions or more`
        : `has ${have.partitions} partitions, and ${topic.reason} needs ${topic.partitions} or more`,
      have === undefined
        ? `create the topic "${topic.name}" with ${topic.partitions} partitions on the broker, then list it in topics`
        : `add partitions to "${topic.name}" (kafka-topics.sh --alter --partitions ${topic.partitions}), then update topics`,
    );
    v.throwIfAny();
    this.asked.push(topic);
  }
}
