import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { encodeRecord, groupMessagesPerPartition, type RecordInput } from '../../../engine/kafkajs-produce.ts';

// This file never loads engine/kafka.ts, so these are kafkajs's own modules, the reference.
const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: RecordInput) => Encoded;
const kafkajsGroup = require('kafkajs/src/producer/groupMessagesPerPartition.js') as typeof groupMessagesPerPartition;
const Encoder = require('kafkajs/src/protocol/encoder.js') as { new (): { writeEncoderArray(records: unknown[]): { buffer: Buffer } } };

/** A deterministic pseudo-random sequence (no wall clock, no Math.random). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function text(random: () => number, length: number): string {
  const alphabet = 'abcXYZ019-_ éü€😀';
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

function bytesOrText(random: () => number): Buffer | string | null {
  const pick = random();
  const length = Math.floor(random() * (random() < 0.1 ? 300 : 40));
  if (pick < 0.15) return null;
  if (pick < 0.55) return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
  return text(random, length);
}

describe('encodeRecord', () => {
  const deltas = [0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, 2 ** 31 - 1, -(2 ** 31), 2 ** 35 + 17, -(2 ** 40) - 3, Number.MAX_SAFE_INTEGER >> 2, 1_700_000_000_000];

  test('writes the bytes kafkajs writes, for edge deltas and random keys, values and headers', () => {
    const random = lcg(7);
    for (let i = 0; i < 3000; i += 1) {
      const headers: RecordInput['headers'] = {};
      const count = Math.floor(random() * 4);
      for (let h = 0; h < count; h += 1) {
        const value = bytesOrText(random);
        headers[text(random, 1 + Math.floor(random() * 12))] = random() < 0.2 ? [value ?? 'x', 'second'] : value ?? 'v';
      }
      const record: RecordInput = {
        offsetDelta: i < deltas.length ? Math.min(Math.abs(deltas[i] ?? 0), 2 ** 30) : Math.floor(random() * 100_000),
        timestampDelta: deltas[i % deltas.length] ?? 0,
        key: bytesOrText(random),
        value: bytesOrText(random),
        headers,
      };
      const fast = encodeRecord(record, kafkajsRecord as never) as unknown as Encoded;
      assert.deepEqual(fast.buffer, kafkajsRecord(record).buffer, `record ${i}: ${JSON.stringify(record)}`);
    }
  });

  test('defaults (no deltas, no headers) match kafkajs', () => {
    for (const record of [{ key: null, value: null }, { key: 'k', value: Buffer.from('v'), headers: {} }] as RecordInput[]) {
      assert.deepEqual((encodeRecord(record, kafkajsRecord as never) as unknown as Encoded).buffer, kafkajsRecord(record).buffer);
    }
  });

  test('its result passes kafkajs Encoder.writeEncoderArray like kafkajs records do', () => {
    const records: RecordInput[] = [{ key: 'a', value: 'b', offsetDelta: 0 }, { key: null, value: 'c', offsetDelta: 1, timestampDelta: 5 }];
    const fast = new Encoder().writeEncoderArray(records.map((record) => encodeRecord(record, kafkajsRecord as never))).buffer;
    const reference = new Encoder().writeEncoderArray(records.map(kafkajsRecord)).buffer;
    assert.deepEqual(fast, reference);
  });

  test('hands what it does not take (a delta that is not a safe integer, a null header value) to the fallback', () => {
    let handed = 0;
    const fallback = (): never => {
      handed += 1;
      return { buf: Buffer.alloc(0), offset: 0 } as never;
    };
    encodeRecord({ key: 'k', value: 'v', timestampDelta: 2 ** 60 }, fallback);
    encodeRecord({ key: 'k', value: 'v', timestampDelta: 1.5 }, fallback);
    encodeRecord({ key: 'k', value: 'v', headers: { h: null } }, fallback);
    encodeRecord({ key: 'k', value: 'v', timestampDelta: 3, headers: { h: 'x' } }, fallback);
    assert.equal(handed, 3);
  });
});

describe('groupMessagesPerPartition', () => {
  test('groups like kafkajs and calls the partitioner once per message, in order', () => {
    const random = lcg(11);
    const messages = Array.from({ length: 500 }, (_, i) => ({ id: i, partition: Math.floor(random() * 6) }));
    const calls = (): { seen: number[]; partitioner: (args: { message: { id: number; partition: number } }) => number } => {
      const seen: number[] = [];
      return { seen, partitioner: ({ message }) => (seen.push(message.id), message.partition) };
    };
    const ours = calls();
    const theirs = calls();
    const partitionMetadata = [{}, {}, {}, {}, {}, {}];
    const got = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner: ours.partitioner as never });
    const want = kafkajsGroup({ topic: 't', partitionMetadata, messages, partitioner: theirs.partitioner as never });
    assert.deepEqual(got, want);
    assert.deepEqual(Object.keys(got), Object.keys(want));
    assert.deepEqual(ours.seen, theirs.seen);
    assert.deepEqual(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: ours.partitioner as never }), {});
  });
});
