// The registry's durable log: a compacted, single-partition Kafka topic (`_schemas` by default),
// keyed like Confluent's so the latest record of a key is its state. Written before the in-memory
// state changes; replayed from the beginning on start so ids and versions survive restarts.
import { randomBytes } from 'node:crypto';
import type { KafkaConfig, Producer } from 'kafkajs';
import { Kafka, Partitioners } from '../../engine/kafka.ts';
import { TransientError, UnreachableError } from '../../engine/errors.ts';
import type { LogKey, LogRecord } from './state.ts';

const REPLAY_TIMEOUT_MS = 60_000;

export class SchemaLog {
  private constructor(private readonly kafka: Kafka, private readonly topic: string, private readonly producer: Producer) {}

  /** Connects, creating the topic (compacted, 1 partition) when it does not exist. */
  static async open(kafkaConfig: KafkaConfig, topic: string): Promise<SchemaLog> {
    const kafka = new Kafka(kafkaConfig);
    const admin = kafka.admin();
    try {
      await admin.connect();
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        });
      }
    } catch (err) {
      throw new UnreachableError('Kafka', `cannot prepare the schema log topic ${topic}: ${(err as Error).message}`, err);
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return new SchemaLog(kafka, topic, producer);
  }

  /** Reads the topic from the beginning up to its current end, in order. Returns the records read. */
  async replay(apply: (record: LogRecord) => void): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(this.topic).finally(() => admin.disconnect());
    const ends = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]));
    if (ends.size === 0) return 0;
    // A throwaway group that never commits: the registry always reads the whole log.
    const consumer = this.kafka.consumer({ groupId: `schema-registry-replay-${randomBytes(6).toString('hex')}` });
    let count = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TransientError(`replay of ${this.topic} did not reach its end within ${REPLAY_TIMEOUT_MS / 1000} s`)), REPLAY_TIMEOUT_MS);
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || Number(message.offset) >= end) return;
            if (message.key) {
              apply({ key: JSON.parse(message.key.toString()) as LogKey, value: message.value ? JSON.parse(message.value.toString()) as LogRecord['value'] : null });
              count += 1;
            }
            if (Number(message.offset) + 1 >= end) ends.delete(partition);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        }).catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return count;
  }

  /** Appends records and waits until the broker has them (acks from all in-sync replicas). */
  async append(records: LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: records.map((r) => ({ key: JSON.stringify(r.key), value: r.value === null ? null : JSON.stringify(r.value) })),
      });
    } catch (err) {
      throw new UnreachableError('Kafka', `cannot write to the schema log ${this.topic}: ${(err as Error).message}`, err);
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
