// /readyz says "ready" only once every assigned task has applied its input to the end: not while a
// backlog is applied, and also on an input written in transactions, whose partitions end with a
// commit marker that no batch carries (without the runtime's END_BATCH_PROCESS listener this test
// waits for readiness in vain). The lag measured when a task opens, before its first fetch, is
// proven on a Task opened directly (no consumer ever fetches, so nothing but the opening sets it).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { changelogTopic } from '../../../engine/changelog.ts';
import { serdeCodec } from '../../../engine/codec.ts';
import { createEngineMetrics } from '../../../engine/metrics.ts';
import { CircuitBreaker } from '../../../engine/retry.ts';
import { Task, type TaskContext } from '../../../engine/task.ts';
import { createTopic } from '../harness.ts';
import { runningSumApp, startRunningSum } from './fixture.ts';
import { KEEP_FOREVER, produceInput } from './io.ts';
import { generateInput, runningSum } from './running-sum.ts';

const PARTITIONS = 2;

interface Readiness {
  ready: boolean;
  status: number;
}

describe('engine readiness', () => {
  const app = runningSumApp('engready', PARTITIONS);

  test('503 while a backlog is applied, 200 once caught up with a transactional input', { timeout: 180_000 }, async () => {
    const records = generateInput(20_000, 500, PARTITIONS, 3).filter((record) => record.value !== null && record.value.orderId !== 'poison');
    await produceInput(app.kafka, app.serde, app.input, records, `${app.appId}-writer`);
    const running = startRunningSum(app);
    const readiness = async (): Promise<Readiness> => {
      const response = await fetch(`http://127.0.0.1:${running.httpPort}/readyz`);
      return { ready: response.status === 200, status: response.status };
    };
    try {
      await running.ready;
      const first = await readiness();
      assert.equal(first.status, 503, 'tasks that have not applied their backlog are not ready');
      const deadline = Date.now() + 120_000;
      let last = first;
      while (!last.ready && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        last = await readiness();
      }
      assert.equal(last.status, 200, 'ready once every partition is applied to its end, commit markers included');
      const admin = app.kafka.admin();
      await admin.connect();
      try {
        const [committed] = await admin.fetchOffsets({ groupId: `${app.appId}-running-sum`, topics: [app.input] });
        const ends = await admin.fetchTopicOffsets(app.input);
        for (const end of ends) {
          const offset = committed?.partitions.find((entry) => entry.partition === end.partition)?.offset;
          // Ready means applied: the last data record of each partition is committed (the marker after it is the end).
          assert.equal(BigInt(offset ?? -1), BigInt(end.high) - 1n, `partition ${end.partition} committed before the final marker`);
        }
      } finally {
        await admin.disconnect();
      }
    } finally {
      await running.stop();
    }
  });
});

describe('engine lag at task open', () => {
  const app = runningSumApp('englag', PARTITIONS);

  test('a task opened on a backlog reports it before its first fetch (lag gauge and /readyz input)', { timeout: 120_000 }, async () => {
    const records = generateInput(3_000, 100, PARTITIONS, 5).filter((record) => record.value !== null);
    await produceInput(app.kafka, app.serde, app.input, records);
    const changelog = changelogTopic(app.appId, 'running-sum');
    await createTopic(changelog, PARTITIONS, KEEP_FOREVER);
    const registry = new Registry();
    const admin = app.kafka.admin();
    await admin.connect();
    const context: TaskContext = {
      definition: runningSum(app.input, app.output),
      appId: app.appId,
      groupId: `${app.appId}-running-sum`,
      changelogTopic: changelog,
      kafka: app.kafka,
      admin,
      redis: app.redis,
      codec: serdeCodec(app.serde),
      metrics: createEngineMetrics(registry),
      logger: pino({ level: 'error' }),
      globals: new Map(),
      partitionFor: (_topic, _key, partition) => partition,
      transactionTimeoutMs: 30_000,
      kafkaBreaker: new CircuitBreaker('kafka'),
    };
    try {
      for (let partition = 0; partition < PARTITIONS; partition += 1) {
        const task = new Task(context, partition);
        await task.open();
        try {
          const backlog = records.filter((record) => record.partition === partition).length;
          assert.ok(backlog > 0);
          assert.equal(task.lag.get(app.input), backlog, `partition ${partition}: every record is behind a task that applied none`);
          const gauge = (await registry.getSingleMetric('loyalty_engine_consumer_lag')?.get())?.values.find(
            (entry) => entry.labels.partition === String(partition),
          );
          assert.equal(gauge?.value, backlog, 'the lag gauge says the same');
        } finally {
          await task.close();
        }
      }
    } finally {
      await admin.disconnect();
    }
  });
});

