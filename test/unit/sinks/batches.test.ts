import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TransientError } from '../../../engine/errors.ts';
import { cutBatches, decodePendingBounds, dedupToken, encodePendingBounds } from '../../../sinks/clickhouse/batches.ts';

const records = (...offsets: number[]): { offset: string }[] => offsets.map((o) => ({ offset: String(o) }));
const bounds = (batches: { first: string; last: string; messages: { offset: string }[] }[]): string[] =>
  batches.map((b) => `${b.first}-${b.last}:${b.messages.length}`);

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
    assert.deepEqual(cutBatches([], { first: '0', last: '3' }, '0'), []);
  });

  test('pending bounds cut the first batch at the same offsets, even when more arrived since', () => {
    assert.deepEqual(bounds(cutBatches(records(10, 11, 12, 13, 14, 15), { first: '10', last: '12' }, '16', 50)), ['10-12:3', '13-15:3']);
  });

  test('pending bounds keep their token when records inside were compacted away', () => {
    assert.deepEqual(bounds(cutBatches(records(11, 14, 20), { first: '10', last: '15' }, '21', 50)), ['10-15:2', '20-20:1']);
  });

  test('a fetch that ends inside the pending range while the partition has more is fetched again', () => {
    assert.throws(() => cutBatches(records(10, 11), { first: '10', last: '15' }, '30', 50), TransientError);
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
    const [batch] = cutBatches(records(...Array.from({ length: 1000 }, (_, i) => i)), null, '1000', 1000);
    assert.ok(batch);
    const metadata = encodePendingBounds(batch);
    assert.ok(metadata.length < 100, metadata);
    assert.deepEqual(decodePendingBounds(metadata), { first: '0', last: '999' });
  });
});
