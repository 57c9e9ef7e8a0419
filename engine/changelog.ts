// The changelog: each batch's changed state, timers and task metadata, written to a compacted
// topic `<app>-<processor>-changelog` (partition = task partition) in the same Kafka transaction
// as the outputs. Kafka is the record; Redis is rebuilt from it when it lost the task's state.

import type { BatchResult, FieldMap, InputOffset } from './task-core.ts';
import type { OutboxRecord } from './outbox.ts';
import { parseTimerMember, parseWatermarkField, timerMember } from './keys.ts';
import type { Timer } from './types.ts';

const SEPARATOR = '\u0000';
export const META_KEY = 'm';
/** Prefix of a whole-key state record. */
const KEY_KIND = `k${SEPARATOR}`;

export function changelogTopic(appId: string, processor: string): string {
  return `${appId}-${processor}-changelog`;
}

interface ChangelogMeta {
  watermarks: Record<string, string>;
  streamTime: number;
}

/**
 * The changelog records of one batch; the meta record comes last. A changed state key is one
 * record `k\0<key>` carrying all its fields after the batch (JSON object; null when it has none
 * left), as Kafka Streams logs whole values: a compacted changelog keeps one record per key, and a
 * batch writes one record per changed key rather than one per changed field. `state` holds the
 * keys' fields after the batch (the batch's loaded and updated state).
 */
export function changelogRecords(
  topic: string,
  partition: number,
  result: Pick<BatchResult, 'stateChanges' | 'timerUpserts' | 'timerDeletes' | 'streamTime'>,
  watermarks: ReadonlyMap<string, string>,
  state: ReadonlyMap<string, FieldMap>,
): OutboxRecord[] {
  const record = (key: string, value: string | null): OutboxRecord => ({
    topic,
    partition,
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: {},
  });
  const records: OutboxRecord[] = [];
  const changedKeys = new Set<string>();
  for (const change of result.stateChanges) changedKeys.add(change.key);
  for (const key of changedKeys) {
    const fields = state.get(key);
    const value = fields === undefined || fields.size === 0 ? null : JSON.stringify(Object.fromEntries([...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    records.push(record(`${KEY_KIND}${key}`, value));
  }
  for (const timer of result.timerDeletes) records.push(record(`t${SEPARATOR}${timerMember(timer.name, timer.key)}`, null));
  for (const timer of result.timerUpserts) {
    records.push(record(`t${SEPARATOR}${timerMember(timer.name, timer.key)}`, String(timer.dueAt)));
  }
  const meta: ChangelogMeta = { watermarks: Object.fromEntries(watermarks), streamTime: result.streamTime };
  records.push(record(META_KEY, JSON.stringify(meta)));
  return records;
}

/** A task's state folded from its changelog partition. */
export class ChangelogImage {
  readonly state = new Map<string, FieldMap>();
  readonly timers = new Map<string, Timer>();
  watermarks = new Map<string, string>();
  streamTime = -1;

  apply(key: string, value: Buffer | null): void {
    if (key === META_KEY) {
      if (value === null) return;
      const meta = JSON.parse(value.toString()) as ChangelogMeta;
      this.watermarks = new Map(Object.entries(meta.watermarks));
      this.streamTime = meta.streamTime;
      return;
    }
    const kind = key.slice(0, 2);
    const rest = key.slice(2);
    if (kind === KEY_KIND) {
      if (value === null) this.state.delete(rest);
      else this.state.set(rest, new Map(Object.entries(JSON.parse(value.toString()) as Record<string, string>)));
    } else if (kind === `t${SEPARATOR}`) {
      if (value === null) this.timers.delete(rest);
      else this.timers.set(rest, { ...parseTimerMember(rest), dueAt: Number(value.toString()) });
    }
  }

  /** The watermarks as input offsets, for the commit script. */
  offsets(): InputOffset[] {
    return [...this.watermarks].map(([field, offset]) => ({ ...parseWatermarkField(field), offset }));
  }
}
