// The member and card-fraud processors on the real stack (Kafka + Redis + registry): a card
// shared by three members raises SHARED_CARD, the HOLD comes back through fraud.signals.v1, the
// CLI shows the held lot (`loyalty state get member`) and releases it (`loyalty fraud release`).
// Topics are prefixed with a unique name, Redis keys live under the unique app id; both are removed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Consumer, Kafka } from 'kafkajs';
import type { LedgerEntry, OrderEvent } from '../../../avro/records.ts';
import { Serde } from '../../../avro/serde.ts';
import type { SecuredConfig } from '../../../engine/client-options.ts';
import { changelogTopic } from '../../../engine/changelog.ts';
import { loadConfig, REPO_ROOT } from '../../../engine/config.ts';
import { startProcessor, type RunningProcessor } from '../../../engine/runtime.ts';
import { noSecurity } from '../../../engine/security.ts';
import { dlqTopic } from '../../../engine/types.ts';
import { createProcessors } from '../../../processors/index.ts';
import { loadProgram } from '../../../processors/program.ts';
import { topicName } from '../../../topics/catalog.ts';
import { createTopic, deleteAppState, deleteTopics, getStack, kafkaClient, uniqueName } from '../harness.ts';

const run = promisify(execFile);
const PARTITIONS = 2;
const T0 = Date.UTC(2026, 0, 5, 12);
const BASES = ['orders.v1', 'fraud.signals.v1', 'loyalty.commands.v1', 'loyalty.ledger.v1', 'loyalty.members.v1',
  'promotions.decisions.v1', 'orders.by-card.v1', 'campaigns.v1'];

