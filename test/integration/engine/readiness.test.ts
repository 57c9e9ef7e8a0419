// /readyz says "ready" only once every assigned task has applied its input to the end: not while a
// backlog is applied, and also on an input written in transactions, whose partitions end with a
// commit marker that no batch carries (without the runtime's END_BATCH_PROCESS listener this test
// waits for readiness in vain). The lag measured when a task opens (before its first fetch) covers
// a window this test cannot hold open; it is not proven here.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runningSumApp, startRunningSum } from './fixture.ts';
import { produceInput } from './io.ts';
import { generateInput } from './running-sum.ts';

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
