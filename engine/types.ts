// The processor API, in the shape of Kafka Streams' Processor API, adapted to batches over
// Redis state. The engine knows nothing of loyalty: processors are plain objects implementing
// ProcessorDefinition; the runtime (Kafka + Redis) and the in-memory TestDriver both run them.

/** One input record as the processor sees it. */
export interface SourceRecord {
  topic: string;
  partition: number;
  /** Kafka offset as a decimal string. */
  offset: string;
  key: string | null;
  /** The decoded value (plain object from Avro, writer schema), or null for a tombstone. */
  value: unknown;
  /** The original bytes, kept for the dead-letter topic. */
  raw: Buffer | null;
  headers: Record<string, string>;
  /** The Kafka record timestamp (never used for results; informational). */
  timestamp: number;
}

/** A timer on stream time. (key, name) identifies it: scheduling it again moves it. */
export interface Timer {
  key: string;
  name: string;
  dueAt: number;
}

/** The state of one key: a small hash of string fields, loaded before the batch. */
export interface KeyState {
  get(field: string): string | undefined;
  set(field: string, value: string): void;
  delete(field: string): void;
  /** All fields, in no particular order. */
  entries(): [string, string][];
}

export interface TaskInfo {
  processor: string;
  partition: number;
}

export interface ProcessorContext {
  readonly task: TaskInfo;
  /** Max event time seen by this task (records and watermarks); -1 before any. */
  streamTime(): number;
  /**
   * Advance stream time to `time` (no-op if not later) and fire, synchronously, every timer of
   * the task with dueAt <= stream time, ordered by (dueAt, name, key). Timers scheduled while
   * firing fire too if due.
   */
  advanceTo(time: number): void;
  /** The state of `key`. Its fields were preloaded (keysFor / timers); throws otherwise. */
  state(key: string): KeyState;
  /** Emit a record to a named output of the processor definition. */
  forward(output: string, key: string | null, value: unknown, headers?: Record<string, string>): void;
  /** Schedule (or move) the timer (key, name). */
  schedule(timer: Timer): void;
  cancel(key: string, name: string): void;
  /** Send the current input record to its topic's dead-letter topic with a reason code. */
  deadLetter(reason: string, message: string): void;
  /** A global table (compacted topic read fully by every instance), by table name. */
  global<V = unknown>(table: string): ReadonlyMap<string, V>;
}

export interface InputSpec {
  topic: string;
  /** Decode values as Confluent-framed Avro through the registry (default), or hand raw bytes. */
  format?: 'avro' | 'raw';
}

export interface OutputSpec {
  topic: string;
  /** Full name of the Avro record of the value (e.g. loyalty.ledger.LedgerEntry); absent = raw bytes. */
  schema?: string;
}

export interface GlobalTableSpec {
  topic: string;
  /** Highest-version-wins or last-write-wins merge of a new value into the table. */
  merge?: (previous: unknown, next: unknown) => unknown;
}

export interface ProcessorDefinition {
  /** Processor name, used in the consumer group, transactional ids, Redis keys and changelog. */
  name: string;
  /** Co-partitioned inputs (same partition count, same key). */
  inputs: InputSpec[];
  outputs: Record<string, OutputSpec>;
  globals?: Record<string, GlobalTableSpec>;
  /**
   * A cheap upper bound of the event time this record may advance stream time to, or null.
   * The engine uses it to preload the keys of timers that may fire within the batch.
   */
  eventTime(record: SourceRecord): number | null;
  /** The state keys this record reads or writes (default: [record.key]). */
  keysFor?(record: SourceRecord): string[];
  process(ctx: ProcessorContext, record: SourceRecord): void;
  onTimer(ctx: ProcessorContext, timer: Timer): void;
}

/** Header that marks a watermark record: no value, header value = stream time (epoch millis). */
export const WATERMARK_HEADER = 'x-watermark';
/** Dead-letter headers. */
export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  error: 'x-dlq-error',
  topic: 'x-dlq-source-topic',
  partition: 'x-dlq-source-partition',
  offset: 'x-dlq-source-offset',
  time: 'x-dlq-time',
} as const;
/** Reason used when process() throws on a record. */
export const PROCESSING_ERROR = 'PROCESSING_ERROR';
export const UNDECODABLE = 'UNDECODABLE';

export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}
