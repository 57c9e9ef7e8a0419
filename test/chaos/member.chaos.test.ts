// Chaos test of the member processor on the real stack: a worker process (member-worker.ts) is
// SIGKILLed at random moments while simulated orders keep arriving, and restarted until caught up.
// Its committed ledger, members, decisions and signals outputs and its Redis state must equal an
// uninterrupted in-memory TestDriver run of the same definition over the same input.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Kafka, PartitionMetadata } from 'kafkajs';
import { Partitioners } from '../../engine/kafka.ts';
import type { Campaign } from '../../avro/records.ts';
import { Serde } from '../../avro/serde.ts';
import { orderKey, takeOrders } from '../../cli/simulate/generator.ts';
import { changelogTopic } from '../../engine/changelog.ts';
import { taskKeys } from '../../engine/keys.ts';
import { readStateValue } from '../../engine/store/redis-store.ts';
import { TestDriver } from '../../engine/test-driver.ts';
import { dlqTopic } from '../../engine/types.ts';
import { createProcessors } from '../../processors/index.ts';
import { loadProgram } from '../../processors/program.ts';
import { topicName } from '../../topics/catalog.ts';
import { createTopic, deleteAppState, deleteTopics, getStack, kafkaClient, uniqueName, type TestStack } from '../integration/harness.ts';
import { KEEP_FOREVER, readTopic } from '../integration/engine/io.ts';
import { saveLogs, startWorker, type Worker } from './worker-process.ts';

const PARTITIONS = 4;
/** Smaller runs while debugging: CHAOS_ORDERS=1000 CHAOS_KILLS=4. */
const ORDERS = Number(process.env.CHAOS_ORDERS ?? 3000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 10);
const MEMBERS = 300;
const ORDER_RECORD = 'loyalty.orders.OrderEvent';
const CAMPAIGN_RECORD = 'loyalty.promotions.Campaign';
const START = Date.UTC(2026, 2, 2, 6);
/** The outputs compared with the uninterrupted run (byCard feeds the card-fraud processor, not tested here). */
const OUTPUTS = ['ledger', 'members', 'decisions', 'signals'] as const;
type OutputName = (typeof OUTPUTS)[number];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Keyed {
  key: string | null;
  value: unknown;
}

const NO_PARAMS = { extraMultiplierBp: null, categories: null, bonusPoints: null, every: null };

/** Campaigns in force over the whole simulated period, so most member orders get a decision. */
const CAMPAIGNS: Campaign[] = ([
  { campaignId: 'spend-1500', type: 'SPEND_THRESHOLD', minEligibleCents: 1500, params: { ...NO_PARAMS, bonusPoints: 120 }, maxAwardsPerMember: 4 },
  { campaignId: 'third-visit', type: 'NTH_VISIT', minEligibleCents: 0, params: { ...NO_PARAMS, every: 3, bonusPoints: 50 }, maxAwardsPerMember: null },
  { campaignId: 'welcome', type: 'FIRST_ORDER', minEligibleCents: 0, params: { ...NO_PARAMS, bonusPoints: 200 }, maxAwardsPerMember: null },
] satisfies Pick<Campaign, 'campaignId' | 'type' | 'minEligibleCents' | 'params' | 'maxAwardsPerMember'>[]).map((c) => ({
  ...c, version: 1, startsAt: Date.UTC(2026, 0, 1), endsAt: Date.UTC(2027, 0, 1), channels: null, stores: null, tiers: null,
  daypart: null, controlGroupBp: 1000, exclusiveGroup: null,
}));

/** The input partition of a key: Kafka's default partitioner, as the engine uses for keyed outputs. */
function partitionOf(key: string): number {
  const murmur = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0],
  }));
  return murmur({ topic: 'orders', partitionMetadata, message: { key, value: null } });
}

async function produce(kafka: Kafka, topic: string, messages: { partition?: number; key: string; value: Buffer }[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, messages: messages.slice(i, i + 500) });
  } finally {
    await producer.disconnect();
  }
}

function startProcessorWorker(stack: TestStack, appId: string): Worker {
  return startWorker('test/chaos/member-worker.ts', { appId, brokers: stack.brokers, redisUrl: stack.redisUrl, registryUrl: stack.registryUrl });
}

/** Where two record lists first differ, for the message of a failed comparison. */
function firstDifference(actual: Keyed[], expected: Keyed[]): string {
  const index = expected.findIndex((record, i) => JSON.stringify(record) !== JSON.stringify(actual[i]));
  const at = index === -1 ? expected.length : index;
  return `${actual.length} read, ${expected.length} expected; first difference at ${at}: read ${JSON.stringify(actual[at])}, expected ${JSON.stringify(expected[at])}`;
}

const countEvents = (logs: string[][], event: string): number => logs.flat().filter((line) => line.includes(`"event":"${event}"`)).length;

