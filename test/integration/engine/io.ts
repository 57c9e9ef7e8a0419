// Kafka I/O helpers of the engine tests: produce the generated input (Avro through the real
// Serde, poison bytes as they are) and read a topic read_committed from the beginning.

import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Serde } from '../../../avro/serde.ts';
import { WATERMARK_HEADER } from '../../../engine/types.ts';
import { LEDGER, type InputRecord } from './running-sum.ts';

/** Test topics keep their records whatever their timestamps (old event times must not be deleted by retention). */
export const KEEP_FOREVER = [{ name: 'retention.ms', value: '-1' }];

/** Produces the records in sends of 1000; with `transactionalId`, each send is its own committed transaction. */
export async function produceInput(kafka: Kafka, serde: Serde, topic: string, records: InputRecord[], transactionalId?: string): Promise<void> {
  await serde.prepare(topic, LEDGER);
  const producer = transactionalId === undefined
    ? kafka.producer({ idempotent: true })
    : kafka.producer({ idempotent: true, transactionalId, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 1000) {
      const messages = records.slice(i, i + 1000).map((record) => ({
        partition: record.partition,
        key: record.key,
        value: record.value === null ? Buffer.from('definitely not avro') : serde.encodeSync(topic, record.value),
      }));
      if (transactionalId === undefined) {
        await producer.send({ topic, messages });
      } else {
        const transaction = await producer.transaction();
        await transaction.send({ topic, messages });
        await transaction.commit();
      }
    }
  } finally {
    await producer.disconnect();
  }
}

export async function produceTick(kafka: Kafka, topic: string, partitions: number, time: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: partitions }, (_, partition) => ({ partition, value: null, headers: { [WATERMARK_HEADER]: String(time) } }));
  await producer.send({ topic, messages });
  await producer.disconnect();
}

export interface ReadRecord {
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads `topic` read_committed from the beginning until `count` records arrived, then keeps
 * reading for `settleMs` more so duplicates would show up; fails after `timeoutMs`.
 */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs: number, settleMs = 1500): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${Date.now()}`, readUncommitted: false });
  const records: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) records.push({ partition: batch.partition, message });
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (records.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  await consumer.disconnect();
  return records;
}
