// The stateful test processor of the engine's integration and chaos tests: a running sum of
// LedgerEntry.availableDelta per member, with an idle timer that reports and resets the sum.
// Also the deterministic input generator and the expected outputs from an uninterrupted
// in-memory TestDriver run, the reference every real run must equal exactly.

import type { LedgerEntry } from '../../../avro/records.ts';
import { TestDriver } from '../../../engine/test-driver.ts';
import type { ProcessorDefinition } from '../../../engine/types.ts';

export const LEDGER = 'loyalty.ledger.LedgerEntry';
export const IDLE_MS = 5_000;
/** orderId that makes process() throw (a processor bug on one record). */
export const POISON_ORDER = 'poison';

export function runningSum(input: string, output: string): ProcessorDefinition {
  return {
    name: 'running-sum',
    inputs: [{ topic: input }],
    outputs: { sums: { topic: output, schema: LEDGER } },
    eventTime: (record) => (record.value as LedgerEntry).occurredAt,
    process(ctx, record) {
      const entry = record.value as LedgerEntry;
      ctx.advanceTo(entry.occurredAt);
      const state = ctx.state(entry.memberId);
      const sum = Number(state.get('sum') ?? '0') + entry.availableDelta;
      state.set('sum', String(sum));
      state.set('count', String(Number(state.get('count') ?? '0') + 1));
      if (entry.orderId === POISON_ORDER) throw new Error(`poison order in ${entry.entryId}`);
      ctx.forward('sums', entry.memberId, { ...entry, entryId: `${entry.entryId}:sum`, availableDelta: sum });
      ctx.schedule({ key: entry.memberId, name: 'idle', dueAt: entry.occurredAt + IDLE_MS });
    },
    onTimer(ctx, timer) {
      const state = ctx.state(timer.key);
      const summary: LedgerEntry = {
        entryId: `${timer.key}:idle:${timer.dueAt}`,
        memberId: timer.key,
        kind: 'EXPIRE',
        orderId: null,
        campaignId: null,
        pendingDelta: Number(state.get('count') ?? '0'),
        availableDelta: Number(state.get('sum') ?? '0'),
        heldDelta: 0,
        occurredAt: timer.dueAt,
        programVersion: 1,
      };
      ctx.forward('sums', timer.key, summary);
      state.delete('sum');
      state.delete('count');
    },
  };
}

export interface InputRecord {
  partition: number;
  key: string;
  /** null: raw poison bytes that are not Avro at all. */
  value: LedgerEntry | null;
}

/** A small deterministic PRNG (mulberry32), so every run generates the same stream. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` entries over `members` members and `partitions` partitions; every 997th is poison. */
export function generateInput(count: number, members: number, partitions: number, seed = 7): InputRecord[] {
  const random = prng(seed);
  const records: InputRecord[] = [];
  let time = 1_700_000_000_000;
  for (let i = 0; i < count; i += 1) {
    const member = Math.floor(random() * members);
    const key = `member-${member}`;
    time += Math.floor(random() * 400);
    // Some records are late (older than stream time) to exercise late handling.
    const occurredAt = i % 50 === 49 ? time - 3000 : time;
    const partition = member % partitions;
    if (i % 997 === 500) {
      records.push({ partition, key, value: null });
      continue;
    }
    records.push({
      partition,
      key,
      value: {
        entryId: `e-${i}`,
        memberId: key,
        kind: 'EARN',
        orderId: i % 997 === 800 ? POISON_ORDER : `o-${i}`,
        campaignId: null,
        pendingDelta: 0,
        availableDelta: Math.floor(random() * 200) - 50,
        heldDelta: 0,
        occurredAt,
        programVersion: 1,
      },
    });
  }
  return records;
}

export interface Expected {
  /** Outputs per member key, in emission order. */
  byKey: Map<string, LedgerEntry[]>;
  total: number;
  processingErrors: number;
  undecodable: number;
  /** Final state per member key. */
  state: Map<string, Record<string, string>>;
  /** Final timers per member key: name -> dueAt. */
  timers: Map<string, Record<string, number>>;
}

/** What an uninterrupted in-memory run produces (watermark ticks at the end of each partition). */
export function expectedRun(input: string, output: string, records: InputRecord[], partitions: number, finalTick?: number): Expected {
  const byKey = new Map<string, LedgerEntry[]>();
  const state = new Map<string, Record<string, string>>();
  const timers = new Map<string, Record<string, number>>();
  let total = 0;
  let processingErrors = 0;
  let undecodable = 0;
  for (let partition = 0; partition < partitions; partition += 1) {
    const driver = new TestDriver(runningSum(input, output), { partition });
    for (const record of records) {
      if (record.partition !== partition) continue;
      if (record.value === null) undecodable += 1;
      else driver.pipe(input, record.key, record.value);
    }
    if (finalTick !== undefined) driver.tick(finalTick);
    for (const out of driver.outputs('sums')) {
      const list = byKey.get(out.key ?? '') ?? [];
      list.push(out.value as LedgerEntry);
      byKey.set(out.key ?? '', list);
      total += 1;
    }
    processingErrors += driver.deadLetters().length;
    for (const record of records) {
      if (record.partition !== partition) continue;
      const fields = driver.state(record.key);
      if (fields) state.set(record.key, fields);
    }
    for (const timer of driver.timers()) timers.set(timer.key, { ...timers.get(timer.key), [timer.name]: timer.dueAt });
  }
  return { byKey, total, processingErrors, undecodable, state, timers };
}
