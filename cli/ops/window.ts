// Bounded reads of a topic for replay and dlq: positions are resolved to offsets per partition
// (times through ListOffsets by timestamp), then a throwaway consumer seeks to each start offset,
// reads up to the end offset (exclusive) and stops. It never commits offsets, and its group is
// deleted afterwards. Transaction markers and aborted records count as progress, so a
// transactional topic ends cleanly.
import { randomBytes } from 'node:crypto';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { LoyaltyError } from '../../engine/errors.ts';
import { asKafkaError, partitionsOf } from './connect.ts';
import type { Position } from './position.ts';

export interface PartitionRange {
  partition: number;
  /** First offset to read. */
  start: bigint;
  /** First offset not to read. */
  end: bigint;
}

export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface WindowSpec {
  topic: string;
  from: Position;
  to: Position;
  /** Only this partition (default: all). */
  partition?: number;
}

async function offsetsAt(admin: Admin, topic: string, position: Position): Promise<Map<number, bigint>> {
  if (position.kind === 'time') {
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, position.time);
    return new Map(found.map((o) => [o.partition, BigInt(o.offset)]));
  }
  const bounds = await admin.fetchTopicOffsets(topic);
  return new Map(bounds.map((o) => {
    const low = BigInt(o.low);
    const high = BigInt(o.high);
    if (position.kind === 'earliest') return [o.partition, low];
    if (position.kind === 'latest') return [o.partition, high];
    const clamped = position.offset < low ? low : position.offset > high ? high : position.offset;
    return [o.partition, clamped];
  }));
}

/** The offset range of the window on each partition (empty ranges included, start = end). */
export async function resolveWindow(admin: Admin, spec: WindowSpec): Promise<PartitionRange[]> {
  const partitions = await partitionsOf(admin, spec.topic);
  if (spec.partition !== undefined && !partitions.includes(spec.partition)) {
    throw new LoyaltyError('UNKNOWN_PARTITION', `topic ${spec.topic} has no partition ${spec.partition} (it has ${partitions.length})`, { usage: true });
  }
  const starts = await offsetsAt(admin, spec.topic, spec.from);
  const ends = await offsetsAt(admin, spec.topic, spec.to);
  return partitions
    .filter((p) => spec.partition === undefined || p === spec.partition)
    .map((partition) => {
      const start = starts.get(partition) ?? 0n;
      const end = ends.get(partition) ?? 0n;
      return { partition, start, end: end < start ? start : end };
    });
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export interface ReadOptions {
  /** Give up when no progress is made for this long (default 30 s). */
  stallTimeoutMs?: number;
}

/**
 * Calls `onRecord` for every record of the ranges, partition by partition in offset order.
 * Returning false from `onRecord` stops the whole read early.
 */
export async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: PartitionRange[],
  onRecord: (record: RawRecord) => Promise<boolean | void>,
  options: ReadOptions = {},
): Promise<void> {
  const pending = new Map(ranges.filter((r) => r.end > r.start).map((r) => [r.partition, r]));
  const nextOffset = new Map<number, bigint>();
  if (pending.size === 0) return;
  const groupId = `loyalty-cli-read-${randomBytes(6).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  const stallMs = options.stallTimeoutMs ?? 30_000;
  let stopped = false;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let stallTimer = setTimeout(stalled, stallMs);
      function stalled(): void {
        reject(new LoyaltyError('READ_STALLED', `reading ${topic} made no progress for ${stallMs / 1000} s (partitions ${[...pending.keys()].join(', ')} not finished)`, { canRetry: true }));
      }
      const progressed = (): void => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(stalled, stallMs);
      };
      const finish = (partition: number): void => {
        if (!pending.delete(partition)) return;
        consumer.pause([{ topic, partitions: [partition] }]);
        if (pending.size === 0) {
          clearTimeout(stallTimer);
          stopped = true;
          resolve();
        }
      };
      // Batches made only of transaction markers never reach eachBatch; their end still counts.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const range = pending.get(payload.partition);
        if (range && BigInt(payload.lastOffset) + 1n >= range.end) finish(payload.partition);
      });
      // A rebalance resets positions to the (absent) committed offsets: seek again, pause the rest.
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const range of pending.values()) consumer.seek({ topic, partition: range.partition, offset: range.start.toString() });
        const idle = (payload.memberAssignment[topic] ?? []).filter((p) => !pending.has(p));
        if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
      });
      // Batches are auto-resolved so the position moves on (nothing is committed: autoCommit is off).
      consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = pending.get(batch.partition);
          if (!range || stopped) return;
          progressed();
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            // A batch fetched again after a rebalance must not deliver a record twice.
            if (offset < (nextOffset.get(batch.partition) ?? range.start)) continue;
            if (offset >= range.end) break;
            nextOffset.set(batch.partition, offset + 1n);
            const keepGoing = await onRecord({
              topic,
              partition: batch.partition,
              offset: message.offset,
              timestamp: Number(message.timestamp),
              key: message.key,
              value: message.value,
              headers: headersOf(message.headers),
            });
            if (keepGoing === false) {
              stopped = true;
              clearTimeout(stallTimer);
              resolve();
              return;
            }
          }
        },
      }).catch((err: unknown) => {
        clearTimeout(stallTimer);
        reject(asKafkaError(err));
      });
      for (const range of pending.values()) consumer.seek({ topic, partition: range.partition, offset: range.start.toString() });
    });
  } catch (err) {
    throw asKafkaError(err);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect().then(() => admin.deleteGroups([groupId])).catch(() => undefined).finally(() => admin.disconnect());
  }
}
