// The outbox is sent in chunks that stay under the broker's record-batch limit, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkBySize, packOutbox, unpackOutbox, type OutboxRecord } from '../../../engine/outbox.ts';

function record(i: number, valueBytes: number): OutboxRecord {
  return { topic: `t${i % 3}`, partition: i % 2, key: Buffer.from(`k${i}`), value: Buffer.alloc(valueBytes, i % 256), headers: { h: String(i) } };
}

test('chunks keep every record once, in order, each chunk within the byte budget', () => {
  const records = Array.from({ length: 1000 }, (_, i) => record(i, 900 + (i % 7) * 100));
  const chunks = chunkBySize(records, 64 * 1024);
  assert.ok(chunks.length > 10, `${chunks.length} chunks`);
  assert.deepEqual(chunks.flat(), records);
  for (const chunk of chunks) {
    const bytes = chunk.reduce((sum, r) => sum + (r.value?.length ?? 0) + (r.key?.length ?? 0), 0);
    assert.ok(bytes <= 64 * 1024, `chunk of ${bytes} bytes`);
  }
});

test('a record larger than the budget travels alone; an empty outbox gives no chunk', () => {
  const records = [record(0, 10), record(1, 200_000), record(2, 10)];
  assert.deepEqual(chunkBySize(records, 1024).map((c) => c.length), [1, 1, 1]);
  assert.deepEqual(chunkBySize([], 1024), []);
});

test('packed outbox entries give back every record in order: bytes, nulls, headers, several topics', () => {
  const records = Array.from({ length: 7 }, (_, i): OutboxRecord => ({
    topic: i % 3 === 0 ? 'app-p-changelog' : `out.é${i % 2}`,
    partition: i % 4,
    key: i === 2 ? null : Buffer.from([0, 255, i]),
    value: i === 4 ? null : Buffer.from(`value ${i}`),
    headers: i === 5 ? { 'x-dlq-reason': 'UNDECODABLE', 'x-dlq-error': 'bad ✓' } : {},
  }));
  const entries = packOutbox(records, 3);
  assert.equal(entries.length, 3);
  assert.deepEqual(unpackOutbox(entries), records);
  assert.throws(() => unpackOutbox([Buffer.from('{"t":"x"}')]), /unknown format/);
  assert.deepEqual(unpackOutbox(packOutbox([])), []);
});
