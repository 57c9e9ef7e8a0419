import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cutBatches, decodePendingBounds, type Cut, dedupToken, encodePendingBounds } from '../../../sinks/clickhouse/batches.ts';

const records = (...offsets: number[]): { offset: string }[] => offsets.map((o) => ({ offset: String(o) }));
const bounds = (cut: Cut<{ offset: string }>): string[] => {
  assert.equal(cut.incomplete, null, 'the cut is complete');
  return cut.batches.map((b) => `${b.first}-${b.last}:${b.messages.length}`);
};

describe('dedupToken', () => {
  test('is topic-partition-first-last', () => {
    assert.equal(dedupToken('loyalty.ledger.v1', 3, { first: '10', last: '19' }), 'loyalty.ledger.v1-3-10-19');
  });
});

describe('pending bounds metadata', () => {
  test('round-trips', () => {
    assert.deepEqual(decodePendingBounds(encodePendingBounds({ first: '5', last: '9' })), { first: '5', last: '9' });
  });
  for (const metadata of [null, undefined, '', 'not json', '{}', '{"loyaltySinkBatch":{"first":"9","last":"5"}}',
    '{"loyaltySinkBatch":{"first":5,"last":9}}', '{"loyaltySinkBatch":{"first":"-1","last":"9"}}']) {
    test(`${JSON.stringify(metadata)} has no bounds`, () => {
      assert.equal(decodePendingBounds(metadata), null);
    });
  }
});

describe('cutBatches', () => {
  test('without pending bounds: runs of at most maxRecords', () => {
    assert.deepEqual(bounds(cutBatches(records(0, 1, 2, 3, 4), null, '5', 2)), ['0-1:2', '2-3:2', '4-4:1']);
  });

  test('no records, no batches', () => {
    assert.deepEqual(cutBatches([], { first: '0', last: '3' }, '0'), { batches: [], incomplete: null });
  });

  test('pending bounds cut the first batch at the same offsets, even when more arrived since', () => {
    assert.deepEqual(bounds(cutBatches(records(10, 11, 12, 13, 14, 15), { first: '10', last: '12' }, '16', 50)), ['10-12:3', '13-15:3']);
  });

  test('pending bounds keep their token when records inside were compacted away', () => {
    assert.deepEqual(bounds(cutBatches(records(11, 14, 20), { first: '10', last: '15' }, '21', 50)), ['10-15:2', '20-20:1']);
  });

  test('a fetch that ends inside the pending range while the partition has more cuts nothing and returns the records so far', () => {
    assert.deepEqual(cutBatches(records(10, 11), { first: '10', last: '15' }, '30', 50), { batches: [], incomplete: records(10, 11) });
  });

  test('records gathered over several fetches give the batch of the pending bounds', () => {
    const pending = { first: '10', last: '15' };
    const first = cutBatches(records(10, 11), pending, '30', 50);
    const second = cutBatches([...(first.incomplete ?? []), ...records(12, 13)], pending, '30', 50);
    assert.deepEqual(second.incomplete, records(10, 11, 12, 13));
    // The record at 14 was compacted away and 15 aborted: the next record past the bounds completes the batch.
    assert.deepEqual(bounds(cutBatches([...(second.incomplete ?? []), ...records(16, 17)], pending, '30', 50)), ['10-15:4', '16-17:2']);
  });

  test('a fetch that ends inside the pending range at the end of the partition is the whole batch', () => {
    assert.deepEqual(bounds(cutBatches(records(10, 11), { first: '10', last: '15' }, '12', 50)), ['10-15:2']);
  });

  test('stale pending bounds (records before or after them) are ignored', () => {
    assert.deepEqual(bounds(cutBatches(records(20, 21), { first: '10', last: '15' }, '22', 50)), ['20-21:2']);
    assert.deepEqual(bounds(cutBatches(records(5, 6), { first: '10', last: '15' }, '22', 50)), ['5-6:2']);
  });

  test('offsets beyond 2^53 are compared exactly', () => {
    const big = '9007199254740993';
    assert.deepEqual(bounds(cutBatches([{ offset: big }, { offset: '9007199254740994' }], { first: big, last: big }, '9007199254740995', 50)),
      [`${big}-${big}:1`, '9007199254740994-9007199254740994:1']);
  });
});

describe('encodePendingBounds of a whole batch', () => {
  test('writes only the bounds, never the records (offset metadata is small)', () => {
    const [batch] = cutBatches(records(...Array.from({ length: 1000 }, (_, i) => i)), null, '1000', 1000).batches;
    assert.ok(batch);
    const metadata = encodePendingBounds(batch);
    assert.ok(metadata.length < 100, metadata);
    assert.deepEqual(decodePendingBounds(metadata), { first: '0', last: '999' });
  });
});
