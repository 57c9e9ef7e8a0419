import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { taskKeys, type TaskKeys } from '../../../engine/keys.ts';
import { scanTaskKeys } from '../../../engine/store/redis-store.ts';
import { DLQ_HEADERS, dlqTopic } from '../../../engine/types.ts';
import { assertExactRun } from './exact.ts';
import { runningSumApp, startRunningSum } from './fixture.ts';
import { produceInput, produceTick, readTopic } from './io.ts';
import { IDLE_MS, expectedRun, generateInput, runningSum } from './running-sum.ts';

const PARTITIONS = 2;

/** Deletes every key of a task in one DEL: the task loses all its keys at once, as in a Redis restart. */
async function deleteTaskKeys(redis: Redis, keys: TaskKeys): Promise<number> {
  const found = await scanTaskKeys(redis, keys);
  return found.length === 0 ? 0 : redis.del(...found);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('engine runtime on Kafka + Redis', () => {
  const app = runningSumApp('eng', PARTITIONS);
  const { appId, input, output } = app;

  test('outputs equal an uninterrupted in-memory run, poison goes to the DLQ, a flushed task is rebuilt', { timeout: 180_000 }, async () => {
    const records = generateInput(3000, 40, PARTITIONS);
    const finalTick = Math.max(...records.map((record) => record.value?.occurredAt ?? 0)) + IDLE_MS + 1;
    const expected = expectedRun(input, output, records, PARTITIONS, finalTick);
    const definition = runningSum(input, output);
    const running = startRunningSum(app, { maxBytesPerPartition: 64 * 1024, stopOnSignals: true });
    try {
      await running.ready;
      const firstHalf = records.slice(0, 1500);
      await produceInput(app.kafka, app.serde, input, firstHalf);
      const lastOnZero = firstHalf.filter((record) => record.partition === 0).length - 1;
      const keys = taskKeys(appId, definition.name, 0);
      await waitFor('partition 0 to apply the first half', async () => Number((await app.redis.hget(keys.meta, `w:${input}:0`)) ?? -1) >= lastOnZero, 60_000);

      const flushed = await deleteTaskKeys(app.redis, keys);
      assert.ok(flushed > 3, `flushed ${flushed} keys of task 0`);

      await produceInput(app.kafka, app.serde, input, records.slice(1500));
      await produceTick(app.kafka, input, PARTITIONS, finalTick);

      await assertExactRun({ ...app, records, partitions: PARTITIONS, finalTick, timeoutMs: 90_000 });

      const letters = await readTopic(app.kafka, dlqTopic(input), expected.undecodable + expected.processingErrors, 30_000, 500);
      const reasons = letters.map(({ message }) => message.headers?.[DLQ_HEADERS.reason]?.toString()).sort();
      assert.deepEqual(reasons, [
        ...Array<string>(expected.processingErrors).fill('PROCESSING_ERROR'),
        ...Array<string>(expected.undecodable).fill('UNDECODABLE'),
      ]);
      const raw = letters.find(({ message }) => message.headers?.[DLQ_HEADERS.reason]?.toString() === 'UNDECODABLE');
      assert.equal(raw?.message.value?.toString(), 'definitely not avro');

      const metrics = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`)).text();
      assert.match(metrics, /loyalty_engine_state_restores_total\{processor="running-sum"\} [1-9]/);
      assert.match(metrics, /loyalty_engine_dead_letters_total\{processor="running-sum",reason="UNDECODABLE"\} [1-9]/);
      assert.equal((await fetch(`http://127.0.0.1:${running.httpPort}/healthz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${running.httpPort}/readyz`)).status, 200);
    } finally {
      await running.stop();
    }
  });
});

describe('engine runtime: upgrade from the earlier Redis layout', () => {
  const app = runningSumApp('englayout', PARTITIONS);

  test('state left as hashes without the layout stamp is rebuilt from the changelog at open, then exact', { timeout: 180_000 }, async () => {
    const records = generateInput(2000, 30, PARTITIONS, 11);
    const finalTick = Math.max(...records.map((record) => record.value?.occurredAt ?? 0)) + IDLE_MS + 1;
    const definition = runningSum(app.input, app.output);
    const half = records.slice(0, 1000);
    const first = startRunningSum(app);
    try {
      await first.ready;
      await produceInput(app.kafka, app.serde, app.input, half);
      for (let partition = 0; partition < PARTITIONS; partition += 1) {
        const last = half.filter((record) => record.partition === partition).length - 1;
        const keys = taskKeys(app.appId, definition.name, partition);
        await waitFor(`partition ${partition} to apply the first half`, async () => Number((await app.redis.hget(keys.meta, `w:${app.input}:${partition}`)) ?? -1) >= last, 60_000);
      }
    } finally {
      await first.stop();
    }
    // What a build of the earlier layout leaves: a hash of fields per key at `:s:`, no `v` in meta.
    let converted = 0;
    for (let partition = 0; partition < PARTITIONS; partition += 1) {
      const keys = taskKeys(app.appId, definition.name, partition);
      assert.equal(await app.redis.hget(keys.meta, 'v'), '2', 'the new build stamps its layout');
      await app.redis.hdel(keys.meta, 'v');
      for (const key of (await scanTaskKeys(app.redis, keys)).filter((name) => name.startsWith(keys.statePrefix))) {
        const [fields] = JSON.parse((await app.redis.get(key)) ?? '[{},{}]') as [Record<string, string>, Record<string, number>];
        if (Object.keys(fields).length > 0) await app.redis.hset(key.replace(/:v:/, ':s:'), fields);
        await app.redis.del(key);
        converted += 1;
      }
    }
    assert.ok(converted > 0, 'the first run left state to convert');

    const second = startRunningSum(app);
    try {
      await second.ready;
      await produceInput(app.kafka, app.serde, app.input, records.slice(1000));
      await produceTick(app.kafka, app.input, PARTITIONS, finalTick);
      await assertExactRun({ ...app, records, partitions: PARTITIONS, finalTick, timeoutMs: 90_000 });
      const metrics = await (await fetch(`http://127.0.0.1:${second.httpPort}/metrics`)).text();
      assert.match(metrics, new RegExp(`loyalty_engine_state_restores_total\\{processor="running-sum"\\} ${PARTITIONS}\\b`), 'each task rebuilt once');
    } finally {
      await second.stop();
    }
    for (let partition = 0; partition < PARTITIONS; partition += 1) {
      const keys = taskKeys(app.appId, definition.name, partition);
      const earlier = (await scanTaskKeys(app.redis, keys)).filter((name) => name.startsWith(`${keys.tag}:s:`));
      assert.deepEqual(earlier, [], 'the reset before the rebuild removed the earlier layout\'s keys');
    }
  });
});
