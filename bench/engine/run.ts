// Engine benchmark (not a test): the running-sum processor with the full effectively-once protocol
// (Redis state + outbox + Kafka transaction with changelog and offsets) against a bare kafkajs
// consume -> produce loop, on 1 and 4 partitions, on the local stack.
//   node --import tsx bench/engine/run.ts [records]
// Throughput: N records produced up front, time until the group's committed offsets reach the end.
// Latency: records produced at a steady rate carrying their send time; p50/p99 of the time until a
// read_committed consumer sees the output.

import { cpus, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { Serde } from '../../avro/serde.ts';
import type { LedgerEntry } from '../../avro/records.ts';
import { loadConfig } from '../../engine/config.ts';
import { changelogTopic } from '../../engine/changelog.ts';
import { startProcessor } from '../../engine/runtime.ts';
import { noSecurity } from '../../engine/security.ts';
import { createTopic, deleteAppState, deleteTopics, getStack, kafkaClient, uniqueName } from '../../test/integration/harness.ts';
import { LEDGER, runningSum } from '../../test/integration/engine/running-sum.ts';

const RECORDS = Number(process.argv[2] ?? 20_000);
const RATE_PER_SECOND = 400;
const LATENCY_SECONDS = 10;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function entry(i: number, occurredAt: number): LedgerEntry {
  return {
    entryId: `e-${i}`,
    memberId: `member-${i % 1000}`,
    kind: 'EARN',
    orderId: `o-${i}`,
    campaignId: null,
    pendingDelta: 0,
    availableDelta: (i % 97) - 20,
    heldDelta: 0,
    occurredAt,
    programVersion: 1,
  };
}

async function produce(kafka: Kafka, serde: Serde, topic: string, from: number, count: number, occurredAt: () => number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = from; i < from + count; i += 1000) {
    const size = Math.min(1000, from + count - i);
    const messages = Array.from({ length: size }, (_, j) => {
      const value = entry(i + j, occurredAt());
      return { key: value.memberId, value: serde.encodeSync(topic, value) };
    });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

async function caughtUp(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((end) => {
      const offset = committed?.partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
      return BigInt(offset) >= BigInt(end.high);
    });
  } finally {
    await admin.disconnect();
  }
}

/** Starts the system under test; returns its group id and a stop function. */
type Runner = (input: string, output: string, appId: string) => Promise<{ groupId: string; stop: () => Promise<void> }>;

function engineRunner(stack: Awaited<ReturnType<typeof getStack>>): Runner {
  return async (input, output, appId) => {
    const config = { ...loadConfig({ kafkaBrokers: stack.brokers, redisUrl: stack.redisUrl, schemaRegistryUrl: stack.registryUrl ?? undefined, appId }), security: noSecurity() };
    const running = await startProcessor(runningSum(input, output), { config, logger: pino({ level: 'warn' }) });
    await running.ready;
    return { groupId: `${appId}-running-sum`, stop: running.stop };
  };
}

/** The same transformation without state store, outbox or transactions: at-least-once. */
function bareRunner(kafka: Kafka, serde: Serde): Runner {
  return async (input, output, appId) => {
    const groupId = `${appId}-bare`;
    const consumer = kafka.consumer({ groupId });
    const producer = kafka.producer();
    await Promise.all([consumer.connect(), producer.connect()]);
    await serde.prepare(output, LEDGER);
    const sums = new Map<string, number>();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await serde.ensureSchemas(batch.messages.map((message) => message.value));
        const messages = batch.messages.map((message) => {
          const value = serde.decodeSync<LedgerEntry>(message.value).value;
          const sum = (sums.get(value.memberId) ?? 0) + value.availableDelta;
          sums.set(value.memberId, sum);
          return { key: value.memberId, value: serde.encodeSync(output, { ...value, entryId: `${value.entryId}:sum`, availableDelta: sum }) };
        });
        await producer.send({ topic: output, messages });
      },
    });
    return {
      groupId,
      stop: async () => {
        await consumer.disconnect();
        await producer.disconnect();
      },
    };
  };
}

async function measureLatency(kafka: Kafka, serde: Serde, input: string, output: string): Promise<{ p50: number; p99: number; samples: number }> {
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('bench-latency'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: output, fromBeginning: false });
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    assigned = true;
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      await serde.ensureSchemas(batch.messages.map((message) => message.value));
      for (const message of batch.messages) {
        const value = serde.decodeSync<LedgerEntry>(message.value).value;
        if (value.kind === 'EARN') latencies.push(now - value.occurredAt);
      }
    },
  });
  while (!assigned) await sleep(100);
  await sleep(1000);
  const perTick = RATE_PER_SECOND / 10;
  for (let tick = 0; tick < LATENCY_SECONDS * 10; tick += 1) {
    const started = Date.now();
    await produce(kafka, serde, input, RECORDS + tick * perTick, perTick, () => Date.now());
    await sleep(Math.max(0, 100 - (Date.now() - started)));
  }
  await sleep(3000);
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), samples: latencies.length };
}

async function main(): Promise<void> {
  const stack = await getStack();
  if (stack.registryUrl === null) throw new Error('the stack has no schema registry');
  const kafka = await kafkaClient('bench-engine');
  const serde = new Serde(stack.registryUrl);
  const redis = new Redis(stack.redisUrl);
  const rows: string[] = [];
  for (const partitions of [1, 4]) {
    for (const [mode, runner] of [['engine', engineRunner(stack)], ['bare kafkajs', bareRunner(kafka, serde)]] as const) {
      const appId = uniqueName('bench');
      const input = `${appId}.in`;
      const output = `${appId}.out`;
      await createTopic(input, partitions);
      await createTopic(output, partitions);
      await serde.prepare(input, LEDGER);
      await produce(kafka, serde, input, 0, RECORDS, () => 1_700_000_000_000);
      const started = Date.now();
      const system = await runner(input, output, appId);
      while (!(await caughtUp(kafka, system.groupId, input))) await sleep(100);
      const seconds = (Date.now() - started) / 1000;
      const latency = await measureLatency(kafka, serde, input, output);
      await system.stop();
      const throughput = Math.round(RECORDS / seconds);
      rows.push(`| ${mode} | ${partitions} | ${RECORDS} | ${throughput} | ${latency.p50} | ${latency.p99} |`);
      process.stdout.write(`${rows.at(-1)}\n`);
      await deleteTopics([input, output, `${input}.dlq`, changelogTopic(appId, 'running-sum')]);
      await deleteAppState(redis, appId);
    }
  }
  await redis.quit();
  process.stdout.write(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);
  process.stdout.write('| system | partitions | records | records/s (drain) | p50 ms | p99 ms |\n');
  process.stdout.write(`${rows.join('\n')}\n`);
}

await main();
process.exit(0);
