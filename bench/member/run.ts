// Member processor benchmark (not a test), on the local stack:
//   node --import tsx bench/member/run.ts [--members 100000] [--orders 50000] [--rate 200] [--seconds 15]
// 1. Throughput: `--orders` simulated orders (cli/simulate, 1–8 lines, redemptions, refunds, guests)
//    are produced up front; time from starting the system (startup included) until its group has
//    consumed them all.
// 2. Latency: orders produced at `--rate` per second for `--seconds`; for each, the time from the
//    input record's Kafka timestamp to the receipt of its first ledger entry (read_committed).
// 3. Redis bytes per member: MEMORY USAGE of a sample of member state values.
// The same two measurements for a bare kafkajs consume → produce loop (no state, no transactions)
// over the same input topic, and the ratios. Wall clock is fine here: it measures, it decides nothing.
import { cpus, totalmem, loadavg } from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { pino } from 'pino';
import type { LedgerEntry, OrderEvent } from '../../avro/records.ts';
import { Serde } from '../../avro/serde.ts';
import { orderKey, simulateOrders } from '../../cli/simulate/generator.ts';
import { changelogTopic } from '../../engine/changelog.ts';
import { loadConfig, REPO_ROOT } from '../../engine/config.ts';
import { startProcessor } from '../../engine/runtime.ts';
import { noSecurity } from '../../engine/security.ts';
import { dlqTopic } from '../../engine/types.ts';
import { createProcessors } from '../../processors/index.ts';
import { loadProgram } from '../../processors/program.ts';
import { topicName } from '../../topics/catalog.ts';
import { STATE_INFIX } from '../../engine/keys.ts';
import { createTopic, deleteAppState, deleteTopics, getStack, kafkaClient, uniqueName } from '../../test/integration/harness.ts';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '100000' },
    orders: { type: 'string', default: '50000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '15' },
  },
});
const MEMBERS = Number(args.members);
const ORDERS = Number(args.orders);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const PARTITIONS = 4;
const ORDER_RECORD = 'loyalty.orders.OrderEvent';
const LEDGER_RECORD = 'loyalty.ledger.LedgerEntry';
const MEMORY_SAMPLE = 2000;
const START = Date.UTC(2026, 0, 5);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string): void => { process.stderr.write(`[bench] ${line}\n`); };

/** The event the ledger entry comes from: entry ids are `<eventId>/L<n>` for order events. */
const eventOf = (entryId: string): string => entryId.slice(0, entryId.lastIndexOf('/L'));

interface System { groupId: string; output: string; stop: () => Promise<void> }

class OrderSource {
  private readonly events = simulateOrders({ seed: 'bench-member', members: MEMBERS, start: START });
  next(count: number): OrderEvent[] {
    return Array.from({ length: count }, () => this.events.next().value);
  }
}

async function produce(producer: Producer, serde: Serde, topic: string, orders: OrderEvent[], sentAt?: Map<string, number>): Promise<void> {
  for (let i = 0; i < orders.length; i += 1000) {
    const now = Date.now();
    const messages = orders.slice(i, i + 1000).map((order) => {
      sentAt?.set(order.eventId, now);
      return { key: orderKey(order), value: serde.encodeSync(topic, order), timestamp: String(now) };
    });
    await producer.send({ topic, messages });
  }
}

async function consumedAll(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((end) => BigInt(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1') >= BigInt(end.high));
  } finally {
    await admin.disconnect();
  }
}

async function topicRecords(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, end) => sum + Number(end.high) - Number(end.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Orders at RATE/s for SECONDS; p50/p99 of input timestamp → first output entry of the same event. */
async function latency(kafka: Kafka, producer: Producer, serde: Serde, input: string, output: string, source: OrderSource): Promise<{ p50: number; p99: number; samples: number }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('bench-latency'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: output, fromBeginning: false });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => { joined = true; });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      await serde.ensureSchemas(batch.messages.map((message) => message.value));
      for (const message of batch.messages) {
        const event = eventOf(serde.decodeSync<LedgerEntry>(message.value).value.entryId);
        const sent = sentAt.get(event);
        if (sent === undefined) continue;
        latencies.push(now - sent);
        sentAt.delete(event);
      }
    },
  });
  while (!joined) await sleep(100);
  await sleep(1000);
  const perTick = Math.max(1, Math.round(RATE / 10));
  for (let tick = 0; tick < SECONDS * 10; tick++) {
    const started = Date.now();
    await produce(producer, serde, input, source.next(perTick), sentAt);
    await sleep(Math.max(0, 100 - (Date.now() - started)));
  }
  await sleep(5000);
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), samples: latencies.length };
}

/** Decode the order, write one EARN-like entry per order: the floor of what a stream processor does. */
async function startBare(kafka: Kafka, serde: Serde, input: string, output: string, appId: string): Promise<System> {
  const groupId = `${appId}-bare`;
  const consumer = kafka.consumer({ groupId });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await serde.ensureSchemas(batch.messages.map((message) => message.value));
      const messages = batch.messages.map((message) => {
        const order = serde.decodeSync<OrderEvent>(message.value).value;
        const entry: LedgerEntry = {
          entryId: `${order.eventId}/L0`, memberId: orderKey(order), kind: 'EARN', orderId: order.orderId, campaignId: null,
          pendingDelta: Math.floor(order.totalCents / 10), availableDelta: 0, heldDelta: 0, occurredAt: order.occurredAt, programVersion: 1,
        };
        return { key: entry.memberId, value: serde.encodeSync(output, entry) };
      });
      await producer.send({ topic: output, messages });
    },
  });
  return { groupId, output, stop: async () => { await consumer.disconnect(); await producer.disconnect(); } };
}

