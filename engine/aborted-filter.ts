// read_committed filtering of aborted transactions, as the Java consumer does it. kafkajs 2.2.4's
// own filter (src/consumer/filterAbortedMessages.js) activates at most one aborted transaction per
// record and expects the broker's list in firstOffset order — but the broker lists them in the
// order of their abort markers. Two transactions interleaved in one partition (two tasks writing
// the same output partition, both aborted after a crash) then leak the records of the one that
// began first but aborted second: a read_committed reader sees records that were never committed.
// Shown on a real broker by test/integration/engine/aborted-filter.test.ts.

/** A record as kafkajs decodes it (only what the filter reads). */
export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/** The key of an ABORT control record: version 0, type 0 (COMMIT is type 1). */
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

function isAbortMarker(record: FetchedRecord): boolean {
  return record.isControlRecord === true && record.key !== null && Buffer.from(record.key).equals(ABORT_MARKER_KEY);
}

/**
 * The records that did not take part in an aborted transaction (control records are kept, as
 * kafkajs's filter keeps them; kafkajs drops them afterwards). A producer's records are skipped
 * from its aborted transaction's first offset until its ABORT marker.
 */
export function filterAbortedRecords<M extends FetchedRecord>({ messages, abortedTransactions }: { messages: M[]; abortedTransactions?: AbortedTransaction[] | null }): M[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) => {
    const diff = BigInt(a.firstOffset) - BigInt(b.firstOffset);
    return diff < 0n ? -1 : diff > 0n ? 1 : 0;
  });
  const aborted = new Set<string>();
  let next = 0;
  return messages.filter((message) => {
    const offset = BigInt(message.offset);
    while (next < pending.length && BigInt(pending[next]?.firstOffset ?? 0) <= offset) {
      aborted.add(String(pending[next]?.producerId));
      next += 1;
    }
    const producerId = String(message.batchContext.producerId);
    if (isAbortMarker(message)) {
      aborted.delete(producerId);
      return true;
    }
    return !(message.batchContext.inTransaction && aborted.has(producerId));
  });
}
