// One state key's whole value: its fields and its timers, as one deterministic JSON document
// `[{fields sorted by name}, {timer name: dueAt, sorted by name}]`. The same bytes are the key's
// Redis value and its changelog record, so a batch serializes each changed key once, Redis writes
// one string per key (no hash, no per-field commands) and the changelog carries one record per key
// with its timers in it (Kafka Streams logs whole values the same way).

export type FieldMap = Map<string, string>;

export interface KeyValue {
  fields: FieldMap;
  /** Timer name -> dueAt. */
  timers: Map<string, number>;
}

/** Own properties in name order (Object.fromEntries defines them, so a name like `__proto__` is kept). */
function sortedObject<V>(entries: Iterable<[string, V]>): Record<string, V> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The value of a key, or null when it has neither fields nor timers (the key is deleted). */
export function encodeKeyValue(fields: ReadonlyMap<string, string>, timers: ReadonlyMap<string, number>): Buffer | null {
  if (fields.size === 0 && timers.size === 0) return null;
  return Buffer.from(JSON.stringify([sortedObject(fields), sortedObject(timers)]));
}

/**
 * A key's fields and timers from its value; empty for a missing key. A JSON object is a key record
 * of the first changelog format (builds before whole-key values): fields only.
 */
export function decodeKeyValue(value: Buffer | string | null | undefined): KeyValue {
  if (value === null || value === undefined) return { fields: new Map(), timers: new Map() };
  const parsed = JSON.parse(value.toString()) as unknown;
  if (Array.isArray(parsed)) {
    const [fields, timers] = parsed as [Record<string, string>, Record<string, number>];
    return { fields: new Map(Object.entries(fields)), timers: new Map(Object.entries(timers)) };
  }
  return { fields: new Map(Object.entries(parsed as Record<string, string>)), timers: new Map() };
}
