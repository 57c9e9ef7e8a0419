// `loyalty replay` on the real stack: exact time and offset windows, filters, re-producing with
// x-replay, and the --yes guard on topics the processors read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Serde } from '../../../avro/serde.ts';
import { takeOrders, orderKey } from '../../../cli/simulate/generator.ts';
import type { OrderEvent } from '../../../avro/records.ts';
import { createTopic, deleteTopics, getStack, kafkaClient, uniqueName } from '../../integration/harness.ts';
import { assertRefused, cli, jsonLines, okJson, produce, recordCount } from './run-cli.ts';

interface Printed { partition: number; offset: number; timestamp: number; key: string | null; headers: Record<string, string>; value: OrderEvent }

const prefix = uniqueName('e2e-replay');
const source = uniqueName('e2e-replay-src');
const copy = uniqueName('e2e-replay-copy');
const liveInput = `${prefix}.orders.v1`;
const big = uniqueName('e2e-replay-big');
const env = { LOYALTY_TOPIC_PREFIX: prefix };
// Record timestamps one second apart, in the recent past (inside any time-based retention).
const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
const orders = takeOrders({ seed: 'replay-e2e', members: 20, start: Date.parse('2026-01-05T00:00:00Z') }, 40);

describe('loyalty replay (real stack)', () => {
  before(async () => {
    const stack = await getStack();
    assert.ok(stack.registryUrl, 'the stack has a schema registry');
    await createTopic(source, 2);
    await createTopic(copy, 2);
    await createTopic(liveInput, 2);
    await createTopic(big, 1);
    const serde = new Serde(stack.registryUrl);
    await serde.prepare(source, 'loyalty.orders.OrderEvent');
    await produce(await kafkaClient(), source, orders.map((order, i) => ({
      key: orderKey(order),
      value: serde.encodeSync(source, order),
      timestamp: String(t0 + i * 1000),
      headers: { 'x-test': String(i) },
    })));
  });

  after(async () => {
    await deleteTopics([source, copy, liveInput, big]);
  });

  test('a time window returns exactly the records with from <= timestamp < to', async () => {
    const from = new Date(t0 + 10_000).toISOString();
    const to = new Date(t0 + 25_000).toISOString();
    const printed = jsonLines<Printed>(await cli(['replay', '--topic', source, '--from', from, '--to', to]));
    assert.equal(printed.length, 15);
    assert.deepEqual(printed.map((p) => p.timestamp).sort((a, b) => a - b), Array.from({ length: 15 }, (_, i) => t0 + (10 + i) * 1000));
    const expected = orders.slice(10, 25).map((o) => o.eventId).sort();
    assert.deepEqual(printed.map((p) => p.value.eventId).sort(), expected);
    for (const p of printed) {
      const i = Number(p.headers['x-test']);
      assert.deepEqual(p.value, orders[i], 'decoded value equals what was produced');
      assert.equal(p.key, orderKey(orders[i] as OrderEvent));
    }
  });

  test('@millis and offset windows on one partition', async () => {
    const all = jsonLines<Printed>(await cli(['replay', '--topic', source, '--from', 'earliest', '--to', 'latest', '--partition', '1']));
    assert.ok(all.length > 4 && all.every((p) => p.partition === 1));
    const window = jsonLines<Printed>(await cli(['replay', '--topic', source, '--from', '1', '--to', '4', '--partition', '1']));
    assert.deepEqual(window.map((p) => p.offset), [1, 2, 3]);
    const byMillis = jsonLines<Printed>(await cli(['replay', '--topic', source, '--from', `@${t0}`, '--to', `@${t0 + 5000}`]));
    assert.equal(byMillis.length, 5);
  });

  test('--filter keeps matching records only', async () => {
    const member = orders.find((o) => o.memberId !== null)?.memberId as string;
    const expected = orders.filter((o) => o.memberId === member && o.totalCents >= 500).length;
    const printed = jsonLines<Printed>(await cli(['replay', '--topic', source, '--from', 'earliest', '--to', 'latest',
      '--filter', `value.memberId == "${member}" && value.totalCents >= 500`]));
    assert.ok(expected > 0);
    assert.equal(printed.length, expected);
    assertRefused(await cli(['replay', '--topic', source, '--from', 'earliest', '--to', 'latest', '--filter', 'value.memberId = 1']), 2, /--filter: unexpected character "="/);
  });

  test('re-producing keeps keys and headers and adds x-replay', async () => {
    const summary = okJson<{ written: number; matched: number }>(await cli(['replay', '--topic', source, '--from', `@${t0}`, '--to', `@${t0 + 8000}`, '--to-topic', copy, '--json']));
    assert.equal(summary.written, 8);
    const copied = jsonLines<Printed>(await cli(['replay', '--topic', copy, '--from', 'earliest', '--to', 'latest']));
    assert.equal(copied.length, 8);
    for (const p of copied) {
      const [topic, partition, offset] = (p.headers['x-replay'] ?? '').split(':');
      assert.equal(topic, source);
      assert.ok(Number(partition) >= 0 && Number(offset) >= 0);
      assert.equal(p.key, orderKey(orders[Number(p.headers['x-test'])] as OrderEvent));
    }
  });

  test('writing into a processor input needs --yes: count and sample first, nothing written', async () => {
    const kafka = await kafkaClient();
    const refused = await cli(['replay', '--topic', source, '--from', `@${t0}`, '--to', `@${t0 + 3000}`, '--to-topic', 'orders.v1'], env);
    assertRefused(refused, 2, new RegExp(`${liveInput} is read by the processors: 3 records would be written`));
    assert.match(refused.stdout, /3 of 3 records in the window would be written/);
    assert.match(refused.stdout, /sample \(3\)/);
    assert.equal(await recordCount(kafka, liveInput), 0);
    const dry = okJson<{ dryRun: boolean; matched: number; written: number }>(await cli(['replay', '--topic', source, '--from', `@${t0}`, '--to', `@${t0 + 3000}`, '--to-topic', 'orders.v1', '--dry-run', '--yes', '--json'], env));
    assert.deepEqual([dry.dryRun, dry.matched, dry.written], [true, 3, 0]);
    assert.equal(await recordCount(kafka, liveInput), 0);
    const written = okJson<{ written: number }>(await cli(['replay', '--topic', source, '--from', `@${t0}`, '--to', `@${t0 + 3000}`, '--to-topic', 'orders.v1', '--yes', '--json'], env));
    assert.equal(written.written, 3);
    assert.equal(await recordCount(kafka, liveInput), 3);
  });

  test('a window larger than one fetch is read once, record by record, to its exact end', async () => {
    const kafka = await kafkaClient();
    const payload = 'x'.repeat(2048);
    for (let i = 0; i < 3000; i += 500) {
      await produce(kafka, big, Array.from({ length: 500 }, (_, j) => ({ key: `k-${i + j}`, value: `${i + j}:${payload}` })));
    }
    type Summary = { read: number; matched: number; ranges: { start: string; end: string }[] };
    const all = okJson<Summary>(await cli(['replay', '--topic', big, '--from', 'earliest', '--to', 'latest', '--dry-run', '--json']));
    assert.deepEqual([all.read, all.matched, all.ranges[0]?.end], [3000, 3000, '3000']);
    const window = okJson<Summary>(await cli(['replay', '--topic', big, '--from', '700', '--to', '2300', '--dry-run', '--json']));
    assert.deepEqual([window.read, window.matched], [1600, 1600]);
    const printed = jsonLines<{ offset: number; key: string }>(await cli(['replay', '--topic', big, '--from', '700', '--to', '2300']));
    assert.deepEqual(printed.map((p) => p.offset), Array.from({ length: 1600 }, (_, i) => 700 + i));
    assert.ok(printed.every((p) => p.key === `k-${p.offset}`));
  });

  test('bad flags, unknown topics and an unreachable broker are one sentence with their exit code', async () => {
    assertRefused(await cli(['replay', '--topic', source, '--from', 'yesterday', '--to', 'latest']), 2, /--from "yesterday" is not a position/);
    assertRefused(await cli(['replay', '--topic', uniqueName('missing'), '--from', 'earliest', '--to', 'latest']), 2, /topic .* does not exist/);
    assertRefused(await cli(['replay', '--topic', source, '--from', 'earliest', '--to', 'latest', '--partition', '7']), 2, /has no partition 7/);
    assertRefused(await cli(['replay', '--topic', source, '--from', 'earliest', '--to', 'latest', '--brokers', '127.0.0.1:1']), 3, /Kafka is unreachable/);
  });
});
