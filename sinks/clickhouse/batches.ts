// Deterministic batch boundaries, so a batch re-sent after a crash carries the same dedup token.
//
// A batch is a run of consecutive records of ONE partition, cut from one kafkajs fetch at most
// MAX_BATCH_RECORDS long; its token is `<topic>-<partition>-<firstOffset>-<lastOffset>`. Fetch
// sizes vary between runs (more records may have arrived by the time a crashed sink restarts), so
// the cut alone is not repeatable. Before inserting, the sink therefore writes the batch's bounds
// ahead into the consumer group: it commits the batch's first offset (the position it already
// had) with the bounds as the offset-commit metadata. After the inserts it commits last + 1 with
// no metadata. A sink that finds bounds pending on its committed offset cuts its first batch at
// exactly those bounds again, so the re-sent insert has the original token and ClickHouse drops it.
export const MAX_BATCH_RECORDS = 50_000;

/** Bounds of a batch written ahead of its insert (offsets as decimal strings). */
export interface BatchBounds {
  first: string;
  last: string;
}

export interface Batch<M> extends BatchBounds {
  messages: M[];
}

const METADATA_KEY = 'loyaltySinkBatch';

export function dedupToken(topic: string, partition: number, bounds: BatchBounds): string {
  return `${topic}-${partition}-${bounds.first}-${bounds.last}`;
}

/** The offset-commit metadata of pending bounds (only the bounds: a Batch also carries its records). */
export function encodePendingBounds(bounds: BatchBounds): string {
  return JSON.stringify({ [METADATA_KEY]: { first: bounds.first, last: bounds.last } });
}

/** The bounds in an offset-commit metadata string, or null when there are none (or it is foreign). */
export function decodePendingBounds(metadata: string | null | undefined): BatchBounds | null {
  if (!metadata) return null;
  try {
    const parsed = JSON.parse(metadata) as Record<string, unknown>;
    const bounds = parsed[METADATA_KEY] as Partial<BatchBounds> | undefined;
    if (bounds && typeof bounds.first === 'string' && typeof bounds.last === 'string'
      && /^\d+$/.test(bounds.first) && /^\d+$/.test(bounds.last) && BigInt(bounds.first) <= BigInt(bounds.last)) {
      return { first: bounds.first, last: bounds.last };
    }
  } catch {
    return null;
  }
  return null;
}

/** The batches of one fetch, and the records of a pending batch the fetch ended inside of. */
export interface Cut<M> {
  batches: Batch<M>[];
  /**
   * The records of the pending batch so far when the fetch ended inside its bounds while the
   * partition holds more: keep them, fetch on from after the last one, and cut again with these
   * records put in front of the next fetch's (no batch of this cut was written).
   */
  incomplete: M[] | null;
}

/**
 * Cuts the fetched records of one partition into batches. With pending bounds covering the first
 * record, the first batch is exactly the records within those bounds, keeping their token (records
 * missing from the range, removed by compaction or aborted, change nothing: the token is the
 * bounds'). A fetch can end inside the pending range (fetch sizes differ between runs, and the
 * broker shares one response's bytes among partitions): then nothing is cut and the records so far
 * come back as `incomplete`. Fetching again from the same offset could end at the same place
 * forever; fetching on from the last record always makes progress. The batch is complete once a
 * record at or past its last offset was seen, or the partition holds nothing more
 * (`highWatermark`).
 */
export function cutBatches<M extends { offset: string }>(
  messages: readonly M[],
  pending: BatchBounds | null,
  highWatermark: string,
  maxRecords: number = MAX_BATCH_RECORDS,
): Cut<M> {
  const batches: Batch<M>[] = [];
  let rest = messages;
  const head = messages[0];
  if (pending && head && BigInt(head.offset) >= BigInt(pending.first) && BigInt(head.offset) <= BigInt(pending.last)) {
    const last = BigInt(pending.last);
    const inRange = messages.filter((m) => BigInt(m.offset) <= last);
    const tail = inRange[inRange.length - 1];
    if (inRange.length === messages.length && tail && BigInt(tail.offset) < last && BigInt(highWatermark) > BigInt(tail.offset) + 1n) {
      return { batches: [], incomplete: inRange };
    }
    batches.push({ first: pending.first, last: pending.last, messages: inRange });
    rest = messages.slice(inRange.length);
  }
  for (let start = 0; start < rest.length; start += maxRecords) {
    const chunk = rest.slice(start, start + maxRecords);
    const first = chunk[0];
    const last = chunk[chunk.length - 1];
    if (first && last) batches.push({ first: first.offset, last: last.offset, messages: chunk });
  }
  return { batches, incomplete: null };
}
