// Reads one partition of a task's changelog (read_committed, from an offset to its end) into a
// ChangelogImage. kafkajs has no manual assignment, so a throwaway consumer group reads it and is
// deleted afterwards.

import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { ChangelogImage } from './changelog.ts';
import { TransientError } from './errors.ts';

const RESTORE_TIMEOUT_MS = 120_000;

/**
 * Folds the changelog partition into an image; with `tail`, only about the last `tail` offsets
 * are read (enough to find the meta record of the last committed transaction of that size).
 */
export async function readChangelogPartition(kafka: Kafka, admin: Admin, topic: string, partition: number, tail?: number): Promise<ChangelogImage> {
  const image = new ChangelogImage();
  const ends = await admin.fetchTopicOffsets(topic);
  const end = ends.find((entry) => entry.partition === partition);
  if (end === undefined || BigInt(end.high) <= BigInt(end.low)) return image;
  const high = BigInt(end.high);
  const low = BigInt(end.low);
  const from = tail === undefined || high - BigInt(tail) < low ? low : high - BigInt(tail);

  const groupId = `${topic}-restore-${partition}-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  let finish: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const reached = (lastOffset: string): void => {
    if (BigInt(lastOffset) + 1n >= high) finish();
  };
  // Batches of only control records or aborted records never reach eachBatch, but still move the
  // position. A fetch that returned nothing at all (firstOffset null) says nothing about the
  // position: kafkajs reports its lastOffset as highWatermark − 1, which would end the read early,
  // for instance while a commit marker is still being written (the read_committed fetch stops at
  // the last stable offset) — and a tail read that ends early misses the last meta record.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === topic && payload.partition === partition && payload.firstOffset !== null) reached(payload.lastOffset);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  const timeout = setTimeout(() => fail(new TransientError(`restoring ${topic}[${partition}] took over ${RESTORE_TIMEOUT_MS} ms`)), RESTORE_TIMEOUT_MS);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== partition) {
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return;
        }
        try {
          for (const message of batch.messages) {
            if (BigInt(message.offset) < from) continue;
            if (BigInt(message.offset) >= high) break;
            image.apply(message.key?.toString() ?? '', message.value);
          }
        } catch (error) {
          // A record the image refuses (a changelog of another format) ends the read with its error,
          // rather than being retried by kafkajs as if the batch could succeed later.
          consumer.pause([{ topic, partitions: [partition] }]);
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      },
    });
    if (from > low) consumer.seek({ topic, partition, offset: from.toString() });
    await done;
  } finally {
    clearTimeout(timeout);
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return image;
}
