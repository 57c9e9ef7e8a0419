// Chaos test of the card-fraud processor on the real stack: a worker process (card-fraud-worker.ts)
// is SIGKILLed at random moments while card uses keep arriving, and restarted until caught up. Its
// committed fraud.signals.v1 output and its Redis state must equal an uninterrupted in-memory
// TestDriver run of the same definition over the same input.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { FraudSignal, OrderEvent } from '../../avro/records.ts';
import { Serde } from '../../avro/serde.ts';
import { changelogTopic } from '../../engine/changelog.ts';
import { taskKeys } from '../../engine/keys.ts';
import { readStateValue } from '../../engine/store/redis-store.ts';
import { TestDriver } from '../../engine/test-driver.ts';
import { dlqTopic } from '../../engine/types.ts';
import { createCardFraudProcessor } from '../../processors/card-fraud/processor.ts';
import { loadProgram } from '../../processors/program.ts';
import { createTopic, deleteTopics, getStack, kafkaClient, uniqueName, type TestStack } from '../integration/harness.ts';
import { KEEP_FOREVER, readTopic } from '../integration/engine/io.ts';
import { saveLogs, startWorker, type Worker } from './worker-process.ts';

const PARTITIONS = 3;
/** Smaller runs while debugging: CHAOS_USES=1000 CHAOS_KILLS=4. */
const USES = Number(process.env.CHAOS_USES ?? 6000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 20);
const ORDER_RECORD = 'loyalty.orders.OrderEvent';
const T0 = Date.UTC(2026, 2, 2, 8);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface CardUse {
  partition: number;
  order: OrderEvent;
}

/** A small seeded generator (mulberry32): the same input on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `count` uses of 400 cards over about two days. Cards 0-39 are shared: each by a pool of four
 * members, so three distinct members inside 24 hours (SHARED_CARD) happen often; the others
 * belong to one member; one use in twenty is a guest. Card i lives on input partition i % PARTITIONS.
 */
function generateUses(count: number, seed: number): CardUse[] {
  const next = random(seed);
  const pick = (n: number): number => Math.floor(next() * n);
  const uses: CardUse[] = [];
  let time = T0;
  for (let i = 0; i < count; i += 1) {
    time += 1 + pick(80_000);
    const card = next() < 0.4 ? pick(40) : 40 + pick(360);
    const member = card < 40 ? `m-${card * 4 + pick(4)}` : `m-${1000 + card}`;
    const cents = 300 + pick(2000);
    uses.push({
      partition: card % PARTITIONS,
      order: {
        eventId: `e-${i}`, type: 'COMPLETED', orderId: `o-${i}`, memberId: next() < 0.05 ? null : member, storeId: `s-${pick(5)}`,
        storeTimeZone: 'America/Chicago', channel: 'IN_STORE', occurredAt: time, currency: 'USD',
        lines: [{ sku: 'BGR', category: 'ENTREE', quantity: 1, unitPriceCents: cents, lineTotalCents: cents }],
        discountCents: 0, taxCents: 0, tipCents: 0, totalCents: cents, refundCents: 0, redemptions: [],
        payment: { method: 'CARD', cardFingerprint: `fp-${card}` }, deviceId: null, employee: false,
      },
    });
  }
  return uses;
}

