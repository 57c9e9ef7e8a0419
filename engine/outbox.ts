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

/** First byte of a packed outbox entry (the format's version). */
const PACKED_V1 = 0x01;

/** Records per packed outbox entry (a list element of the Redis outbox). */
export const OUTBOX_RECORDS_PER_ENTRY = 1000;

/**
 * Packs records, in order, into a few binary outbox entries: a byte-level format (no base64, no
 * JSON per record) so a batch's outbox costs a handful of Redis list elements instead of one per
 * record. Entry: 0x01, u16 topic count, topics (u32 length + utf8), then per record u16 topic
 * index, i32 partition, key and value (i32 length, -1 = null, bytes), u16 header count, headers
 * (u32 length + utf8 name, u32 length + utf8 value).
 */
export function packOutbox(records: OutboxRecord[], perEntry: number = OUTBOX_RECORDS_PER_ENTRY): Buffer[] {
  const entries: Buffer[] = [];
  for (let start = 0; start < records.length; start += perEntry) entries.push(packEntry(records.slice(start, start + perEntry)));
  return entries;
}

function packEntry(records: OutboxRecord[]): Buffer {
  const topics = new Map<string, number>();
  const headerBytes: Buffer[][] = [];
  let size = 3;
  for (const record of records) {
    if (!topics.has(record.topic)) {
      topics.set(record.topic, topics.size);
      size += 4 + Buffer.byteLength(record.topic);
    }
    const headers: Buffer[] = [];
    for (const [name, value] of Object.entries(record.headers)) headers.push(Buffer.from(name), Buffer.from(value));
    headerBytes.push(headers);
    size += 2 + 4 + 4 + (record.key?.length ?? 0) + 4 + (record.value?.length ?? 0) + 2;
    for (const header of headers) size += 4 + header.length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt8(PACKED_V1, 0);
  at = out.writeUInt16BE(topics.size, at);
  for (const topic of topics.keys()) {
    at = out.writeUInt32BE(Buffer.byteLength(topic), at);
    at += out.write(topic, at);
  }
  const bytes = (value: Buffer | null): void => {
    if (value === null) {
      at = out.writeInt32BE(-1, at);
      return;
    }
    at = out.writeInt32BE(value.length, at);
    at += value.copy(out, at);
  };
  records.forEach((record, index) => {
    at = out.writeUInt16BE(topics.get(record.topic) ?? 0, at);
    at = out.writeInt32BE(record.partition, at);
    bytes(record.key);
    bytes(record.value);
    const headers = headerBytes[index] ?? [];
    at = out.writeUInt16BE(headers.length / 2, at);
    for (const header of headers) {
      at = out.writeUInt32BE(header.length, at);
      at += header.copy(out, at);
    }
  });
  return out;
}

/** The records of an outbox, in order, from its packed entries. */
export function unpackOutbox(entries: Buffer[]): OutboxRecord[] {
  const records: OutboxRecord[] = [];
  for (const entry of entries) {
    if (entry[0] !== PACKED_V1) throw new Error(`outbox entry of an unknown format (first byte ${String(entry[0])})`);
    let at = 1;
    const topicCount = entry.readUInt16BE(at);
    at += 2;
    const topics: string[] = [];
    for (let i = 0; i < topicCount; i += 1) {
      const length = entry.readUInt32BE(at);
      topics.push(entry.toString('utf8', at + 4, at + 4 + length));
      at += 4 + length;
    }
    const bytes = (): Buffer | null => {
      const length = entry.readInt32BE(at);
      at += 4;
      if (length < 0) return null;
      const value = Buffer.from(entry.subarray(at, at + length));
      at += length;
      return value;
    };
    const text = (): string => {
      const length = entry.readUInt32BE(at);
      const value = entry.toString('utf8', at + 4, at + 4 + length);
      at += 4 + length;
      return value;
    };
    while (at < entry.length) {
      const topic = topics[entry.readUInt16BE(at)] ?? '';
      const partition = entry.readInt32BE(at + 2);
      at += 6;
      const key = bytes();
      const value = bytes();
      const headerCount = entry.readUInt16BE(at);
      at += 2;
      const headers: Record<string, string> = {};
      for (let i = 0; i < headerCount; i += 1) {
        const name = text();
        headers[name] = text();
      }
      records.push({ topic, partition, key, value, headers });
    }
  }
  return records;
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
 * Bytes one send of a transaction may carry per topic-partition. The broker refuses a record batch
 * (the messages of one partition in one request) over `message.max.bytes` (1 MiB by default), and a
 * backlog batch of many members easily writes more changelog than that; sending in chunks keeps
 * every record batch under the limit while the transaction still commits them all or none.
 */
export const MAX_PARTITION_BYTES = 512 * 1024;

/**
 * Bytes one send may carry over all its partitions. Each send is a produce round trip the
 * transaction waits for, so a send carries as much as the per-partition budget allows, up to this.
 */
export const MAX_SEND_BYTES = 8 * 1024 * 1024;

/** Per-record overhead of the Kafka record format, roughly (lengths, offsets, timestamp, attributes). */
const RECORD_OVERHEAD = 32;

function approximateSize(record: OutboxRecord): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [name, value] of Object.entries(record.headers)) size += name.length + value.length + 8;
  return size;
}

/**
 * Splits records, in order, into sends: at most `maxPartitionBytes` per topic-partition and
 * `maxSendBytes` in all (a larger record is a send of its own).
 */
export function chunkBySize(records: OutboxRecord[], maxPartitionBytes: number = MAX_PARTITION_BYTES, maxSendBytes: number = MAX_SEND_BYTES): OutboxRecord[][] {
  const chunks: OutboxRecord[][] = [];
  let current: OutboxRecord[] = [];
  let perPartition = new Map<string, number>();
  let bytes = 0;
  for (const record of records) {
    const size = approximateSize(record);
    const target = `${record.topic}\u0000${record.partition}`;
    const partitionBytes = perPartition.get(target) ?? 0;
    if (current.length > 0 && (partitionBytes + size > maxPartitionBytes || bytes + size > maxSendBytes)) {
      chunks.push(current);
      current = [];
      perPartition = new Map();
      bytes = 0;
    }
    current.push(record);
    perPartition.set(target, (perPartition.get(target) ?? 0) + size);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
