// The changelog: each batch's changed state, timers and task metadata, written to a compacted
// topic `<app>-<processor>-changelog` (partition = task partition) in the same Kafka transaction
// as the outputs. Kafka is the record; Redis is rebuilt from it when it lost the task's state.

import type { BatchResult, FieldMap, InputOffset } from './task-core.ts';
import type { OutboxRecord } from './outbox.ts';
import { parseTimerMember, parseWatermarkField, timerMember } from './keys.ts';
import type { Timer } from './types.ts';

const SEPARATOR = '\u0000';
export const META_KEY = 'm';

export function changelogTopic(appId: string, processor: string): string {
  return `${appId}-${processor}-changelog`;
}

interface ChangelogMeta {
  watermarks: Record<string, string>;
  streamTime: number;
}

/** The changelog records of one batch; the meta record comes last. */
export function changelogRecords(
  topic: string,
  partition: number,
  result: Pick<BatchResult, 'stateChanges' | 'timerUpserts' | 'timerDeletes' | 'streamTime'>,
  watermarks: ReadonlyMap<string, string>,
): OutboxRecord[] {
  const record = (key: string, value: string | null): OutboxRecord => ({
    topic,
    partition,
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: {},
  });
  const records: OutboxRecord[] = [];
  for (const change of result.stateChanges) {
    records.push(record(`s${SEPARATOR}${change.key}${SEPARATOR}${change.field}`, change.value));
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
    if (kind === `s${SEPARATOR}`) {
      const split = rest.lastIndexOf(SEPARATOR);
      const stateKey = rest.slice(0, split);
      const field = rest.slice(split + 1);
      const fields = this.state.get(stateKey) ?? new Map<string, string>();
      if (value === null) fields.delete(field);
      else fields.set(field, value.toString());
      if (fields.size === 0) this.state.delete(stateKey);
      else this.state.set(stateKey, fields);
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
