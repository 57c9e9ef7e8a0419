// The bench's baseline: a bare kafkajs consume -> produce loop doing the running sum's
// transformation without state store, outbox or transactions (decode, sum in a Map, produce;
// at-least-once). Takes the kafkajs client it runs on: stock kafkajs in a child process
// (bare-stock.ts, the baseline) or the engine's patched kafkajs in the bench's own process.

import type { Kafka } from 'kafkajs';
import type { LedgerEntry } from '../../avro/records.ts';
import type { Serde } from '../../avro/serde.ts';
import { LEDGER } from '../../test/integration/engine/running-sum.ts';

/** Messages per send, as the engine's transactions sent before its grouping fix: stock kafkajs groups a send's messages quadratically. */
const SEND_CHUNK = 1000;

export async function startBareLoop(kafka: Kafka, serde: Serde, input: string, output: string, groupId: string): Promise<() => Promise<void>> {
  const consumer = kafka.consumer({ groupId });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await serde.prepare(output, LEDGER);
  const sums = new Map<string, number>();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => {
      await serde.ensureSchemas(batch.messages.map((message) => message.value));
      const messages = batch.messages.map((message) => {
        const value = serde.decodeSync<LedgerEntry>(message.value).value;
        const sum = (sums.get(value.memberId) ?? 0) + value.availableDelta;
        sums.set(value.memberId, sum);
        return { key: value.memberId, value: serde.encodeSync(output, { ...value, entryId: `${value.entryId}:sum`, availableDelta: sum }) };
      });
      for (let i = 0; i < messages.length; i += SEND_CHUNK) await producer.send({ topic: output, messages: messages.slice(i, i + SEND_CHUNK) });
    },
  });
  return async () => {
    await consumer.disconnect();
    await producer.disconnect();
  };
}
