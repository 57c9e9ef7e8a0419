// The conformance scenario (test/fixtures/conformance/scenario-101) on the real stack: topics
// applied, campaigns published and events produced by the spawned CLI, the member and card-fraud
// processors running on Kafka + Redis + registry, a watermark at meta.asOf from `loyalty clock
// tick`; then every section of expected.json is compared with what is in Redis and on the output
// topics. The only allowed difference is RULES.md 6.17: a SHARED_CARD HOLD that reaches the member
// after its lot activated shows as ACTIVATE + HOLD from available instead of HOLD from pending.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { FraudSignal, LedgerEntry, MemberSnapshot, PromotionDecision } from '../../../avro/records.ts';
import { Serde } from '../../../avro/serde.ts';
import { readStoredMember } from '../../../cli/commands/state.ts';
import type { SecuredConfig } from '../../../engine/client-options.ts';
import { loadConfig, REPO_ROOT } from '../../../engine/config.ts';
import { startProcessor, type RunningProcessor } from '../../../engine/runtime.ts';
import { noSecurity } from '../../../engine/security.ts';
import { DLQ_HEADERS, dlqTopic } from '../../../engine/types.ts';
import { createProcessors } from '../../../processors/index.ts';
import { parseProgram } from '../../../processors/program.ts';
import { topicName } from '../../../topics/catalog.ts';
import { deleteAppState, deleteTopics, getStack, kafkaClient, uniqueName } from '../harness.ts';

const run = promisify(execFile);
const SCENARIO = new URL('../../fixtures/conformance/scenario-101/', import.meta.url);
const fixture = (file: string): string => fileURLToPath(new URL(file, SCENARIO));
const readFixture = <T>(file: string): T => JSON.parse(readFileSync(new URL(file, SCENARIO), 'utf8')) as T;
const KINDS = ['ACTIVATE', 'BONUS', 'EARN', 'EXPIRE', 'HOLD', 'REDEEM', 'RELEASE', 'REVERSAL'] as const;
const INPUTS = ['orders.v1', 'fraud.signals.v1', 'loyalty.commands.v1', 'orders.by-card.v1'];

interface KindSums { count: number; pendingDelta: number; availableDelta: number; heldDelta: number }
interface Expected {
  members: Record<string, Record<string, unknown>>;
  membersAtLastUpdate: Record<string, { updatedAt: number; tier: string; qualifyingSpendCents: number }>;
  ledger: Record<string, KindSums>;
  decisions: { campaignId: string; outcome: string; reason: string | null; count: number }[];
  bonusAwarded: Record<string, number>;
  signals: Record<string, number>;
  dlq: Record<string, number>;
  duplicates: number;
  sharedCardHoldLots: number[];
}