async function produceUses(kafka: Kafka, serde: Serde, topic: string, uses: CardUse[]): Promise<void> {
  await serde.prepare(topic, ORDER_RECORD);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    for (let i = 0; i < uses.length; i += 500) {
      const messages = uses.slice(i, i + 500).map((use) => ({
        partition: use.partition, key: use.order.payment.cardFingerprint, value: serde.encodeSync(topic, use.order),
      }));
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

function startProcessorWorker(stack: TestStack, appId: string, input: string, output: string): Worker {
  return startWorker('test/chaos/card-fraud-worker.ts', { appId, input, output, brokers: stack.brokers, redisUrl: stack.redisUrl, registryUrl: stack.registryUrl });
}

/** Signal ids read twice (with their output offsets), missing and unexpected, for the message of a failed count. */
function describeDifference(offsets: Map<string, string[]>, expected: { value: unknown }[]): string {
  const twice = [...offsets].filter(([, at]) => at.length > 1);
  const wanted = new Set(expected.map(({ value }) => (value as FraudSignal).signalId));
  const missing = [...wanted].filter((id) => !offsets.has(id));
  const extra = [...offsets.keys()].filter((id) => !wanted.has(id));
  return `${twice.length} read twice ${JSON.stringify(twice.slice(0, 10))}, missing ${JSON.stringify(missing.slice(0, 10))}, unexpected ${JSON.stringify(extra.slice(0, 10))}`;
}

const countEvents = (logs: string[][], event: string): number => logs.flat().filter((line) => line.includes(`"event":"${event}"`)).length;

describe('card-fraud chaos', () => {
  const appId = uniqueName('chaos-card');
  const input = `${appId}.orders.by-card.v1`;
  const output = `${appId}.fraud.signals.v1`;
  let stack: TestStack;
  let kafka: Kafka;
  let redis: Redis;
  let serde: Serde;

  before(async () => {
    stack = await getStack();
    if (stack.registryUrl === null) throw new Error('the stack has no schema registry; the chaos test needs one for Avro');
    kafka = await kafkaClient();
    redis = new Redis(stack.redisUrl);
    serde = new Serde(stack.registryUrl);
    await createTopic(input, PARTITIONS, KEEP_FOREVER);
    // One output partition: each input partition's signals keep their order in it, whatever their key.
    await createTopic(output, 1, KEEP_FOREVER);
  });

  after(async () => {
    await deleteTopics([input, output, dlqTopic(input), changelogTopic(appId, 'card-fraud')]);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${appId}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  });

  test(`SIGKILL at ${KILLS} random moments: signals and state equal an uninterrupted run`, { timeout: 600_000 }, async () => {
    const uses = generateUses(USES, 7);
    const program = loadProgram();
    const definition = createCardFraudProcessor({ program, topics: { byCard: input, signals: output } });

    // The uninterrupted run: one driver per input partition, records in partition order.
    const expected: { key: string | null; value: unknown }[][] = [];
    const drivers: TestDriver[] = [];
    for (let partition = 0; partition < PARTITIONS; partition += 1) {
      const driver = new TestDriver(definition, { partition });
      for (const use of uses.filter((u) => u.partition === partition)) driver.pipe(input, use.order.payment.cardFingerprint, use.order);
      assert.deepEqual(driver.deadLetters(), [], 'the generated input is valid');
      expected.push(driver.outputs('signals').map(({ key, value }) => ({ key, value })));
      drivers.push(driver);
    }
    const total = expected.reduce((sum, list) => sum + list.length, 0);
    assert.ok(total > 200, `SHARED_CARD fires often (${total} signals)`);

    // Input arrives in chunks while each worker runs, so every worker has work when killed.
    const chunk = Math.ceil(uses.length / (KILLS + 1));
    const logs: string[][] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      const worker = startProcessorWorker(stack, appId, input, output);
      logs.push(worker.log);
      // Half the kills land during start-up and recovery, half while batches are committing.
      if (kill % 2 === 1) await Promise.race([worker.ready, sleep(20_000)]);
      const producing = produceUses(kafka, serde, input, uses.slice(kill * chunk, (kill + 1) * chunk));
      await sleep(kill % 2 === 0 ? 300 + Math.floor(Math.random() * 3000) : 100 + Math.floor(Math.random() * 1500));
      worker.child.kill('SIGKILL');
      await Promise.all([worker.exited, producing]);
    }
    await produceUses(kafka, serde, input, uses.slice(KILLS * chunk));
    const last = startProcessorWorker(stack, appId, input, output);
    logs.push(last.log);
    try {
      await last.ready;
      const read = await readTopic(kafka, output, total, 240_000, 4000);
      const actual: { key: string | null; value: unknown }[][] = Array.from({ length: PARTITIONS }, () => []);
      const offsets = new Map<string, string[]>();
      for (const { message } of read) {
        const signal = (await serde.decode<FraudSignal>(message.value)).value;
        const card = Number((signal.cardFingerprint ?? '').slice('fp-'.length));
        actual[card % PARTITIONS]?.push({ key: message.key?.toString() ?? null, value: signal });
        offsets.set(signal.signalId, [...(offsets.get(signal.signalId) ?? []), message.offset]);
      }
      assert.equal(read.length, total, `committed signals: no gap, no duplicate (${describeDifference(offsets, expected.flat())})`);
      for (let partition = 0; partition < PARTITIONS; partition += 1) {
        assert.deepEqual(actual[partition], expected[partition], `signals of input partition ${partition}, in order`);
      }
      for (const card of new Set(uses.map((u) => u.order.payment.cardFingerprint ?? ''))) {
        const partition = Number(card.slice('fp-'.length)) % PARTITIONS;
        const stored = Object.fromEntries((await readStateValue(redis, taskKeys(appId, definition.name, partition), card)).fields);
        assert.deepEqual(stored, drivers[partition]?.state(card) ?? {}, `Redis state of ${card}`);
      }
      process.stdout.write(
        `# uses=${uses.length} signals=${total} kills=${KILLS} outbox_replays=${countEvents(logs, 'outbox_replayed')} restores=${countEvents(logs, 'state_restored')} batch_failures=${countEvents(logs, 'batch_failed')}\n`,
      );
    } finally {
      last.child.kill('SIGTERM');
      await Promise.race([last.exited, sleep(20_000)]);
      last.child.kill('SIGKILL');
      process.stdout.write(`# worker logs: ${saveLogs('chaos-card-fraud', logs)}\n`);
    }
  });
});
