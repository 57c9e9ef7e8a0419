// A new campaign version on the live member processor (RULES.md 4 and 6.17): campaigns apply from
// the moment they are read. v1 (bonus 100) is published with the CLI, orders are decided, v2 (bonus
// 250) is published while the processor runs; once a probe order shows v2, later orders get v2,
// earlier decisions and BONUS entries stay as they were, and `loyalty campaigns preview` of v2 over
// the later orders gives the awards and bonus points the live run gave.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { CampaignEvaluation, LedgerEntry, OrderEvent, PromotionDecision } from '../../../avro/records.ts';
import { Serde } from '../../../avro/serde.ts';
import type { SecuredConfig } from '../../../engine/client-options.ts';
import { loadConfig, REPO_ROOT } from '../../../engine/config.ts';
import { startProcessor, type RunningProcessor } from '../../../engine/runtime.ts';
import { noSecurity } from '../../../engine/security.ts';
import { createProcessors } from '../../../processors/index.ts';
import { loadProgram } from '../../../processors/program.ts';
import { topicName } from '../../../topics/catalog.ts';
import { deleteTopics, getStack, kafkaClient, uniqueName } from '../harness.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 1, 2, 15);
const CAMPAIGN_ID = 'spend-800';
const MEMBERS = ['m-1', 'm-2', 'm-3', 'm-4'];
/** Orders before this time belong to the v1 phase; the v2 phase starts here (preview --from). */
const PHASE_TWO_AT = T0 + 20 * DAY;

function campaign(version: number, bonusPoints: number): Record<string, unknown> {
  return {
    campaignId: CAMPAIGN_ID, version, type: 'SPEND_THRESHOLD', startsAt: '2026-01-01T00:00:00Z', endsAt: '2027-01-01T00:00:00Z',
    channels: null, stores: null, tiers: null, daypart: null, minEligibleCents: 800, controlGroupBp: 0,
    maxAwardsPerMember: null, exclusiveGroup: null, params: { bonusPoints },
  };
}

/** One burger line of `lineCents`: 1000 reaches the 800 threshold, 500 does not. */
function order(id: string, memberId: string, occurredAt: number, lineCents: number): OrderEvent {
  const tax = Math.floor(lineCents / 10);
  return {
    eventId: `e-${id}`, type: 'COMPLETED', orderId: `o-${id}`, memberId, storeId: 's-1', storeTimeZone: 'America/Chicago',
    channel: 'IN_STORE', occurredAt, currency: 'USD',
    lines: [{ sku: 'BGR', category: 'ENTREE', quantity: 1, unitPriceCents: lineCents, lineTotalCents: lineCents }],
    discountCents: 0, taxCents: tax, tipCents: 0, totalCents: lineCents + tax, refundCents: 0, redemptions: [],
    payment: { method: 'CARD', cardFingerprint: `fp-${id}` }, deviceId: null, employee: false,
  };
}

