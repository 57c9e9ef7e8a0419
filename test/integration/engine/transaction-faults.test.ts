// A transaction that fails on the client is never simply sent again. The Kafka client here is the
// real one with faults injected into its transactional producers: some commits succeed on the
// broker but report an error (as when the connection drops after EndTxn), some sends fail before
// the commit. Outputs and state must still equal an uninterrupted run exactly.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka, Producer, Transaction } from 'kafkajs';
import { kafkaClient } from '../harness.ts';
import { assertExactRun } from './exact.ts';
import { runningSumApp, startRunningSum } from './fixture.ts';
import { produceInput, produceTick } from './io.ts';
import { IDLE_MS, generateInput } from './running-sum.ts';

const PARTITIONS = 2;

interface Faults {
  transactions: number;
  /** Commits that took effect on the broker but answered with an error. */
  committedButFailed: number;
  /** Transactions that failed before their commit (aborted). */
  failedBeforeCommit: number;
}

/**
 * The same Kafka client, whose transactional producers fail: of the transactions numbered in the
 * order they begin, every 5th reports an error after its commit took effect, and every 7th (from
 * the 3rd) fails after its records were sent, before the commit.
 */
function faultyKafka(real: Kafka, faults: Faults): Kafka {
  const wrapTransaction = (transaction: Transaction, n: number): Transaction =>
    new Proxy(transaction, {
      get(target, property, receiver) {
        if (property === 'sendBatch') {
          return async (...args: Parameters<Transaction['sendBatch']>) => {
            const result = await target.sendBatch(...args);
            if (n % 7 === 3) {
              faults.failedBeforeCommit += 1;
              throw new Error('injected: connection lost before the commit');
            }
            return result;
          };
        }
        if (property === 'commit') {
          return async () => {
            await target.commit();
            if (n % 5 === 0) {
              faults.committedButFailed += 1;
              throw new Error('injected: connection lost after EndTxn took effect');
            }
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
  const wrapProducer = (producer: Producer): Producer =>
    new Proxy(producer, {
      get(target, property, receiver) {
        if (property === 'transaction') return async () => wrapTransaction(await target.transaction(), (faults.transactions += 1));
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property === 'producer') {
        return (...args: Parameters<Kafka['producer']>) => {
          const producer = target.producer(...args);
          return args[0]?.transactionalId === undefined ? producer : wrapProducer(producer);
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

describe('engine transactions that fail on the client', () => {
  const app = runningSumApp('engtx', PARTITIONS);
  const { appId, input } = app;

  test('a commit that took effect is not sent again; a failed one is sent once more', { timeout: 240_000 }, async () => {
    const records = generateInput(6000, 60, PARTITIONS, 5);
    const finalTick = Math.max(...records.map((record) => record.value?.occurredAt ?? 0)) + IDLE_MS + 1;
    const faults: Faults = { transactions: 0, committedButFailed: 0, failedBeforeCommit: 0 };
    const running = startRunningSum(app, { kafka: faultyKafka(await kafkaClient(`${appId}-engine`), faults) });
    try {
      await running.ready;
      // In slices, so the processor runs many small transactions.
      for (let i = 0; i < records.length; i += 200) await produceInput(app.kafka, app.serde, input, records.slice(i, i + 200));
      await produceTick(app.kafka, input, PARTITIONS, finalTick);
      await assertExactRun({ ...app, records, partitions: PARTITIONS, finalTick, timeoutMs: 120_000 });
      assert.ok(faults.committedButFailed >= 3, `commits that took effect but failed: ${faults.committedButFailed}`);
      assert.ok(faults.failedBeforeCommit >= 3, `transactions failed before the commit: ${faults.failedBeforeCommit}`);
      const metrics = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`)).text();
      assert.match(metrics, /loyalty_engine_outbox_replays_total\{processor="running-sum"\} [1-9]/, 'the failed transactions were produced again from the outbox');
    } finally {
      await running.stop();
    }
  });
});
