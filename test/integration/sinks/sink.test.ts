// The sink on the real stack: records produced to prefixed topics end up in chDB exactly once,
// and a batch re-sent after a crash (bounds written ahead, offsets not committed) is dropped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Serde } from '../../../avro/serde.ts';
import { DLQ_HEADERS } from '../../../engine/types.ts';
import { encodePendingBounds } from '../../../sinks/clickhouse/batches.ts';
import { openAnalytics, type Analytics, type InsertOptions } from '../../../sinks/clickhouse/client.ts';
import { migrate } from '../../../sinks/clickhouse/migrate.ts';
import { createSinkMetrics } from '../../../sinks/clickhouse/metrics.ts';
import { ClickHouseSink } from '../../../sinks/clickhouse/sink.ts';
import { sinkTopics } from '../../../sinks/clickhouse/topics.ts';
import { topicName } from '../../../topics/catalog.ts';
import { createTopic, deleteTopics, getStack, kafkaClient, uniqueName } from '../harness.ts';
import { chdbFolder, type ChdbFolder } from './chdb-folder.ts';
import { sampleDecision, sampleLedger, sampleOrder } from './records.ts';

const LEDGER = 600;
const DECISIONS = 300;
const ORDERS = 120;
const BATCH = 50;

interface SeenInsert { table: string; token: string; rows: number }

/** The real client, with every insert's table, token and row count noted for assertions. */
function observed(analytics: Analytics, seen: SeenInsert[]): Analytics {
  return {
    ...analytics,
    embedded: analytics.embedded,
    async insert(table: string, rows: readonly object[], options?: InsertOptions) {
      seen.push({ table, token: options?.dedupToken ?? '', rows: rows.length });
      await analytics.insert(table, rows, options);
    },
  };
}

