// Two replacements for modules of kafkajs 2.2.4's produce path, put into Node's module cache before
// kafkajs loads (engine/kafkajs-install.ts). Both keep kafkajs's behaviour and bytes exactly; they
// only remove costs that grow with the records of a send:
// - src/protocol/recordBatch/record/v0/index.js encodes each record into a zero-filled 512-byte
//   Encoder with one small Buffer allocated per varint and 64-bit Long arithmetic per timestamp.
//   `encodeRecord` writes the same bytes into one exactly sized buffer.
// - src/producer/groupMessagesPerPartition.js copies a partition's array for each message it adds
//   (quadratic in the messages of a send). `groupMessagesPerPartition` appends.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface EncoderLike {
  buf: Buffer;
  offset: number;
}

type EncoderClass = { prototype: object };
type HeaderValue = Buffer | string | null | undefined;

export interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, HeaderValue | HeaderValue[]>;
}

/** kafkajs's own Encoder class, so the records this module builds pass its `writeEncoderArray` checks. */
const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;

function zigZag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

/** Zigzag of a safe integer as a non-negative double (exact below 2^53). */
function zigZag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function sizeOfUnsigned(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    bytes += 1;
    value = Math.floor(value / 128);
  }
  return bytes;
}

function writeUnsigned(out: Buffer, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/** A key, value or header value as kafkajs writes it: null (length -1), raw bytes or UTF-8 text. */
function bytesOf(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
}

const NULL_LENGTH = zigZag32(-1);

function sizeOfBytes(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfUnsigned(zigZag32(bytes.length)) + bytes.length;
}

function writeBytes(out: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return writeUnsigned(out, at, NULL_LENGTH);
  at = writeUnsigned(out, at, zigZag32(bytes.length));
  return at + bytes.copy(out, at);
}

/**
 * Record v0 (Length varint, Attributes int8, TimestampDelta varlong, OffsetDelta varint, Key, Value,
 * Headers [varint string key, varint bytes value]) in one buffer, as an object kafkajs's Encoder
 * accepts. `fallback` (kafkajs's own encoder) takes what this one does not handle: a delta that is
 * not a safe integer (a Long, say), and a null header value (which kafkajs refuses).
 */
export function encodeRecord(record: RecordInput, fallback: (record: RecordInput) => EncoderLike): EncoderLike {
  const offsetDelta = record.offsetDelta ?? 0;
  const timestampDelta = record.timestampDelta ?? 0;
  if (!Number.isSafeInteger(timestampDelta) || !Number.isInteger(offsetDelta) || Math.abs(offsetDelta) > 0x3fffffff) {
    return fallback(record);
  }
  const key = bytesOf(record.key);
  const value = bytesOf(record.value);
  const headers: Buffer[] = [];
  const source = record.headers ?? {};
  for (const name of Object.keys(source)) {
    const entry = source[name];
    for (const item of Array.isArray(entry) ? entry : [entry]) {
      if (item === null || item === undefined) return fallback(record);
      headers.push(Buffer.from(name, 'utf8'), bytesOf(item) ?? Buffer.alloc(0));
    }
  }
  const timestamp = zigZag64(timestampDelta);
  const offset = zigZag32(offsetDelta);
  const headerCount = zigZag32(headers.length / 2);
  let body = 1 + sizeOfUnsigned(timestamp) + sizeOfUnsigned(offset) + sizeOfBytes(key) + sizeOfBytes(value) + sizeOfUnsigned(headerCount);
  for (const header of headers) body += sizeOfBytes(header);
  const length = zigZag32(body);
  const out = Buffer.allocUnsafe(sizeOfUnsigned(length) + body);
  let at = writeUnsigned(out, 0, length);
  out[at++] = 0;
  at = writeUnsigned(out, at, timestamp);
  at = writeUnsigned(out, at, offset);
  at = writeBytes(out, at, key);
  at = writeBytes(out, at, value);
  at = writeUnsigned(out, at, headerCount);
  for (const header of headers) at = writeBytes(out, at, header);
  const encoder = Object.create(Encoder.prototype) as EncoderLike;
  encoder.buf = out;
  encoder.offset = at;
  return encoder;
}

interface GroupInput<M> {
  topic: string;
  partitionMetadata: unknown[];
  messages: M[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: M }) => number;
}

/** The messages of a send by partition, in send order; the partitioner is called once per message, in order. */
export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: GroupInput<M>): Record<number, M[]> {
  if (partitionMetadata.length === 0) return {};
  const result: Record<number, M[]> = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition];
    if (current === undefined) result[partition] = [message];
    else current.push(message);
  }
  return result;
}
