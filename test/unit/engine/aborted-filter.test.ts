import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filterAbortedRecords, type FetchedRecord } from '../../../engine/aborted-filter.ts';

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);
const data = (offset: number, producerId: string, inTransaction = true): FetchedRecord => ({ offset: String(offset), key: null, batchContext: { producerId, inTransaction } });
const marker = (offset: number, producerId: string, key: Buffer): FetchedRecord => ({ offset: String(offset), key, isControlRecord: true, batchContext: { producerId, inTransaction: true } });
const offsets = (records: FetchedRecord[]): string[] => records.filter((r) => !r.isControlRecord).map((r) => r.offset);

describe('filterAbortedRecords', () => {
  test('no aborted transactions: everything is kept', () => {
    const records = [data(0, '1'), data(1, '2', false)];
    assert.deepEqual(filterAbortedRecords({ messages: records, abortedTransactions: [] }), records);
  });

  test('two interleaved aborted transactions listed in abort-marker order (as the broker lists them) are both dropped', () => {
    // A (producer 1) begins at 0, B (producer 2) at 2; B aborts first (marker 3), then A (marker 4); C commits.
    const records = [data(0, '1'), data(1, '1'), data(2, '2'), marker(3, '2', ABORT), marker(4, '1', ABORT), data(5, '3'), marker(6, '3', COMMIT)];
    const kept = filterAbortedRecords({ messages: records, abortedTransactions: [{ producerId: '2', firstOffset: '2' }, { producerId: '1', firstOffset: '0' }] });
    assert.deepEqual(offsets(kept), ['5']);
  });

  test('a fetch starting inside two aborted transactions drops the records of both from its first record', () => {
    const records = [data(10, '1'), data(11, '2'), marker(12, '1', ABORT), marker(13, '2', ABORT), data(14, '1')];
    const kept = filterAbortedRecords({ messages: records, abortedTransactions: [{ producerId: '1', firstOffset: '3' }, { producerId: '2', firstOffset: '5' }] });
    assert.deepEqual(offsets(kept), ['14'], 'the producer is read again after its ABORT marker');
  });

  test('a COMMIT marker of the producer does not end its aborted transaction that follows', () => {
    const records = [data(0, '1'), marker(1, '1', COMMIT), data(2, '1'), marker(3, '1', ABORT), data(4, '1'), marker(5, '1', COMMIT)];
    const kept = filterAbortedRecords({ messages: records, abortedTransactions: [{ producerId: '1', firstOffset: '2' }] });
    assert.deepEqual(offsets(kept), ['0', '4']);
  });

  test('records outside a transaction are kept even from an aborted producer id', () => {
    const records = [data(0, '1'), data(1, '1', false), marker(2, '1', ABORT)];
    assert.deepEqual(offsets(filterAbortedRecords({ messages: records, abortedTransactions: [{ producerId: '1', firstOffset: '0' }] })), ['1']);
  });
});