describe('member chaos', () => {
  const appId = uniqueName('chaos-member');
  const definition = createProcessors({ program: loadProgram(), topicPrefix: appId }).member;
  const ordersTopic = topicName('orders.v1', appId);
  const campaignsTopic = topicName('campaigns.v1', appId);
  const inputTopics = definition.inputs.map((input) => input.topic);
  const outputTopics = [...new Set(Object.values(definition.outputs).map((output) => output.topic))];
  const ownTopics = [...new Set([...inputTopics, ...outputTopics, ...inputTopics.map(dlqTopic), campaignsTopic])];
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
    for (const topic of ownTopics) await createTopic(topic, topic === campaignsTopic ? 1 : PARTITIONS, KEEP_FOREVER);
  });

  after(async () => {
    await deleteTopics([...ownTopics, changelogTopic(appId, definition.name)]);
    await deleteAppState(redis, appId);
    await redis.quit();
  });

  test(`SIGKILL at ${KILLS} random moments: ledger, members, decisions, signals and state equal an uninterrupted run`, { timeout: 600_000 }, async () => {
    const orders = takeOrders({ seed: 'chaos-member', members: MEMBERS, start: START }, ORDERS);
    const inputs = orders.map((order) => ({ order, key: orderKey(order), partition: partitionOf(orderKey(order)) }));

    // Campaigns are in the global table before any worker starts, so every order sees them.
    await serde.prepare(campaignsTopic, CAMPAIGN_RECORD);
    await produce(kafka, campaignsTopic, CAMPAIGNS.map((c) => ({ key: c.campaignId, value: serde.encodeSync(campaignsTopic, c) })));

    // The uninterrupted run: one driver per input partition, records in partition order.
    const drivers: TestDriver[] = [];
    const expected = new Map<OutputName, Keyed[][]>(OUTPUTS.map((output) => [output, []]));
    for (let partition = 0; partition < PARTITIONS; partition += 1) {
      const driver = new TestDriver(definition, { partition });
      for (const campaign of CAMPAIGNS) driver.setGlobal('campaigns', campaign.campaignId, campaign);
      for (const input of inputs.filter((i) => i.partition === partition)) driver.pipe(ordersTopic, input.key, input.order);
      assert.deepEqual(driver.deadLetters(), [], 'the simulated input is valid');
      for (const output of OUTPUTS) expected.get(output)?.push(driver.outputs(output).map(({ key, value }) => ({ key, value })));
      drivers.push(driver);
    }
    const totals = new Map(OUTPUTS.map((output) => [output, (expected.get(output) ?? []).reduce((sum, list) => sum + list.length, 0)]));
    for (const output of OUTPUTS) assert.ok((totals.get(output) ?? 0) > 10, `the run has ${output} outputs (${totals.get(output)})`);

    // Orders arrive in chunks while each worker runs, so every worker has work when killed.
    await serde.prepare(ordersTopic, ORDER_RECORD);
    const encoded = inputs.map((input) => ({ partition: input.partition, key: input.key, value: serde.encodeSync(ordersTopic, input.order) }));
    const chunk = Math.ceil(encoded.length / (KILLS + 1));
    const logs: string[][] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      const worker = startProcessorWorker(stack, appId);
      logs.push(worker.log);
      // Half the kills land while the worker joins the group and recovers its tasks, half while
      // batches are committing (not while tsx loads modules, which would test nothing).
      await Promise.race([kill % 2 === 1 ? worker.ready : worker.loaded, sleep(20_000)]);
      const producing = produce(kafka, ordersTopic, encoded.slice(kill * chunk, (kill + 1) * chunk));
      await sleep(kill % 2 === 0 ? 300 + Math.floor(Math.random() * 3000) : 100 + Math.floor(Math.random() * 1500));
      worker.child.kill('SIGKILL');
      await Promise.all([worker.exited, producing]);
    }
    await produce(kafka, ordersTopic, encoded.slice(KILLS * chunk));
    const last = startProcessorWorker(stack, appId);
    logs.push(last.log);
    try {
      await last.ready;
      const reads = await Promise.all(OUTPUTS.map((output) =>
        readTopic(kafka, definition.outputs[output]?.topic ?? '', totals.get(output) ?? 0, 240_000, 4000)));
      for (const [index, output] of OUTPUTS.entries()) {
        // A keyed output lands on the partition of its key, which is the input partition of the key.
        const actual: Keyed[][] = Array.from({ length: PARTITIONS }, () => []);
        for (const { partition, message } of reads[index] ?? []) {
          actual[partition]?.push({ key: message.key?.toString() ?? null, value: (await serde.decode(message.value)).value });
        }
        for (let partition = 0; partition < PARTITIONS; partition += 1) {
          const want = expected.get(output)?.[partition] ?? [];
          const got = actual[partition] ?? [];
          assert.deepEqual(got, want, `${output} of input partition ${partition}, in order: ${firstDifference(got, want)}`);
        }
      }
      for (const { key, partition } of new Map(inputs.map((input) => [input.key, input])).values()) {
        const stored = Object.fromEntries((await readStateValue(redis, taskKeys(appId, definition.name, partition), key)).fields);
        assert.deepEqual(stored, drivers[partition]?.state(key) ?? {}, `Redis state of ${key}`);
      }
      process.stdout.write(
        `# orders=${orders.length} ${OUTPUTS.map((o) => `${o}=${totals.get(o)}`).join(' ')} kills=${KILLS} outbox_replays=${countEvents(logs, 'outbox_replayed')} restores=${countEvents(logs, 'state_restored')} batch_failures=${countEvents(logs, 'batch_failed')}\n`,
      );
    } finally {
      last.child.kill('SIGTERM');
      await Promise.race([last.exited, sleep(20_000)]);
      last.child.kill('SIGKILL');
      process.stdout.write(`# worker logs: ${saveLogs('chaos-member', logs)}\n`);
    }
  });
});
