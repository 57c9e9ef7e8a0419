// Restart chaos tests of the engine on real services (issue #5): a Redis restart, a Redis FLUSHALL
// (state rebuilt from the changelog) and a Kafka broker restart, each in the middle of a run of the
// running-sum processor in a worker process (engine-worker.ts). Redis is always a private
// redis-server of the test (AOF, appendfsync always), never the machine's shared one; the broker
// restart uses a private broker, so the shared stack is not touched. Committed outputs
// (read_committed) and Redis state must equal an uninterrupted in-memory run exactly.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { Serde } from '../../avro/serde.ts';
import { changelogTopic } from '../../engine/changelog.ts';
import { taskKeys, watermarkField } from '../../engine/keys.ts';
import { dlqTopic } from '../../engine/types.ts';
import { createTopic, deleteTopics, getStack, kafkaClient, uniqueName, type TestStack } from '../integration/harness.ts';
import { assertExactRun } from '../integration/engine/exact.ts';
import { KEEP_FOREVER, produceInput, produceTick } from '../integration/engine/io.ts';
import { IDLE_MS, generateInput, type InputRecord } from '../integration/engine/running-sum.ts';
import { startPrivateBroker, startPrivateRedis, type PrivateBroker, type PrivateRedis } from './private-services.ts';
import { saveLogs, startWorker, type Worker } from './worker-process.ts';

const PARTITIONS = 2;
/** Records per test; smaller while debugging: CHAOS_RESTART_RECORDS=6000. */
const RECORDS = Number(process.env.CHAOS_RESTART_RECORDS ?? 24_000);
const MEMBERS = 300;
/** How long a stopped service stays down before it is started again. */
const DOWN_MS = 3000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const countEvents = (log: string[], event: string): number => log.filter((line) => line.includes(`"event":"${event}"`)).length;

interface Run {
  appId: string;
  input: string;
  output: string;
  records: InputRecord[];
  finalTick: number;
}

function newRun(label: string, seed: number): Run {
  const appId = uniqueName(label);
  const records = generateInput(RECORDS, MEMBERS, PARTITIONS, seed);
  const finalTick = Math.max(...records.map((record) => record.value?.occurredAt ?? 0)) + IDLE_MS + 1;
  return { appId, input: `${appId}.entries`, output: `${appId}.sums`, records, finalTick };
}

/** Records applied so far (sum of the tasks' Redis watermarks + 1), read from the processor's Redis. */
async function applied(redis: Redis, run: Run): Promise<number> {
  let total = 0;
  for (let partition = 0; partition < PARTITIONS; partition += 1) {
    const offset = await redis.hget(taskKeys(run.appId, 'running-sum', partition).meta, watermarkField(run.input, partition));
    total += offset === null ? 0 : Number(offset) + 1;
  }
  return total;
}