async function memberBytes(redis: Redis, appId: string): Promise<{ sampled: number; bytesPerMember: number }> {
  const sizes: number[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${appId}:member:*}${STATE_INFIX}m-*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (sizes.length >= MEMORY_SAMPLE) break;
      const bytes = await redis.memory('USAGE', key, 'SAMPLES', '0');
      if (typeof bytes === 'number') sizes.push(bytes);
    }
  } while (cursor !== '0' && sizes.length < MEMORY_SAMPLE);
  return { sampled: sizes.length, bytesPerMember: Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)) };
}

async function main(): Promise<void> {
  const stack = await getStack();
  if (stack.registryUrl === null) throw new Error('the stack has no schema registry');
  const appId = uniqueName('bench-member');
  const topic = (base: string): string => topicName(base, appId);
  const config = { ...loadConfig({ kafkaBrokers: stack.brokers, redisUrl: stack.redisUrl, schemaRegistryUrl: stack.registryUrl, appId }), security: noSecurity() };
  const env = { ...process.env, KAFKA_BROKERS: stack.brokers.join(','), REDIS_URL: stack.redisUrl, SCHEMA_REGISTRY_URL: stack.registryUrl, LOYALTY_APP_ID: appId, LOYALTY_TOPIC_PREFIX: appId };
  const kafka = await kafkaClient('bench-member');
  const serde = new Serde(stack.registryUrl);
  const redis = new Redis(stack.redisUrl);
  const bareOutput = topic('bench.bare-ledger.v1');
  const created = [...['orders.v1', 'fraud.signals.v1', 'loyalty.commands.v1', 'loyalty.ledger.v1', 'loyalty.members.v1',
    'promotions.decisions.v1', 'orders.by-card.v1'].map(topic), bareOutput];
  const cleanup = [...created, topic('campaigns.v1'), ...['orders.v1', 'fraud.signals.v1', 'loyalty.commands.v1'].map((b) => dlqTopic(topic(b))),
    changelogTopic(appId, 'member')];
  try {
    for (const name of created) await createTopic(name, PARTITIONS);
    await createTopic(topic('campaigns.v1'), 1);
    await promisify(execFile)(process.execPath, ['bin/loyalty.js', 'campaigns', 'publish', 'programs/campaigns'], { cwd: REPO_ROOT, env });
    await serde.prepare(topic('orders.v1'), ORDER_RECORD);
    await serde.prepare(bareOutput, LEDGER_RECORD);

    const source = new OrderSource();
    const orders = source.next(ORDERS);
    const lines = orders.filter((o) => o.type === 'COMPLETED').map((o) => o.lines.length);
    log(`${orders.length} orders for ${MEMBERS} members, ${lines.reduce((a, b) => Math.min(a, b))}–${lines.reduce((a, b) => Math.max(a, b))} lines per completed order, ${orders.filter((o) => o.memberId === null).length} guest, ${orders.filter((o) => o.type === 'REFUNDED').length} refunds; producing`);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await produce(producer, serde, topic('orders.v1'), orders);

    const rows: string[] = [];
    const results: Record<string, { perSecond: number; p50: number; p99: number }> = {};
    const systems: [string, () => Promise<System>][] = [
      ['member processor (Redis state, transactions)', async () => {
        const definition = createProcessors({ program: loadProgram(), topicPrefix: appId }).member;
        const running = startProcessor(definition, { config, logger: pino({ level: 'warn' }), stopOnSignals: false });
        await running.ready;
        return { groupId: `${appId}-member`, output: topic('loyalty.ledger.v1'), stop: running.stop };
      }],
      ['bare kafkajs consume → produce', () => startBare(kafka, serde, topic('orders.v1'), bareOutput, appId)],
    ];
    for (const [name, start] of systems) {
      const records = await topicRecords(kafka, topic('orders.v1'));
      log(`${name}: draining ${records} records`);
      const started = Date.now();
      const system = await start();
      while (!(await consumedAll(kafka, system.groupId, topic('orders.v1')))) await sleep(200);
      const perSecond = Math.round(records / ((Date.now() - started) / 1000));
      log(`${name}: ${perSecond} orders/s; latency at ${RATE}/s for ${SECONDS} s`);
      const { p50, p99, samples } = await latency(kafka, producer, serde, topic('orders.v1'), system.output, source);
      await system.stop();
      results[name] = { perSecond, p50, p99 };
      rows.push(`| ${name} | ${records} | ${perSecond} | ${p50} | ${p99} | ${samples} |`);
      log(rows.at(-1) ?? '');
    }
    await producer.disconnect();
    const memory = await memberBytes(redis, appId);
    const [member, bare] = Object.values(results);
    const out = [
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)} at the end`,
      `input: ${ORDERS} simulated orders, ${MEMBERS} members, ${PARTITIONS} partitions; latency phase ${RATE} orders/s for ${SECONDS} s`,
      '',
      '| system | records drained | orders/s | p50 ms | p99 ms | latency samples |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `member / bare throughput: ${member && bare ? (member.perSecond / bare.perSecond).toFixed(2) : '-'}; p50 latency ratio ${member && bare ? (member.p50 / bare.p50).toFixed(1) : '-'}`,
      `Redis bytes per member (MEMORY USAGE of ${memory.sampled} member state values): ${memory.bytesPerMember}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await deleteTopics(cleanup);
    await deleteAppState(redis, appId);
    await redis.quit();
  }
}

await main();
process.exit(0);