async function waitFor(what: () => string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Per partition `committed/high` of a group on a topic. `exact`: the topic has no transaction
 * markers (orders.v1, written by the CLI's idempotent producer), so committed = high is caught up.
 * Topics written in transactions by several tasks end with up to one marker per task, so there
 * only an unchanged position (see caughtUp) says the group is done.
 */
async function groupPosition(admin: Admin, groupId: string, topic: string, exact: boolean): Promise<{ done: boolean; detail: string }> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let done = true;
  const detail: string[] = [];
  for (const end of ends.sort((a, b) => a.partition - b.partition)) {
    const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1');
    const high = Number(end.high);
    if (exact && high > 0 && at < high) done = false;
    detail.push(`${at}/${high}`);
  }
  return { done, detail: `${topic.slice(appIdLength(topic))} ${detail.join(' ')}` };
}

const appIdLength = (topic: string): number => topic.indexOf('.') + 1;

function sumByKind(entries: LedgerEntry[]): Record<string, KindSums> {
  const sums: Record<string, KindSums> = {};
  for (const kind of KINDS) sums[kind] = { availableDelta: 0, count: 0, heldDelta: 0, pendingDelta: 0 };
  for (const entry of entries) {
    const row = sums[entry.kind];
    if (row === undefined) throw new Error(`unknown ledger kind ${entry.kind}`);
    row.count += 1;
    row.pendingDelta += entry.pendingDelta;
    row.availableDelta += entry.availableDelta;
    row.heldDelta += entry.heldDelta;
  }
  return sums;
}

function count<T>(items: T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}

describe('conformance scenario-101 on the real stack', () => {
  const appId = uniqueName('scn');
  const topic = (base: string): string => topicName(base, appId);
  const program = parseProgram(readFixture('program.json'));
  const { asOf } = readFixture<{ asOf: number }>('meta.json');
  const expected = readFixture<Expected>('expected.json');
  let kafka: Kafka;
  let admin: Admin;
  let serde: Serde;
  let config: SecuredConfig;
  let env: NodeJS.ProcessEnv;
  const running: RunningProcessor[] = [];
  const readers: Consumer[] = [];
  const outputs = { ledger: [] as LedgerEntry[], members: [] as MemberSnapshot[], decisions: [] as PromotionDecision[], signals: [] as FraudSignal[] };
  const deadLetters: string[] = [];
  let duplicates = 0;

  const cli = (args: string[]): Promise<{ stdout: string }> =>
    run(process.execPath, ['bin/loyalty.js', ...args], { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024 });

  /** orders.v1 fully consumed, then nothing moving (offsets and outputs) for several polls in a row. */
  async function caughtUp(): Promise<void> {
    let quietRounds = 0;
    let last = '';
    await waitFor(() => `the processors to catch up (${last})`, async () => {
      const positions = [await groupPosition(admin, `${appId}-member`, topic('orders.v1'), true)];
      for (const base of ['fraud.signals.v1', 'loyalty.commands.v1']) positions.push(await groupPosition(admin, `${appId}-member`, topic(base), false));
      positions.push(await groupPosition(admin, `${appId}-card-fraud`, topic('orders.by-card.v1'), false));
      const seen = outputs.ledger.length + outputs.members.length + outputs.signals.length + deadLetters.length;
      const now = `${positions.map((p) => p.detail).join('; ')}; ${seen} outputs read`;
      quietRounds = positions.every((p) => p.done) && now === last ? quietRounds + 1 : 0;
      last = now;
      return quietRounds >= 6;
    }, 150_000);
  }

  async function read(topicToRead: string, onMessage: (value: Buffer | null, headers: Record<string, string>) => Promise<void>): Promise<void> {
    const consumer = kafka.consumer({ groupId: uniqueName(`${appId}-reader`), readUncommitted: false });
    readers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: topicToRead, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        await onMessage(message.value, headers);
      },
    });
  }

  before(async () => {
    const stack = await getStack();
    if (stack.registryUrl === null) throw new Error('the stack has no schema registry');
    config = { ...loadConfig({ kafkaBrokers: stack.brokers, redisUrl: stack.redisUrl, schemaRegistryUrl: stack.registryUrl, appId }), security: noSecurity() };
    env = { ...process.env, KAFKA_BROKERS: stack.brokers.join(','), REDIS_URL: stack.redisUrl, SCHEMA_REGISTRY_URL: stack.registryUrl, LOYALTY_APP_ID: appId, LOYALTY_TOPIC_PREFIX: appId };
    kafka = await kafkaClient();
    admin = kafka.admin();
    await admin.connect();
    serde = new Serde(stack.registryUrl);
  });

  after(async () => {
    for (const processor of running) await processor.stop();
    for (const reader of readers) await reader.disconnect();
    const mine = (await admin.listTopics()).filter((name) => name.startsWith(appId));
    await admin.disconnect();
    await deleteTopics(mine);
    const redis = new Redis(config.redisUrl);
    await deleteAppState(redis, appId);
    await redis.quit();
  });

  test('every number of expected.json, up to the SHARED_CARD timing of RULES.md 6.17', { timeout: 300_000 }, async () => {
    await cli(['topics', 'apply']);
    await cli(['campaigns', 'publish', fixture('campaigns.json'), '--program', fixture('program.json')]);

    const processors = createProcessors({ program, topicPrefix: appId, onDuplicate: () => { duplicates += 1; } });
    const logger = (await import('pino')).pino({ level: 'warn' });
    for (const definition of Object.values(processors)) {
      const started = startProcessor(definition, { config, logger, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000, stopOnSignals: false });
      running.push(started);
      await started.ready;
    }
    await read(topic('loyalty.ledger.v1'), async (value) => { outputs.ledger.push((await serde.decode<LedgerEntry>(value)).value); });
    await read(topic('loyalty.members.v1'), async (value) => { outputs.members.push((await serde.decode<MemberSnapshot>(value)).value); });
    await read(topic('promotions.decisions.v1'), async (value) => { outputs.decisions.push((await serde.decode<PromotionDecision>(value)).value); });
    await read(topic('fraud.signals.v1'), async (value) => { outputs.signals.push((await serde.decode<FraudSignal>(value)).value); });
    for (const base of INPUTS) {
      await read(dlqTopic(topic(base)), async (_value, headers) => { deadLetters.push(headers[DLQ_HEADERS.reason] ?? '(no reason)'); });
    }

    const produced = JSON.parse((await cli(['produce', fixture('events.jsonl'), '--topic', 'orders.v1', '--json'])).stdout) as { produced: number };
    assert.equal(produced.produced, readFileSync(fixture('events.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').length);
    await caughtUp();
    await cli(['clock', 'tick', '--to', String(asOf)]);
    await caughtUp();

    // Every section is compared, and all differences are reported together.
    const failures: string[] = [];
    const section = (name: string, check: () => void): void => {
      try {
        check();
      } catch (error) {
        if (!(error instanceof assert.AssertionError)) throw error;
        failures.push(`${name}: ${error.message}`);
      }
    };

    // Members as of asOf, read as `loyalty state get member` reads them.
    const memberIds = Object.keys(expected.members).sort();
    const actualMembers: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < memberIds.length; i += 10) {
      await Promise.all(memberIds.slice(i, i + 10).map(async (memberId) => {
        const stored = await readStoredMember(config, memberId, topic('orders.v1'));
        assert.equal(stored.streamTime, asOf, `stream time of the task owning ${memberId}`);
        const s = stored.view?.snapshot;
        assert.ok(s, `state of ${memberId}`);
        actualMembers[memberId] = {
          availablePoints: s.availablePoints, heldPoints: s.heldPoints, lastActivityAt: s.lastActivityAt,
          lifetimeEarnedPoints: s.lifetimeEarnedPoints, orderCount: s.orderCount, pendingPoints: s.pendingPoints,
          qualifyingSpendCents: s.qualifyingSpendCents, tier: s.tier,
        };
      }));
    }
    section('members', () => assert.deepStrictEqual(actualMembers, expected.members));

    // A SHARED_CARD HOLD that arrives after the lot activated (RULES.md 6.17) also comes after the
    // member's later snapshots, carrying its signal's earlier time: the last update is the one before it.
    const sharedHolds = outputs.ledger.filter((e) => e.kind === 'HOLD' && e.entryId.includes('/SHARED_CARD/'));
    const lateHoldAt = new Set(sharedHolds.filter((e) => e.availableDelta < 0).map((e) => `${e.memberId}@${e.occurredAt}`));
    const last = new Map<string, MemberSnapshot>();
    for (const snapshot of outputs.members) {
      const previous = last.get(snapshot.memberId);
      const lateHold = previous !== undefined && previous.updatedAt > snapshot.updatedAt && lateHoldAt.has(`${snapshot.memberId}@${snapshot.updatedAt}`);
      if (!lateHold) last.set(snapshot.memberId, snapshot);
    }
    const atLastUpdate = Object.fromEntries([...last.keys()].sort().map((id) => {
      const s = last.get(id) as MemberSnapshot;
      return [id, { qualifyingSpendCents: s.qualifyingSpendCents, tier: s.tier, updatedAt: s.updatedAt }];
    }));
    section('membersAtLastUpdate', () => assert.deepStrictEqual(atLastUpdate, expected.membersAtLastUpdate));

    // Ledger: equal per kind, except lots whose SHARED_CARD HOLD came after their activation.
    const actualLedger = sumByKind(outputs.ledger);
    section('sharedCardHoldLots', () => assert.deepEqual(sharedHolds.map((e) => e.heldDelta).sort((a, b) => a - b), expected.sharedCardHoldLots));
    const late = sharedHolds.filter((e) => e.availableDelta < 0).map((e) => e.heldDelta);
    const latePoints = late.reduce((sum, points) => sum + points, 0);
    const shifted = structuredClone(expected.ledger);
    const activate = shifted.ACTIVATE as KindSums;
    const hold = shifted.HOLD as KindSums;
    activate.count += late.length;
    activate.pendingDelta -= latePoints;
    activate.availableDelta += latePoints;
    hold.pendingDelta += latePoints;
    hold.availableDelta -= latePoints;
    section('ledger', () => assert.deepStrictEqual(actualLedger, shifted, `SHARED_CARD holds after activation: ${JSON.stringify(late)}`));
    for (const delta of ['pendingDelta', 'availableDelta', 'heldDelta'] as const) {
      const total = (ledger: Record<string, KindSums>): number => Object.values(ledger).reduce((sum, row) => sum + row[delta], 0);
      section(`ledger total ${delta}`, () => assert.equal(total(actualLedger), total(expected.ledger)));
    }

    const decisionRows = new Map<string, { campaignId: string; count: number; outcome: string; reason: string | null }>();
    const bonusAwarded: Record<string, number> = {};
    for (const e of outputs.decisions.flatMap((d) => d.evaluations)) {
      const id = `${e.campaignId}|${e.outcome}|${e.reason ?? ''}`;
      const row = decisionRows.get(id) ?? { campaignId: e.campaignId, count: 0, outcome: e.outcome, reason: e.reason };
      row.count += 1;
      decisionRows.set(id, row);
      if (e.outcome === 'AWARDED') bonusAwarded[e.campaignId] = (bonusAwarded[e.campaignId] ?? 0) + e.bonusPoints;
    }
    const byId = (a: { campaignId: string; outcome: string; reason: string | null }): string => `${a.campaignId}|${a.outcome}|${a.reason ?? ''}`;
    section('decisions', () => assert.deepStrictEqual([...decisionRows.values()].sort((a, b) => (byId(a) < byId(b) ? -1 : 1)),
      [...expected.decisions].sort((a, b) => (byId(a) < byId(b) ? -1 : 1))));
    section('bonusAwarded', () => assert.deepStrictEqual(bonusAwarded, expected.bonusAwarded));

    section('signals', () => assert.deepStrictEqual(count(outputs.signals, (s) => s.rule), expected.signals));
    const expectedDlq = Object.fromEntries(Object.entries(expected.dlq).filter(([, n]) => n > 0));
    section('dlq', () => assert.deepStrictEqual(count(deadLetters, (reason) => reason), expectedDlq));
    section('duplicates', () => assert.equal(duplicates, expected.duplicates));
    if (failures.length > 0) assert.fail(`sections that differ from expected.json:\n${failures.join('\n')}`);
  });
});