/** Waits until at least `count` input records are applied; returns the count seen. */
async function waitForApplied(redis: Redis, run: Run, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await applied(redis, run);
    if (seen >= count) return seen;
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${count} input records applied after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Waits until every input record and the final ticks are applied, or fails at once (with the log
 * line) when the worker's consumer crashed for good (`restart: false`) or the worker exited.
 */
async function waitForEnd(worker: Worker, redis: Redis, run: Run, timeoutMs = 180_000): Promise<void> {
  const end = run.records.length + PARTITIONS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = worker.log.find((line) => line.includes('"event":"consumer_crash"') && line.includes('"restart":false'));
    if (dead !== undefined) assert.fail(`the worker's consumer crashed and was not restarted; ${await applied(redis, run)} of ${end} input records applied: ${dead}`);
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) assert.fail(`the worker exited (${worker.child.exitCode ?? worker.child.signalCode})`);
    const seen = await applied(redis, run);
    if (seen >= end) return;
    if (Date.now() > deadline) assert.fail(`only ${seen} of ${end} input records applied after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Input ends, the group's committed offsets and the tasks' Redis watermarks, for a failed run. */
async function progress(kafka: Kafka, redis: Redis, run: Run): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(run.input);
    const [committed] = await admin.fetchOffsets({ groupId: `${run.appId}-running-sum`, topics: [run.input] });
    const rows = await Promise.all(ends.map(async (end) => ({
      partition: end.partition,
      end: end.high,
      committed: committed?.partitions.find((entry) => entry.partition === end.partition)?.offset,
      watermark: await redis.hget(taskKeys(run.appId, 'running-sum', end.partition).meta, watermarkField(run.input, end.partition)),
    })));
    return JSON.stringify(rows);
  } finally {
    await admin.disconnect();
  }
}

describe('engine restarts', () => {
  let stack: TestStack;
  let registryUrl: string;
  let serde: Serde;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    stack = await getStack();
    if (stack.registryUrl === null) throw new Error('the stack has no schema registry; the restart tests need one for Avro');
    registryUrl = stack.registryUrl;
    serde = new Serde(registryUrl);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => process.stderr.write(`# cleanup failed: ${String(error)}\n`));
  });

  /** A private redis-server for one test, removed (process and folder) at the end of the file. */
  async function privateRedis(label: string): Promise<{ server: PrivateRedis; redis: Redis }> {
    const server = await startPrivateRedis(label);
    // The test's own client rides out the restart (reconnects, queues commands while it is down).
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    cleanups.push(async () => {
      redis.disconnect();
      await server.remove();
    });
    return { server, redis };
  }

  /** Topics of a run on the stack's broker, deleted at the end of the file. */
  async function stackTopics(run: Run): Promise<void> {
    cleanups.push(() => deleteTopics([run.input, run.output, dlqTopic(run.input), changelogTopic(run.appId, 'running-sum')]));
    await createTopic(run.input, PARTITIONS, KEEP_FOREVER);
    await createTopic(run.output, PARTITIONS, KEEP_FOREVER);
  }

  function startRunWorker(run: Run, brokers: string[], redisUrl: string): Worker {
    return startWorker('test/chaos/engine-worker.ts', { appId: run.appId, input: run.input, output: run.output, brokers, redisUrl, registryUrl });
  }

  /**
   * The common shape: a worker runs over the first two thirds of the input; once a third is
   * applied, `disrupt` runs (the worker keeps running throughout); then the rest of the input and
   * the final tick, and the exact comparison. Returns the worker's log.
   */
  async function runThrough(
    label: string,
    run: Run,
    kafka: Kafka,
    brokers: string[],
    redis: Redis,
    redisUrl: string,
    disrupt: () => Promise<void>,
  ): Promise<string[]> {
    const worker = startRunWorker(run, brokers, redisUrl);
    const started = Date.now();
    try {
      await Promise.race([worker.ready, worker.exited.then(() => Promise.reject(new Error(`worker exited before ready:\n${worker.log.slice(-20).join('\n')}`)))]);
      const firstPart = Math.floor((RECORDS * 2) / 3);
      await produceInput(kafka, serde, run.input, run.records.slice(0, firstPart));
      const seen = await waitForApplied(redis, run, Math.floor(RECORDS / 3), 120_000);
      assert.ok(seen < firstPart, `the disruption lands mid-run (${seen} of ${firstPart} applied)`);
      process.stdout.write(`# ${label}: disrupting with ${seen} of ${firstPart} produced records applied (${Date.now() - started} ms)\n`);
      await disrupt();
      process.stdout.write(`# ${label}: service back (${Date.now() - started} ms)\n`);
      await produceInput(kafka, serde, run.input, run.records.slice(firstPart));
      await produceTick(kafka, run.input, PARTITIONS, run.finalTick);
      await waitForEnd(worker, redis, run);
      await assertExactRun({
        kafka, serde, redis, appId: run.appId, input: run.input, output: run.output, records: run.records, partitions: PARTITIONS,
        finalTick: run.finalTick, timeoutMs: 60_000, diagnose: () => progress(kafka, redis, run),
      });
      const exitedEarly = worker.child.exitCode !== null || worker.child.signalCode !== null;
      assert.equal(exitedEarly, false, 'the worker survived the disruption without a restart');
      process.stdout.write(
        `# ${label}: exact after ${Date.now() - started} ms; restores=${countEvents(worker.log, 'state_restored')} outbox_replays=${countEvents(worker.log, 'outbox_replayed')} ` +
          `batch_failures=${countEvents(worker.log, 'batch_failed')} task_open_failures=${countEvents(worker.log, 'task_open_failed')} ` +
          `consumer_crashes=${countEvents(worker.log, 'consumer_crash')} produce_failures=${countEvents(worker.log, 'produce_failed')}\n`,
      );
      return worker.log;
    } finally {
      worker.child.kill('SIGTERM');
      await Promise.race([worker.exited, sleep(20_000)]);
      worker.child.kill('SIGKILL');
      process.stdout.write(`# ${label}: worker log ${saveLogs(label, [worker.log])}\n`);
    }
  }

  test('a Redis restart mid-run (SIGTERM, start again on the same port and AOF) loses and duplicates nothing', { timeout: 360_000 }, async () => {
    const run = newRun('restart-redis', 31);
    await stackTopics(run);
    const { server, redis } = await privateRedis('restart-redis');
    const kafka = await kafkaClient();
    await runThrough('restart-redis', run, kafka, stack.brokers, redis, server.url, async () => {
      const before = await applied(redis, run);
      await server.stop();
      await sleep(DOWN_MS);
      await server.start();
      // Redis itself loses nothing it acknowledged (appendfsync always): no watermark goes back.
      const after = await applied(redis, run);
      assert.ok(after >= before, `the AOF kept the watermarks (${before} applied before the restart, ${after} after)`);
    });
  });

  test('a Redis FLUSHALL mid-run: every task is rebuilt from the changelog, outputs and state exact', { timeout: 360_000 }, async () => {
    const run = newRun('restart-flush', 37);
    await stackTopics(run);
    const { server, redis } = await privateRedis('restart-flush');
    const kafka = await kafkaClient();
    const log = await runThrough('restart-flush', run, kafka, stack.brokers, redis, server.url, async () => {
      assert.equal(await redis.flushall(), 'OK');
    });
    assert.ok(countEvents(log, 'state_restored') >= 1, 'a task state was rebuilt from the changelog (state_restored logged)');
  });

  // This test found two defects (2 of 5 runs on 2026-11-24): kafkajs's read_committed filter let
  // the records of an aborted transaction through when two aborted transactions interleaved in one
  // partition (fixed by engine/aborted-filter.ts), and a consumer that crashed with a non-retriable
  // error was never restarted (engine/consumer-restart.ts).
  test('a Kafka broker restart mid-run (private broker, same port and data) loses and duplicates nothing', {
    timeout: 360_000,
  }, async () => {
    const run = newRun('restart-kafka', 41);
    const broker: PrivateBroker = await startPrivateBroker('restart-kafka', (line) => process.stderr.write(`[restart-kafka] ${line}\n`));
    cleanups.push(() => broker.remove());
    const kafka = broker.client();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [run.input, run.output].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1, configEntries: KEEP_FOREVER })),
      });
    } finally {
      await admin.disconnect();
    }
    const { server, redis } = await privateRedis('restart-kafka-redis');
    await runThrough('restart-kafka', run, kafka, broker.brokers, redis, server.url, async () => {
      const began = Date.now();
      await broker.stop();
      await sleep(DOWN_MS);
      await broker.start();
      process.stdout.write(`# restart-kafka: broker down and up again in ${Date.now() - began} ms\n`);
    });
  });
});
