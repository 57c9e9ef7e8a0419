// Produces a JSONL file of plain-JSON records to a topic: every line is checked against the topic's
// value record first (so an invalid line stops the run before anything is sent), then the lines are
// encoded with the serde and sent in order with an idempotent producer, keyed per topics/keys.ts.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { KafkaConfig } from 'kafkajs';
import { Kafka, Partitioners } from '../engine/kafka.ts';
import { fromPlainJsonText } from '../avro/json.ts';
import type { Serde } from '../avro/serde.ts';
import { LoyaltyError, UnreachableError, ValidationError } from '../engine/errors.ts';
import { eventTimeOf, keyFor } from './keys.ts';

const BATCH_SIZE = 500;

export interface InvalidLine { line: number; path: string; message: string }

export interface ProduceTarget {
  /** Real topic name (prefix included). */
  topic: string;
  /** Catalog base name, which decides the key. */
  base: string;
  /** Full name of the value record. */
  record: string;
}

export interface ProduceSummary { topic: string; produced: number; skipped: number; invalid: InvalidLine[] }

interface Parsed { line: number; key: string; value: Record<string, unknown> }

async function* jsonLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() !== '') yield { line, text };
    }
  } catch (err) {
    throw new LoyaltyError('FILE_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { usage: true, cause: err });
  }
}

function parseLine(target: ProduceTarget, line: number, text: string): Parsed {
  const value = fromPlainJsonText<Record<string, unknown>>(target.record, text);
  return { line, key: keyFor(target.base, value), value };
}

async function* validLines(file: string, target: ProduceTarget, skip: Set<number>): AsyncGenerator<Parsed> {
  for await (const { line, text } of jsonLines(file)) {
    if (!skip.has(line)) yield parseLine(target, line, text);
  }
}

/** First pass: every line checked; returns the count of records and the invalid lines. */
export async function checkFile(file: string, target: ProduceTarget): Promise<{ records: number; invalid: InvalidLine[] }> {
  let records = 0;
  const invalid: InvalidLine[] = [];
  for await (const { line, text } of jsonLines(file)) {
    try {
      parseLine(target, line, text);
      records += 1;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      invalid.push({ line, path: err.path, message: err.message });
    }
  }
  return { records, invalid };
}

export interface ProduceOptions {
  kafka: KafkaConfig;
  serde: Serde;
  skipInvalid: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Checks then produces the file. An invalid line without skipInvalid throws `line N: <path>: expected …`. */
export async function produceFile(file: string, target: ProduceTarget, options: ProduceOptions): Promise<ProduceSummary> {
  const { records, invalid } = await checkFile(file, target);
  const [first] = invalid;
  if (first && !options.skipInvalid) {
    throw new ValidationError(first.path, 'a valid record', `line ${first.line}: ${first.message}${invalid.length > 1 ? ` (and ${invalid.length - 1} more invalid line(s); --skip-invalid skips them)` : ''}`);
  }
  await options.serde.prepare(target.topic, target.record);
  const producer = new Kafka(options.kafka).producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await producer.connect();
  } catch (err) {
    throw new UnreachableError('Kafka', (err as Error).message, err);
  }
  let produced = 0;
  const send = async (batch: Parsed[]): Promise<void> => {
    await producer.send({
      topic: target.topic,
      acks: -1,
      messages: batch.map((r) => {
        const time = eventTimeOf(r.value);
        return { key: r.key, value: options.serde.encodeSync(target.topic, r.value), ...(time === null ? {} : { timestamp: String(time) }) };
      }),
    });
    produced += batch.length;
    options.onProgress?.(produced, records);
  };
  try {
    let batch: Parsed[] = [];
    for await (const record of validLines(file, target, new Set(invalid.map((i) => i.line)))) {
      batch.push(record);
      if (batch.length >= BATCH_SIZE) {
        await send(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await send(batch);
  } finally {
    await producer.disconnect();
  }
  return { topic: target.topic, produced, skipped: invalid.length, invalid };
}
