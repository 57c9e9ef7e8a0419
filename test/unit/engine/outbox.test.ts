// The outbox is sent in chunks that stay under the broker's record-batch limit, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkBySize, packOutbox, unpackOutbox, type OutboxRecord } from '../../../engine/outbox.ts';

function record(i: number, valueBytes: number): OutboxRecord {
  return { topic: `t${i % 3}`, partition: i % 2, key: Buffer.from(`k${i}`), value: Buffer.alloc(valueBytes, i % 256), headers: { h: String(i) } };
}

test('chunks keep every record once, in order, each chunk within the per-partition and the per-send budget', () => {
  const records = Array.from({ length: 1000 }, (_, i) => record(i, 900 + (i % 7) * 100));
  for (const [perPartition, perSend] of [[64 * 1024, 1024 * 1024], [64 * 1024, 128 * 1024]] as const) {
    const chunks = chunkBySize(records, perPartition, perSend);
    assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
    assert.deepEqual(chunks.flat(), records);
    for (const chunk of chunks) {
      const partitions = new Map<string, number>();
      let total = 0;
      for (const r of chunk) {
        const bytes = (r.value?.length ?? 0) + (r.key?.length ?? 0);
        partitions.set(`${r.topic}/${r.partition}`, (partitions.get(`${r.topic}/${r.partition}`) ?? 0) + bytes);
        total += bytes;
      }
      for (const [target, bytes] of partitions) assert.ok(bytes <= perPartition, `${target}: ${bytes} bytes in one send`);
      assert.ok(total <= perSend, `send of ${total} bytes`);
    }
  }
  // Six partitions share the load: a send carries more than one partition's budget.
  assert.ok(chunkBySize(records, 64 * 1024, 1024 * 1024).length < chunkBySize(records, 64 * 1024, 64 * 1024).length);
});

test('a record larger than the budget travels alone; an empty outbox gives no chunk', () => {
  const records = [record(0, 10), record(1, 200_000), record(2, 10)];
  assert.deepEqual(chunkBySize(records, 1024, 1024).map((c) => c.length), [1, 1, 1]);
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
