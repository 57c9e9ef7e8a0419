// What a batch must load before it runs: the state keys its records touch, and the bound on
// dueAt of the timers that may fire within it. Shared by the runtime and the TestDriver so both
// preload exactly the same things.

import { WATERMARK_HEADER, type ProcessorDefinition, type SourceRecord } from './types.ts';

export function isWatermark(record: SourceRecord): boolean {
  return record.value === null && record.headers[WATERMARK_HEADER] !== undefined;
}

/** The state keys of one record: keysFor(), or its own key; none for a watermark. */
export function stateKeysFor(definition: ProcessorDefinition, record: SourceRecord): string[] {
  if (isWatermark(record)) return [];
  if (definition.keysFor) {
    try {
      return definition.keysFor(record);
    } catch {
      // Its process() gets no preloaded state, fails on state() and goes to the DLQ.
      return [];
    }
  }
  return record.key === null ? [] : [record.key];
}

/**
 * The highest stream time the batch may reach: the task's current stream time, each record's
 * eventTime() and each watermark's time. Every timer with dueAt at or below it is preloaded.
 */
export function preloadBound(definition: ProcessorDefinition, records: SourceRecord[], streamTime: number): number {
  let bound = streamTime;
  for (const record of records) {
    const time = isWatermark(record) ? Number(record.headers[WATERMARK_HEADER]) : safeEventTime(definition, record);
    if (time !== null && Number.isSafeInteger(time) && time > bound) bound = time;
  }
  return bound;
}

/** eventTime() of a record whose process() will throw may throw too; that record preloads nothing. */
function safeEventTime(definition: ProcessorDefinition, record: SourceRecord): number | null {
  try {
    return definition.eventTime(record);
  } catch {
    return null;
  }
}
