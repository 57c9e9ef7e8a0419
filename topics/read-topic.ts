// Reads a topic between two positions (offsets or times, per partition through the broker's
// offset-for-timestamp lookup), read_committed, without committing anything: a throwaway consumer
// group that seeks each partition to its start and stops at the end offsets seen when it began.
import { randomBytes } from 'node:crypto';
import type { Admin, KafkaConfig, KafkaMessage } from 'kafkajs';
import { Kafka } from '../engine/kafka.ts';
import { UnreachableError, ValidationError } from '../engine/errors.ts';
import { parseRfc3339 } from '../avro/json.ts';

/** A position: the start or end of the topic, an offset in every partition, or an event time. */
export type Position = { kind: 'beginning' } | { kind: 'end' } | { kind: 'offset'; offset: number } | { kind: 'time'; millis: number };

/** `beginning`, `end`, `offset:N`, epoch millis, or an RFC 3339 date-time. */
export function parsePosition(text: string, flag: string): Position {
  if (text === 'beginning' || text === 'end') return { kind: text };
  const offset = /^offset:(\d+)$/.exec(text);
  if (offset) return { kind: 'offset', offset: Number(offset[1]) };
  if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return { kind: 'time', millis: Number(text) };
  const millis = parseRfc3339(text);
  if (millis !== null) return { kind: 'time', millis };
  throw new ValidationError(flag, 'position', `${flag}: expected an RFC 3339 date-time (2026-01-31T12:00:00Z), epoch millis, offset:N, beginning or end, got "${text}"`);
}

export interface ReadRecord { partition: number; message: KafkaMessage }

export interface ReadOptions {
  kafka: KafkaConfig;
  topic: string;
  from: Position;
  /** Exclusive end; ignored with follow. */
  to: Position;
  max?: number;
  follow: boolean;
  /** Called in offset order within a partition. */
  onRecord: (record: ReadRecord) => Promise<void> | void;
  /** Resolves when the caller wants to stop early (e.g. SIGINT). */
  stopSignal?: Promise<void>;
}

type Range = { start: number; end: number };

async function offsetsAt(admin: Admin, topic: string, position: Position, edges: Map<number, { low: number; high: number }>): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  if (position.kind === 'time') {
    for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(topic, position.millis)) {
      const edge = edges.get(partition);
      result.set(partition, Number(offset) < 0 ? edge?.high ?? 0 : Number(offset));
    }
    return result;
  }
  for (const [partition, { low, high }] of edges) {
    result.set(partition, position.kind === 'beginning' ? low : position.kind === 'end' ? high : Math.min(Math.max(position.offset, low), high));
  }
  return result;
}

async function ranges(kafka: Kafka, topic: string, from: Position, to: Position): Promise<Map<number, Range>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new UnreachableError('Kafka', (err as Error).message, err);
  }
  try {
    if (!(await admin.listTopics()).includes(topic)) throw new ValidationError('topic', 'an existing topic', `topic ${topic} does not exist`);
    const edges = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
    const starts = await offsetsAt(admin, topic, from, edges);
    const ends = await offsetsAt(admin, topic, to, edges);
    return new Map([...edges.keys()].map((p) => [p, { start: starts.get(p) ?? 0, end: ends.get(p) ?? 0 }]));
  } finally {
    await admin.disconnect();
  }
}

/** Reads the range and returns how many records were passed to onRecord. */
export async function readTopic(options: ReadOptions): Promise<number> {
  const kafka = new Kafka(options.kafka);
  const bounds = await ranges(kafka, options.topic, options.from, options.follow ? { kind: 'end' } : options.to);
  const open = new Set([...bounds].filter(([, r]) => options.follow || r.start < r.end).map(([p]) => p));
  const max = options.max ?? Infinity;
  if (open.size === 0 || max <= 0) return 0;
  const toMillis = !options.follow && options.to.kind === 'time' ? options.to.millis : Infinity;
  const fromMillis = options.from.kind === 'time' ? options.from.millis : -Infinity;
  const consumer = kafka.consumer({ groupId: `loyalty-consume-${randomBytes(6).toString('hex')}`, readUncommitted: false });
  let count = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const reached = (partition: number, offset: number): void => {
    const range = bounds.get(partition);
    if (!options.follow && range && offset + 1 >= range.end) open.delete(partition);
    if (open.size === 0 || count >= max) finish();
  };
  await consumer.connect();
  try {
    // Batches of control records (transaction markers) are never delivered as messages; this event still says how far a partition got.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => reached(payload.partition, Number(payload.lastOffset)));
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const range = bounds.get(partition);
        const offset = Number(message.offset);
        if (!range || offset < range.start || count >= max || (!options.follow && offset >= range.end)) return;
        const time = Number(message.timestamp);
        if (time >= fromMillis && time < toMillis) {
          count += 1;
          await options.onRecord({ partition, message });
        }
        reached(partition, offset);
      },
    });
    for (const [partition, range] of bounds) consumer.seek({ topic: options.topic, partition, offset: String(range.start) });
    await Promise.race([finished, ...(options.stopSignal ? [options.stopSignal] : [])]);
  } finally {
    await consumer.disconnect();
  }
  return count;
}
