// The changelog: each batch's changed keys (fields and timers) and task metadata, written to a compacted
// topic `<app>-<processor>-changelog` (partition = task partition) in the same Kafka transaction
// as the outputs. Kafka is the record; Redis is rebuilt from it when it lost the task's state.

import type { InputOffset } from './task-core.ts';
import type { OutboxRecord } from './outbox.ts';
import { LoyaltyError } from './errors.ts';
import { parseWatermarkField } from './keys.ts';
import { decodeKeyValue, encodeKeyValue, type FieldMap } from './state-value.ts';
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

/** A state key's changelog record: its whole value (engine/state-value.ts), null when deleted. */
export interface KeyWrite {
  key: string;
  value: Buffer | null;
}

/**
 * The changelog records of one batch; the meta record comes last. A changed key is one record
 * `k\0<key>` carrying its whole value (fields and timers; null when it has neither), as Kafka
 * Streams logs whole values: a compacted changelog keeps one record per key, and a batch writes one
 * record per changed key. The value is the very buffer written to Redis.
 */
export function changelogRecords(
  topic: string,
  partition: number,
  writes: readonly KeyWrite[],
  streamTime: number,
  watermarks: ReadonlyMap<string, string>,
): OutboxRecord[] {
  const records: OutboxRecord[] = [];
  for (const write of writes) records.push({ topic, partition, key: Buffer.from(`${KEY_KIND}${write.key}`), value: write.value, headers: {} });
  const meta: ChangelogMeta = { watermarks: Object.fromEntries(watermarks), streamTime };
  records.push({ topic, partition, key: Buffer.from(META_KEY), value: Buffer.from(JSON.stringify(meta)), headers: {} });
  return records;
}

/**
 * A changelog written by builds before whole-key values carries timers as records of their own
 * (`t\0<name>\0<key>`). They cannot be folded safely together with whole-key records: the old
 * builds wrote a key's record as null when its fields were gone although it still had timers, and
 * nothing later tombstones the old timer records, so a fold would lose timers or fire them twice.
 */
export class FirstFormatChangelogError extends LoyaltyError {
  constructor(key: string) {
    super(
      'CHANGELOG_FORMAT',
      `the changelog holds a timer record of the first state format (${JSON.stringify(key)}), written by a build before whole-key state values: ` +
        'stop every instance of the processor and run `loyalty reprocess <processor> --yes` to rebuild its state from its inputs, or go back to the previous build',
    );
  }
}

/**
 * A task's state folded from its changelog partition. A key record of the first format (a JSON
 * object of fields, no timers) is read as fields only; a timer record of that format is refused
 * (FirstFormatChangelogError).
 */
export class ChangelogImage {
  readonly state = new Map<string, FieldMap>();
  /** Timers by key, then by name: dueAt. */
  readonly timers = new Map<string, Map<string, number>>();
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
      const decoded = decodeKeyValue(value);
      if (decoded.fields.size === 0) this.state.delete(rest);
      else this.state.set(rest, decoded.fields);
      if (decoded.timers.size === 0) this.timers.delete(rest);
      else this.timers.set(rest, decoded.timers);
    } else if (kind === `t${SEPARATOR}`) {
      throw new FirstFormatChangelogError(key);
    }
  }

  /** Every key with fields or timers, with its value. */
  *values(): Generator<KeyWrite> {
    for (const [key, fields] of this.state) yield { key, value: encodeKeyValue(fields, this.timers.get(key) ?? new Map()) };
    for (const [key, timers] of this.timers) {
      if (!this.state.has(key)) yield { key, value: encodeKeyValue(new Map(), timers) };
    }
  }

  /** Every timer, for the due index. */
  *timerList(): Generator<Timer> {
    for (const [key, timers] of this.timers) for (const [name, dueAt] of timers) yield { key, name, dueAt };
  }

  /** The watermarks as input offsets, for the commit script. */
  offsets(): InputOffset[] {
    return [...this.watermarks].map(([field, offset]) => ({ ...parseWatermarkField(field), offset }));
  }
}