/** Two orders per member a day apart, every other one under the threshold. */
function phase(label: string, start: number): OrderEvent[] {
  return MEMBERS.flatMap((memberId, m) => [0, 1].map((i) =>
    order(`${label}-${m}-${i}`, memberId, start + (m * 2 + i) * DAY / 4, (m + i) % 2 === 0 ? 1000 : 500)));
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('campaign versions on the live member processor', () => {
  const appId = uniqueName('cv');
  const topic = (base: string): string => topicName(base, appId);
  const program = loadProgram();
  const folder = join(loadConfig().home, 'tmp', appId);
  let kafka: Kafka;
  let admin: Admin;
  let serde: Serde;
  let config: SecuredConfig;
  let env: NodeJS.ProcessEnv;
  let processor: RunningProcessor | undefined;
  const readers: Consumer[] = [];
  const decisions = new Map<string, PromotionDecision[]>();
  const bonuses = new Map<string, LedgerEntry[]>();

  const cli = (args: string[]): Promise<{ stdout: string }> =>
    run(process.execPath, ['bin/loyalty.js', ...args], { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024 });

  function writeFile(name: string, text: string): string {
    const file = join(folder, name);
    writeFileSync(file, text);
    return file;
  }

  async function produce(name: string, orders: OrderEvent[]): Promise<void> {
    const file = writeFile(name, `${orders.map((o) => JSON.stringify(o)).join('\n')}\n`);
    await cli(['produce', file, '--topic', 'orders.v1']);
  }

  async function read<T>(base: string, onValue: (value: T) => void): Promise<void> {
    const consumer = kafka.consumer({ groupId: uniqueName(`${appId}-reader`), readUncommitted: false });
    readers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: topic(base), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { onValue((await serde.decode<T>(message.value)).value); } });
  }

  const evaluation = (orderId: string): CampaignEvaluation | undefined =>
    decisions.get(orderId)?.[0]?.evaluations.find((e) => e.campaignId === CAMPAIGN_ID);

  before(async () => {
    const stack = await getStack();
    if (stack.registryUrl === null) throw new Error('the stack has no schema registry');
    config = { ...loadConfig({ kafkaBrokers: stack.brokers, redisUrl: stack.redisUrl, schemaRegistryUrl: stack.registryUrl, appId }), security: noSecurity() };
    env = { ...process.env, KAFKA_BROKERS: stack.brokers.join(','), REDIS_URL: stack.redisUrl, SCHEMA_REGISTRY_URL: stack.registryUrl, LOYALTY_APP_ID: appId, LOYALTY_TOPIC_PREFIX: appId };
    kafka = await kafkaClient();
    admin = kafka.admin();
    await admin.connect();
    serde = new Serde(stack.registryUrl);
    mkdirSync(folder, { recursive: true });
  });

  after(async () => {
    await processor?.stop();
    for (const reader of readers) await reader.disconnect();
    const mine = (await admin.listTopics()).filter((name) => name.startsWith(appId));
    await admin.disconnect();
    await deleteTopics(mine);
    const redis = new Redis(config.redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${appId}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
    rmSync(folder, { recursive: true, force: true });
  });

  test('v1 decisions stay, orders after v2 was read get v2, preview of v2 agrees', { timeout: 120_000 }, async () => {
    await cli(['topics', 'apply']);
    await cli(['campaigns', 'publish', writeFile('v1.json', JSON.stringify(campaign(1, 100)))]);

    const definition = createProcessors({ program, topicPrefix: appId }).member;
    processor = startProcessor(definition, {
      config, logger: (await import('pino')).pino({ level: 'warn' }), sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000, stopOnSignals: false,
    });
    await processor.ready;
    await read<PromotionDecision>('promotions.decisions.v1', (d) => decisions.set(d.orderId, [...(decisions.get(d.orderId) ?? []), d]));
    await read<LedgerEntry>('loyalty.ledger.v1', (e) => {
      if (e.kind === 'BONUS' && e.orderId !== null) bonuses.set(e.orderId, [...(bonuses.get(e.orderId) ?? []), e]);
    });

    const earlier = phase('a', T0);
    await produce('phase-a.jsonl', earlier);
    await waitFor('the v1 decisions', () => earlier.every((o) => decisions.has(o.orderId)));
    const awardedBefore = earlier.filter((o) => evaluation(o.orderId)?.outcome === 'AWARDED');
    await waitFor('the v1 BONUS entries', () => awardedBefore.every((o) => bonuses.has(o.orderId)));
    const decisionsBefore = structuredClone(earlier.map((o) => decisions.get(o.orderId)));
    const bonusesBefore = structuredClone(earlier.map((o) => bonuses.get(o.orderId) ?? []));

    await cli(['campaigns', 'publish', writeFile('v2.json', JSON.stringify(campaign(2, 250)))]);
    // A probe member's orders, one at a time, until the running processor has read v2.
    let probes = 0;
    await waitFor('a decision with campaign v2', async () => {
      const probe = order(`probe-${probes}`, 'm-probe', T0 + 10 * DAY + probes * 60_000, 1000);
      probes += 1;
      await produce(`probe-${probes}.jsonl`, [probe]);
      await waitFor(`the decision of ${probe.orderId}`, () => decisions.has(probe.orderId));
      return evaluation(probe.orderId)?.campaignVersion === 2;
    }, 45_000);

    const later = phase('b', PHASE_TWO_AT);
    await produce('phase-b.jsonl', later);
    await waitFor('the v2 decisions', () => later.every((o) => decisions.has(o.orderId)));
    const awardedLater = later.filter((o) => evaluation(o.orderId)?.outcome === 'AWARDED');
    await waitFor('the v2 BONUS entries', () => awardedLater.every((o) => bonuses.has(o.orderId)));

    // Both phases have awards and refusals (the 500-cent orders are under the threshold).
    assert.equal(awardedBefore.length, 4);
    assert.equal(awardedLater.length, 4);
    for (const o of earlier) {
      const e = evaluation(o.orderId);
      assert.equal(e?.campaignVersion, 1, `${o.orderId} is decided with v1`);
      assert.equal(e.bonusPoints, e.outcome === 'AWARDED' ? 100 : 0, `${o.orderId} bonus under v1`);
      assert.deepEqual((bonuses.get(o.orderId) ?? []).map((b) => b.pendingDelta + b.availableDelta + b.heldDelta), e.outcome === 'AWARDED' ? [100] : []);
    }
    for (const o of later) {
      const e = evaluation(o.orderId);
      assert.equal(e?.campaignVersion, 2, `${o.orderId} is decided with v2`);
      assert.equal(e.bonusPoints, e.outcome === 'AWARDED' ? 250 : 0, `${o.orderId} bonus under v2`);
      assert.deepEqual((bonuses.get(o.orderId) ?? []).map((b) => b.pendingDelta + b.availableDelta + b.heldDelta), e.outcome === 'AWARDED' ? [250] : []);
    }
    // No recomputation: one decision per earlier order, and it and its BONUS entries are as they were.
    assert.deepEqual(earlier.map((o) => decisions.get(o.orderId)), decisionsBefore);
    assert.deepEqual(earlier.map((o) => bonuses.get(o.orderId) ?? []), bonusesBefore);

    // The preview reads the members' earlier orders only to build their state (--from).
    const history = writeFile('history.jsonl', `${[...earlier, ...later].map((o) => JSON.stringify(o)).join('\n')}\n`);
    const { stdout } = await cli(['campaigns', 'preview', join(folder, 'v2.json'), '--orders', history, '--from', String(PHASE_TWO_AT), '--json']);
    const report = JSON.parse(stdout) as { campaignVersion: number; awards: number; bonusPoints: number; orders: { evaluated: number; outsideRange: number } };
    const liveAwards = later.map((o) => evaluation(o.orderId)).filter((e) => e?.outcome === 'AWARDED');
    assert.deepEqual(
      { version: report.campaignVersion, evaluated: report.orders.evaluated, outsideRange: report.orders.outsideRange, awards: report.awards, bonusPoints: report.bonusPoints },
      { version: 2, evaluated: later.length, outsideRange: earlier.length, awards: liveAwards.length, bonusPoints: liveAwards.reduce((sum, e) => sum + (e?.bonusPoints ?? 0), 0) },
    );
  });
});