function order(n: number, memberId: string, minutes: number): OrderEvent {
  return {
    eventId: `e-${n}`, type: 'COMPLETED', orderId: `o-${n}`, memberId, storeId: 's-1', storeTimeZone: 'America/Chicago',
    channel: 'IN_STORE', occurredAt: T0 + minutes * 60_000, currency: 'USD',
    lines: [{ sku: 'BGR', category: 'ENTREE', quantity: 2, unitPriceCents: 500, lineTotalCents: 1000 }],
    discountCents: 0, taxCents: 80, tipCents: 0, totalCents: 1080, refundCents: 0, redemptions: [],
    payment: { method: 'CARD', cardFingerprint: 'fp-shared' }, deviceId: null, employee: false,
  };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('member + card-fraud processors on the stack', () => {
  const appId = uniqueName('mbr');
  const topic = (base: string): string => topicName(base, appId);
  const program = loadProgram();
  let kafka: Kafka;
  let serde: Serde;
  let redis: Redis;
  let config: SecuredConfig;
  let env: NodeJS.ProcessEnv;
  const running: RunningProcessor[] = [];
  let ledgerReader: Consumer | undefined;
  const ledger: LedgerEntry[] = [];

  before(async () => {
    const stack = await getStack();
    if (stack.registryUrl === null) throw new Error('the stack has no schema registry');
    config = { ...loadConfig({ kafkaBrokers: stack.brokers, redisUrl: stack.redisUrl, schemaRegistryUrl: stack.registryUrl, appId }), security: noSecurity() };
    env = { ...process.env, KAFKA_BROKERS: stack.brokers.join(','), REDIS_URL: stack.redisUrl, SCHEMA_REGISTRY_URL: stack.registryUrl, LOYALTY_APP_ID: appId, LOYALTY_TOPIC_PREFIX: appId };
    kafka = await kafkaClient();
    serde = new Serde(stack.registryUrl);
    redis = new Redis(stack.redisUrl);
    for (const base of BASES) await createTopic(topic(base), base === 'campaigns.v1' ? 1 : PARTITIONS);
  });

  after(async () => {
    for (const processor of running) await processor.stop();
    await ledgerReader?.disconnect();
    await deleteTopics([...BASES.map(topic), ...['orders.v1', 'fraud.signals.v1', 'loyalty.commands.v1', 'orders.by-card.v1'].map((b) => dlqTopic(topic(b))),
      changelogTopic(appId, 'member'), changelogTopic(appId, 'card-fraud')]);
    await deleteAppState(redis, appId);
    await redis.quit();
  });

  test('SHARED_CARD holds the lot, the CLI shows it and releases it', { timeout: 240_000 }, async () => {
    const processors = createProcessors({ program, topicPrefix: appId });
    const logger = (await import('pino')).pino({ level: 'warn' });
    for (const definition of Object.values(processors)) {
      const started = await startProcessor(definition, { config, logger, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
      running.push(started);
      await started.ready;
    }
    ledgerReader = kafka.consumer({ groupId: `${appId}-ledger-reader`, readUncommitted: false });
    await ledgerReader.connect();
    await ledgerReader.subscribe({ topic: topic('loyalty.ledger.v1'), fromBeginning: true });
    await ledgerReader.run({ eachMessage: async ({ message }) => { ledger.push((await serde.decode<LedgerEntry>(message.value)).value); } });

    const orders = [order(1, 'm-a', 0), order(2, 'm-b', 10), order(3, 'm-c', 20)];
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    for (const o of orders) {
      const value = await serde.encode(topic('orders.v1'), 'loyalty.orders.OrderEvent', o);
      await producer.send({ topic: topic('orders.v1'), messages: [{ key: o.memberId, value }] });
    }
    await producer.disconnect();

    await waitFor('the HOLD of m-c', () => ledger.some((e) => e.kind === 'HOLD' && e.memberId === 'm-c'));
    const hold = ledger.find((e) => e.kind === 'HOLD');
    assert.deepEqual([hold?.orderId, hold?.pendingDelta, hold?.heldDelta], ['o-3', -100, 100]);
    assert.deepEqual(ledger.filter((e) => e.kind === 'EARN').map((e) => e.memberId).sort(), ['m-a', 'm-b', 'm-c']);

    const cli = (args: string[]): Promise<{ stdout: string }> => run(process.execPath, ['bin/loyalty.js', ...args], { cwd: REPO_ROOT, env });
    await waitFor('the held lot in Redis', async () => {
      const { stdout } = await cli(['state', 'get', 'member', 'm-c', '--json']);
      const stored = JSON.parse(stdout) as { view: { orders: { orderId: string; lot: string }[]; snapshot: { heldPoints: number } } };
      return stored.view.orders.some((o) => o.orderId === 'o-3' && o.lot === 'held') && stored.view.snapshot.heldPoints === 100;
    });

    const { stdout: text } = await cli(['state', 'get', 'member', 'm-c']);
    assert.match(text, /points: pending 0, available 0, held 100/);
    assert.match(text, /o-3\s+held\s+100 pts/);
    await assert.rejects(cli(['state', 'get', 'member', 'm-nobody']), (error: { code?: number; stderr?: string }) =>
      error.code === 1 && /no state for m-nobody/.test(error.stderr ?? ''));

    await cli(['fraud', 'release', 'm-c', 'o-3', '--reason', 'customer verified', '--by', 'it-test', '--at', '2026-01-06T00:00:00Z']);
    await waitFor('the RELEASE of m-c', () => ledger.some((e) => e.kind === 'RELEASE'));
    const release = ledger.find((e) => e.kind === 'RELEASE');
    assert.deepEqual([release?.memberId, release?.orderId, release?.availableDelta, release?.heldDelta, release?.occurredAt],
      ['m-c', 'o-3', 100, -100, Date.UTC(2026, 0, 6)]);

    await assert.rejects(cli(['fraud', 'release', 'm-c', 'o-3', '--reason', 'again']), (error: { code?: number; stderr?: string }) =>
      error.code === 1 && /not held/.test(error.stderr ?? ''));
    const { stdout } = await cli(['fraud', 'list', '--rule', 'SHARED_CARD', '--json']);
    assert.deepEqual((JSON.parse(stdout) as { orderId: string }[]).map((s) => s.orderId), ['o-3']);
  });
});
