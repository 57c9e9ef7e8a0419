// Confluent framing checks that need no registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaIdOf, valueSubject } from '../../../avro/serde.ts';
import { DecodeError } from '../../../engine/errors.ts';

test('the schema id is the big-endian uint32 after the magic byte', () => {
  assert.equal(schemaIdOf(Buffer.from([0, 0, 0, 1, 2, 9])), 258);
  assert.equal(schemaIdOf(Buffer.from([0, 0xff, 0xff, 0xff, 0xff])), 2 ** 32 - 1);
});

test('unframed bytes are DecodeErrors saying why', () => {
  const cases: [Buffer | null, RegExp][] = [
    [null, /no value/],
    [Buffer.alloc(0), /0 bytes, need at least 5/],
    [Buffer.from([0, 0, 0, 1]), /4 bytes/],
    [Buffer.from([1, 0, 0, 0, 1]), /first byte is 0x01, expected 0x00/],
    [Buffer.from('{"a":1}'), /first byte is 0x7b/],
  ];
  for (const [buf, message] of cases) {
    assert.throws(() => schemaIdOf(buf), (err: unknown) => err instanceof DecodeError && err.code === 'UNDECODABLE' && message.test(err.message));
  }
});

test('value subjects follow TopicNameStrategy', () => assert.equal(valueSubject('orders.v1'), 'orders.v1-value'));
