// Every Redis key of the engine is built here. All keys of one task share the hash tag
// `{<app>:<processor>:<partition>}` so the per-batch commit script stays in one Redis Cluster slot.

export interface TaskKeys {
  /** The hash tag, also the prefix of every key of the task (for SCAN MATCH). */
  tag: string;
  /** INCR'd by each new owner; the commit scripts refuse a stale epoch. */
  fence: string;
  /** Hash: `st` = stream time, `v` = state layout, `w:<topic>:<partition>` = last applied offset. */
  meta: string;
  /** Sorted set of timers scored by dueAt, member = name + "\u0000" + key: the due index of the timers the state values hold. */
  timers: string;
  /** List of the serialized records of the last committed batch not yet confirmed in Kafka. */
  outbox: string;
  /** Prefix of the state values: state key k's whole value (engine/state-value.ts) lives at `${statePrefix}${k}`. */
  statePrefix: string;
}

/** Between a task's hash tag and a state key's name: `${tag}${STATE_INFIX}${key}`. */
export const STATE_INFIX = ':v:';

export function taskKeys(appId: string, processor: string, partition: number): TaskKeys {
  const tag = `{${appId}:${processor}:${partition}}`;
  return {
    tag,
    fence: `${tag}:fence`,
    meta: `${tag}:meta`,
    timers: `${tag}:timers`,
    outbox: `${tag}:outbox`,
    statePrefix: `${tag}${STATE_INFIX}`,
  };
}

export function stateKey(keys: TaskKeys, key: string): string {
  return `${keys.statePrefix}${key}`;
}

/** SCAN MATCH pattern for every key of a task (glob metacharacters in the tag are escaped). */
export function taskKeyPattern(keys: TaskKeys): string {
  return `${keys.tag.replace(/[*?[\]\\]/g, (char) => `\\${char}`)}*`;
}

export const STREAM_TIME_FIELD = 'st';
/** Meta field naming the layout of the task's state in Redis. */
export const LAYOUT_FIELD = 'v';
/** Whole-key string values at `v:` (layout 1, before it, kept hashes of fields at `s:` and timers apart). */
export const STATE_LAYOUT = '2';

export function watermarkField(topic: string, partition: number): string {
  return `w:${topic}:${partition}`;
}

export function parseWatermarkField(field: string): { topic: string; partition: number } {
  const separator = field.lastIndexOf(':');
  return { topic: field.slice(2, separator), partition: Number(field.slice(separator + 1)) };
}

export function timerMember(name: string, key: string): string {
  return `${name}\u0000${key}`;
}

export function parseTimerMember(member: string): { name: string; key: string } {
  const separator = member.indexOf('\u0000');
  return { name: member.slice(0, separator), key: member.slice(separator + 1) };
}
