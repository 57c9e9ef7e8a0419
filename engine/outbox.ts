// The outbox: every Kafka record of one committed batch (outputs, dead letters, changelog),
// serialized with its target partition fixed, so a re-produce after a crash sends the very same
// records to the very same partitions.

import type { IHeaders, Message } from 'kafkajs';

export interface OutboxRecord {
  topic: string;
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

interface StoredRecord {
  t: string;
  p: number;
  k: string | null;
  v: string | null;
  h: Record<string, string>;
}

export function serializeOutboxRecord(record: OutboxRecord): string {
  const stored: StoredRecord = {
    t: record.topic,
    p: record.partition,
    k: record.key === null ? null : record.key.toString('base64'),
    v: record.value === null ? null : record.value.toString('base64'),
    h: record.headers,
  };
  return JSON.stringify(stored);
}

export function parseOutboxRecord(text: string): OutboxRecord {
  const stored = JSON.parse(text) as StoredRecord;
  return {
    topic: stored.t,
    partition: stored.p,
    key: stored.k === null ? null : Buffer.from(stored.k, 'base64'),
    value: stored.v === null ? null : Buffer.from(stored.v, 'base64'),
    headers: stored.h,
  };
}

/** Groups records by topic, keeping their order, as kafkajs sendBatch wants them. */
export function toTopicMessages(records: OutboxRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    const headers: IHeaders = { ...record.headers };
    messages.push({ partition: record.partition, key: record.key, value: record.value, headers });
    byTopic.set(record.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * Bytes one send of a transaction may carry. The broker refuses a record batch (all messages of
 * one partition in one request) over `message.max.bytes` (1 MiB by default), and a backlog batch
 * of many members easily writes more changelog than that; sending in chunks keeps every request
 * under the limit while the transaction still commits them all or none.
 */
export const MAX_SEND_BYTES = 512 * 1024;

/**
 * Records one send of a transaction may carry. kafkajs groups a send's messages by partition by
 * copying the partition's array for every message (quadratic in the messages of one send): at
 * thousands of small records per send that copying cost more than encoding them.
 */
export const MAX_SEND_RECORDS = 1000;

/** Per-record overhead of the Kafka record format, roughly (lengths, offsets, timestamp, attributes). */
const RECORD_OVERHEAD = 32;

function approximateSize(record: OutboxRecord): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [name, value] of Object.entries(record.headers)) size += name.length + value.length + 8;
  return size;
}

/** Splits records, in order, into chunks of at most `maxBytes` and `maxRecords` (a larger record is a chunk of its own). */
export function chunkBySize(records: OutboxRecord[], maxBytes: number = MAX_SEND_BYTES, maxRecords: number = MAX_SEND_RECORDS): OutboxRecord[][] {
  const chunks: OutboxRecord[][] = [];
  let current: OutboxRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = approximateSize(record);
    if (current.length > 0 && (bytes + size > maxBytes || current.length >= maxRecords)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
