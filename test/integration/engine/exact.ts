// The exactness check of the engine's real-stack tests: the running-sum processor's committed
// outputs (read_committed) and its Redis state equal an uninterrupted in-memory run — every
// record once, in order per key, nothing more.

import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Serde } from '../../../avro/serde.ts';
import type { LedgerEntry } from '../../../avro/records.ts';
import { taskKeys } from '../../../engine/keys.ts';
import { readStateValue } from '../../../engine/store/redis-store.ts';
import { readTopic } from './io.ts';
import { expectedRun, runningSum, type InputRecord } from './running-sum.ts';

export interface ExactRun {
  kafka: Kafka;
  serde: Serde;
  /** The Redis the processor keeps its state in. */
  redis: Redis;
  appId: string;
  input: string;
  output: string;
  records: InputRecord[];
  partitions: number;
  finalTick?: number;
  timeoutMs?: number;
  /** Printed when the output count is wrong (for instance committed offsets and watermarks). */
  diagnose?: () => Promise<string>;
}

/** Asserts outputs and state; returns the expected run for further checks (DLQ counts). */
export async function assertExactRun(run: ExactRun): Promise<ReturnType<typeof expectedRun>> {
  const { kafka, serde, redis, appId, input, output, records, partitions } = run;
  const expected = expectedRun(input, output, records, partitions, run.finalTick);
  const read = await readTopic(kafka, output, expected.total, run.timeoutMs ?? 240_000, 3000);
  const actual = new Map<string, LedgerEntry[]>();
  for (const { message } of read) {
    const key = message.key?.toString() ?? '';
    const list = actual.get(key) ?? [];
    list.push((await serde.decode<LedgerEntry>(message.value)).value);
    actual.set(key, list);
  }
  if (read.length !== expected.total && run.diagnose) process.stdout.write(`# progress: ${await run.diagnose()}\n`);
  assert.equal(read.length, expected.total, 'committed outputs: no gap, no duplicate');
  assert.deepEqual(actual, expected.byKey);
  const definition = runningSum(input, output);
  const partitionOf = new Map(records.map((record) => [record.key, record.partition]));
  for (const [key, partition] of partitionOf) {
    const stored = await readStateValue(redis, taskKeys(appId, definition.name, partition), key);
    assert.deepEqual(Object.fromEntries(stored.fields), expected.state.get(key) ?? {}, `Redis state of ${key}`);
    assert.deepEqual(Object.fromEntries(stored.timers), expected.timers.get(key) ?? {}, `Redis timers of ${key}`);
  }
  return expected;
}