async function scalar(analytics: Analytics, sql: string): Promise<number> {
  const { rows } = await analytics.query<{ v: number }>(sql);
  return Number(rows[0]?.v);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('ClickHouse sink on the real stack', () => {
  const prefix = uniqueName('sinkit');
  const groupId = uniqueName('sinkit-group');
  const topics = sinkTopics(prefix);
  const ledgerTopic = topicName('loyalty.ledger.v1', prefix);
  const seen: SeenInsert[] = [];
  let folder: ChdbFolder;
  let analytics: Analytics;
  let kafka: Kafka;
  let serde: Serde;
  let sink: ClickHouseSink | undefined;

  const startSink = async (): Promise<ClickHouseSink> => {
    const started = new ClickHouseSink({
      kafka, groupId, topics, analytics: observed(analytics, seen), decoder: serde,
      metrics: createSinkMetrics(new Registry()), logger: pino({ level: 'silent' }), maxBatchRecords: BATCH,
    });
    await started.start();
    return started;
  };

  before(async () => {
    const stack = await getStack();
    assert.ok(stack.registryUrl, 'the stack runs a schema registry');
    serde = new Serde(stack.registryUrl);
    kafka = await kafkaClient(uniqueName('sinkit'));
    for (const { topic } of topics) await createTopic(topic, 2);
    folder = chdbFolder('sink');
    analytics = await openAnalytics({ chdbPath: folder.path });
    await migrate(analytics);

    const producer = kafka.producer();
    await producer.connect();
    const send = async (topic: string, fullName: string, values: { memberId: string | null; orderId: string | null; entryId?: string }[]): Promise<void> => {
      const messages = [];
      for (const value of values) messages.push({ key: value.memberId ?? value.orderId ?? null, value: await serde.encode(topic, fullName, value) });
      await producer.send({ topic, messages });
    };
    await send(ledgerTopic, 'loyalty.ledger.LedgerEntry', Array.from({ length: LEDGER }, (_, i) => sampleLedger(i)));
    await send(topicName('promotions.decisions.v1', prefix), 'loyalty.promotions.PromotionDecision', Array.from({ length: DECISIONS }, (_, i) => sampleDecision(i)));
    await send(topicName('orders.v1', prefix), 'loyalty.orders.OrderEvent', Array.from({ length: ORDERS }, (_, i) => sampleOrder(i)));
    await producer.send({ topic: ledgerTopic, messages: [{ key: 'm-x', value: Buffer.from('not avro') }] });
    await producer.send({
      topic: topicName('orders.v1.dlq', prefix),
      messages: [{ key: 'm-1', value: Buffer.from('{"bad":true}'), headers: { [DLQ_HEADERS.reason]: 'SCHEMA_VIOLATION', [DLQ_HEADERS.topic]: topicName('orders.v1', prefix) } }],
    });
    await producer.disconnect();
  });

  after(async () => {
    await sink?.stop();
    await analytics?.close();
    folder?.remove();
    await deleteTopics(topics.map((t) => t.topic));
  });

  test('every record is stored once: counts without FINAL and ledger totals equal what was produced', async () => {
    sink = await startSink();
    const evaluations = Array.from({ length: DECISIONS }, (_, i) => sampleDecision(i).evaluations.length).reduce((a, b) => a + b, 0);
    const lines = Array.from({ length: ORDERS }, (_, i) => sampleOrder(i).lines.length).reduce((a, b) => a + b, 0);
    await waitFor('the sink to catch up', async () =>
      await scalar(analytics, 'SELECT count() AS v FROM ledger_entries') >= LEDGER
      && await scalar(analytics, 'SELECT count() AS v FROM promotion_evaluations') >= evaluations
      && await scalar(analytics, 'SELECT count() AS v FROM order_lines') >= lines
      && await scalar(analytics, 'SELECT count() AS v FROM dlq_events') >= 2);

    assert.equal(await scalar(analytics, 'SELECT count() AS v FROM ledger_entries'), LEDGER);
    assert.equal(await scalar(analytics, 'SELECT count() AS v FROM promotion_evaluations'), evaluations);
    assert.equal(await scalar(analytics, 'SELECT count() AS v FROM orders'), ORDERS);
    assert.equal(await scalar(analytics, 'SELECT count() AS v FROM order_lines'), lines);
    assert.equal(await scalar(analytics, 'SELECT count() AS v FROM dlq_events'), 2);
    assert.equal(await scalar(analytics, "SELECT count() AS v FROM dlq_events WHERE reason = 'SINK_UNDECODABLE'"), 1);

    const produced = Array.from({ length: LEDGER }, (_, i) => sampleLedger(i));
    const total = (field: 'pendingDelta' | 'availableDelta' | 'heldDelta'): number => produced.reduce((sum, e) => sum + e[field], 0);
    const { rows } = await analytics.query<{ p: number; a: number; h: number }>(
      'SELECT sum(pendingDelta) AS p, sum(availableDelta) AS a, sum(heldDelta) AS h FROM ledger_entries');
    assert.deepEqual(rows.map((r) => [Number(r.p), Number(r.a), Number(r.h)]), [[total('pendingDelta'), total('availableDelta'), total('heldDelta')]]);
    assert.equal(await scalar(analytics, 'SELECT sum(availableDelta) AS v FROM points_liability_daily'), total('availableDelta'));
    const awarded = Array.from({ length: DECISIONS }, (_, i) => sampleDecision(i).evaluations.filter((e) => e.outcome === 'AWARDED').length).reduce((a, b) => a + b, 0);
    assert.equal(await scalar(analytics, "SELECT sum(evaluations) AS v FROM campaign_hourly WHERE outcome = 'AWARDED'"), awarded);

    const ledgerTokens = seen.filter((s) => s.table === 'ledger_entries').map((s) => s.token);
    assert.ok(ledgerTokens.length >= LEDGER / BATCH, `ledger written in batches of at most ${BATCH}`);
    assert.ok(ledgerTokens.every((t) => new RegExp(`^${ledgerTopic.replace(/\./g, '\\.')}-[01]-\\d+-\\d+$`).test(t)), ledgerTokens.join(','));
  });

  test('a batch re-sent after a crash before its commit is dropped by its token', async () => {
    assert.ok(sink);
    await sink.stop();
    sink = undefined;
    // The last ledger batch of partition 0, as if the sink died after inserting it, before committing.
    const last = seen.filter((s) => s.table === 'ledger_entries' && s.token.startsWith(`${ledgerTopic}-0-`))
      .map((s) => s.token.slice(`${ledgerTopic}-0-`.length).split('-'))
      .map(([first, lastOffset]) => ({ first: String(first), last: String(lastOffset) }))
      .sort((a, b) => Number(b.first) - Number(a.first))[0];
    assert.ok(last);
    const rewind = kafka.consumer({ groupId });
    await rewind.connect();
    const joined = new Promise<void>((resolve) => rewind.on(rewind.events.GROUP_JOIN, () => resolve()));
    await rewind.subscribe({ topics: [ledgerTopic] });
    await rewind.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await joined;
    await rewind.commitOffsets([{ topic: ledgerTopic, partition: 0, offset: last.first, metadata: encodePendingBounds(last) }]);
    await rewind.disconnect();

    const before = seen.length;
    const ledgerCount = await scalar(analytics, 'SELECT count() AS v FROM ledger_entries');
    sink = await startSink();
    const token = `${ledgerTopic}-0-${last.first}-${last.last}`;
    await waitFor('the re-sent batch', async () => seen.slice(before).some((s) => s.token === token && s.table === 'ledger_entries'));
    await sink.stop();
    sink = undefined;
    assert.equal(await scalar(analytics, 'SELECT count() AS v FROM ledger_entries'), ledgerCount);
    assert.equal(await scalar(analytics, 'SELECT count() AS v FROM ledger_entries'), LEDGER);
  });
});
