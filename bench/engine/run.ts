// Engine benchmark (not a test): the running-sum processor with the full effectively-once protocol
// (Redis state + outbox + Kafka transaction with changelog and offsets) against a bare kafkajs
// consume -> produce loop (decode, sum in memory, produce; no state store, no transactions), in
// the same run, on the matrix: 1 and 4 partitions x 10k and 1M keys.
//   node --import tsx bench/engine/run.ts [--partitions 1,4] [--keys 10000,1000000] [--records 1000000,1000000]
//                                         [--latency-seconds 10] [--rate 400] [--systems engine,bare,bare-patched]
//                                         [--out BENCHMARKS.md]   (the result section is appended there; --out '' prints only)
// Systems: `engine`; `bare`, the baseline, on stock kafkajs in a child process (bare-stock.ts: the
// engine's process runs a patched kafkajs, engine/kafkajs-install.ts, and a process holds one);
// `bare-patched`, the same loop in this process on the patched kafkajs.
// `--records` pairs with `--keys` (records of the i-th key count); record i belongs to member i mod keys.
// Both systems read the same input topic (one produce per case), each with its own group and output.
// Throughput: time from the group's first committed offset to its committed offsets reaching the
// end (steady drain; the group join and task open before the first commit are reported apart).
// Latency: records produced at a steady rate after the drain, p50/p99 of the time from their send
// to a read_committed consumer seeing their output. Event time is the same for every record, so the
// processor's idle timers are written (one per key) but never fire: the bench measures the commit
// path, not a flush of every key's timer.
// Redis memory (engine only, after the drain): MEMORY USAGE (SAMPLES 0) of sampled state values,
// the timers sorted sets per key, and the growth of used_memory per key.

import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { Admin, Kafka, Message } from 'kafkajs';
import { pino } from 'pino';
import { Serde } from '../../avro/serde.ts';
import type { LedgerEntry } from '../../avro/records.ts';
import { REPO_ROOT, loadConfig } from '../../engine/config.ts';
import { changelogTopic } from '../../engine/changelog.ts';
import { taskKeys } from '../../engine/keys.ts';
import { startProcessor } from '../../engine/runtime.ts';
import { noSecurity } from '../../engine/security.ts';
import { createTopic, deleteAppState, deleteTopics, getStack, kafkaClient, uniqueName } from '../../test/integration/harness.ts';
import { LEDGER, runningSum } from '../../test/integration/engine/running-sum.ts';
import { startBareLoop } from './bare.ts';

const { values: args } = parseArgs({
  options: {
    partitions: { type: 'string', default: '1,4' },
    keys: { type: 'string', default: '10000,1000000' },
    records: { type: 'string', default: '1000000,1000000' },
    'latency-seconds': { type: 'string', default: '10' },
    rate: { type: 'string', default: '400' },
    systems: { type: 'string', default: 'engine,bare,bare-patched' },
    /** File the result section is appended to; '' = print only. */
    out: { type: 'string', default: join(REPO_ROOT, 'BENCHMARKS.md') },
  },
});
const numbers = (text: string): number[] => text.split(',').map((part) => Number(part.trim()));
const PARTITIONS = numbers(args.partitions);
const KEYS = numbers(args.keys);
const RECORDS = numbers(args.records);
if (RECORDS.length !== KEYS.length) throw new Error('--records needs one count per --keys entry');
const LATENCY_SECONDS = Number(args['latency-seconds']);
const RATE_PER_SECOND = Number(args.rate);
const SYSTEMS = args.systems.split(',').map((system) => system.trim());
const EVENT_TIME = 1_700_000_000_000;
const MEMORY_SAMPLES = 2000;
const PRODUCE_CHUNK = 1000;
const PRODUCE_IN_FLIGHT = 4;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const load = (): string => loadavg().map((value) => value.toFixed(1)).join(' ');

function entry(i: number, keys: number): LedgerEntry {
  return {
    entryId: `e-${i}`,
    memberId: `member-${i % keys}`,
    kind: 'EARN',
    orderId: `o-${i}`,
    campaignId: null,
    pendingDelta: 0,
    availableDelta: (i % 97) - 20,
    heldDelta: 0,
    occurredAt: EVENT_TIME,
    programVersion: 1,
  };
}

/** Produces records [from, from + count) with a few sends in flight; `sent` hears each record's send time. */
async function produce(kafka: Kafka, serde: Serde, topic: string, from: number, count: number, keys: number, sent?: Map<string, number>): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = from; i < from + count; i += PRODUCE_CHUNK) {
    const size = Math.min(PRODUCE_CHUNK, from + count - i);
    const messages: Message[] = [];
    const now = Date.now();
    for (let j = 0; j < size; j += 1) {
      const value = entry(i + j, keys);
      sent?.set(value.entryId, now);
      messages.push({ key: value.memberId, value: serde.encodeSync(topic, value) });
    }
    const send = producer.send({ topic, messages });
    inFlight.add(send);
    void send.finally(() => inFlight.delete(send));
    if (inFlight.size >= PRODUCE_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await producer.disconnect();
}

/** Records of `topic` the group has committed past (the sum over partitions of committed offsets). */
async function committedCount(admin: Admin, groupId: string, topic: string): Promise<bigint> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let sum = 0n;
  for (const partition of committed?.partitions ?? []) if (BigInt(partition.offset) > 0n) sum += BigInt(partition.offset);
  return sum;
}

/** Starts the system under test; returns its group id and a stop function. */
type Runner = (input: string, output: string, appId: string) => Promise<{ groupId: string; stop: () => Promise<void> }>;

function engineRunner(stack: Awaited<ReturnType<typeof getStack>>): Runner {
  return async (input, output, appId) => {
    const config = { ...loadConfig({ kafkaBrokers: stack.brokers, redisUrl: stack.redisUrl, schemaRegistryUrl: stack.registryUrl ?? undefined, appId }), security: noSecurity() };
    const running = startProcessor(runningSum(input, output), { config, logger: pino({ level: 'warn' }), stopOnSignals: false });
    await running.ready;
    return { groupId: `${appId}-running-sum`, stop: running.stop };
  };
}

/** The baseline on stock kafkajs, in a child process (bare-stock.ts). */
function bareStockRunner(stack: Awaited<ReturnType<typeof getStack>>): Runner {
  return async (input, output, appId) => {
    const groupId = `${appId}-bare`;
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./bare-stock.ts', import.meta.url).pathname, stack.brokers.join(','), stack.registryUrl ?? '', input, output, groupId], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`bare-stock.ts exited with ${String(code)} before it was ready`)));
    });
    return {
      groupId,
      stop: async () => {
        child.kill('SIGTERM');
        await exited;
      },
    };
  };
}

/** The same loop in this process, on the engine's patched kafkajs (engine/kafkajs-install.ts). */
function barePatchedRunner(kafka: Kafka, serde: Serde): Runner {
  return async (input, output, appId) => {
    const groupId = `${appId}-bare-patched`;
    return { groupId, stop: await startBareLoop(kafka, serde, input, output, groupId) };
  };
}

interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

async function measureLatency(kafka: Kafka, serde: Serde, input: string, output: string, from: number, keys: number): Promise<Latency> {
  const sent = new Map<string, number>();
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
        const at = sent.get(value.entryId.replace(/:sum$/, ''));
        if (at !== undefined) latencies.push(now - at);
      }
    },
  });
  while (!assigned) await sleep(100);
  await sleep(1000);
  const perTick = Math.max(1, Math.round(RATE_PER_SECOND / 10));
  for (let tick = 0; tick < LATENCY_SECONDS * 10; tick += 1) {
    const started = Date.now();
    await produce(kafka, serde, input, from + tick * perTick, perTick, keys, sent);
    await sleep(Math.max(0, 100 - (Date.now() - started)));
  }
  await sleep(3000);
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), samples: latencies.length };
}

interface Memory {
  stateBytes: number;
  timerBytes: number;
  usedBytes: number;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** Redis bytes per key of the engine's state: sampled values, timers index, growth of used_memory. */
async function memoryPerKey(redis: Redis, appId: string, partitions: number, keys: number, usedBefore: number): Promise<Memory> {
  const tasks = Array.from({ length: partitions }, (_, partition) => taskKeys(appId, 'running-sum', partition));
  const step = Math.max(1, Math.floor(keys / MEMORY_SAMPLES));
  const pipeline = redis.pipeline();
  for (let member = 0; member < keys; member += step) {
    for (const task of tasks) pipeline.call('MEMORY', 'USAGE', `${task.statePrefix}member-${member}`, 'SAMPLES', '0');
  }
  const sizes = ((await pipeline.exec()) ?? []).map(([, size]) => size).filter((size): size is number => typeof size === 'number');
  const timers = await Promise.all(tasks.map((task) => redis.call('MEMORY', 'USAGE', task.timers, 'SAMPLES', '0')));
  const timerBytes = timers.reduce<number>((sum, size) => sum + (typeof size === 'number' ? size : 0), 0);
  const stateBytes = sizes.reduce((sum, size) => sum + size, 0) / Math.max(1, sizes.length);
  return { stateBytes: Math.round(stateBytes), timerBytes: Math.round(timerBytes / keys), usedBytes: Math.round(((await usedMemory(redis)) - usedBefore) / keys) };
}

interface Row {
  system: string;
  partitions: number;
  keys: number;
  records: number;
  startupSeconds: number;
  drainSeconds: number;
  throughput: number;
  latency: Latency;
  memory: Memory | null;
  load: string;
}

async function main(): Promise<void> {
  const stack = await getStack();
  if (stack.registryUrl === null) throw new Error('the stack has no schema registry');
  const kafka = await kafkaClient('bench-engine');
  const serde = new Serde(stack.registryUrl);
  const redis = new Redis(stack.redisUrl);
  const runners: Record<string, Runner> = { engine: engineRunner(stack), bare: bareStockRunner(stack), 'bare-patched': barePatchedRunner(kafka, serde) };
  const rows: Row[] = [];
  const benchStarted = Date.now();
  const loadAtStart = load();
  process.stdout.write(`load average at start: ${loadAtStart}\n`);
  for (const [index, keys] of KEYS.entries()) {
    const records = RECORDS[index] ?? keys;
    for (const partitions of PARTITIONS) {
      const caseId = uniqueName('bench');
      const input = `${caseId}.in`;
      await createTopic(input, partitions);
      await serde.prepare(input, LEDGER);
      // An admin per case: a kafkajs admin keeps refreshing the metadata of every topic it saw, and
      // fails once an earlier case's topics are deleted.
      const admin = kafka.admin();
      await admin.connect();
      const produceStarted = Date.now();
      await produce(kafka, serde, input, 0, records, keys);
      process.stdout.write(`produced ${records} records for ${keys} keys on ${partitions} partition(s) in ${((Date.now() - produceStarted) / 1000).toFixed(1)} s\n`);
      let latencyFrom = records;
      for (const system of SYSTEMS) {
        const runner = runners[system];
        if (runner === undefined) throw new Error(`unknown system ${system}`);
        const appId = `${caseId}-${system}`;
        const output = `${appId}.out`;
        await createTopic(output, partitions);
        const target = (await admin.fetchTopicOffsets(input)).reduce((sum, partition) => sum + BigInt(partition.high), 0n);
        const usedBefore = await usedMemory(redis);
        const started = Date.now();
        const running = await runner(input, output, appId);
        let first: { at: number; count: bigint } | null = null;
        let count = 0n;
        while (count < target) {
          await sleep(50);
          count = await committedCount(admin, running.groupId, input);
          if (first === null && count > 0n) first = { at: Date.now(), count };
        }
        const ended = Date.now();
        const begin = first ?? { at: started, count: 0n };
        const drainSeconds = Math.max(0.001, (ended - begin.at) / 1000);
        const throughput = Math.round(Number(target - begin.count) / drainSeconds);
        const loadAfterDrain = load();
        const memory = system === 'engine' ? await memoryPerKey(redis, appId, partitions, keys, usedBefore) : null;
        const latency = await measureLatency(kafka, serde, input, output, latencyFrom, keys);
        latencyFrom += LATENCY_SECONDS * Math.max(1, Math.round(RATE_PER_SECOND / 10)) * 10;
        await running.stop();
        const row: Row = {
          system,
          partitions,
          keys,
          records,
          startupSeconds: (begin.at - started) / 1000,
          drainSeconds,
          throughput,
          latency,
          memory,
          load: loadAfterDrain,
        };
        rows.push(row);
        process.stdout.write(`${JSON.stringify(row)}\n`);
        await deleteTopics([output, `${input}.dlq`, changelogTopic(appId, 'running-sum')]);
        await deleteAppState(redis, appId);
      }
      await admin.disconnect();
      await deleteTopics([input]);
    }
  }
  await redis.quit();
  const lines: string[] = [];
  const out = (line: string): void => {
    lines.push(line);
  };
  out(`\n## Engine: running-sum processor, full protocol vs bare kafkajs (bench/engine/run.ts, ${new Date().toISOString().slice(0, 10)})\n`);
  out(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; local single-node Kafka and Redis.`);
  out(`Command: \`node --import tsx bench/engine/run.ts ${process.argv.slice(2).join(' ')}\`.`.replace(' `.', '`.'));
  out(`Load average (1/5/15 min) at the start ${loadAtStart}, at the end ${load()}; the bench took ${Math.round((Date.now() - benchStarted) / 1000)} s.`);
  out('"bare" is the baseline on stock kafkajs in its own process; "bare-patched" the same loop on the engine\'s patched kafkajs.\n');
  out('| system | partitions | keys | records | records/s (drain) | engine / bare | engine / bare-patched | p50 ms | p99 ms | first commit after s | load avg (1/5/15 min) |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const ratio = (baseline: string): string => {
      const other = rows.find((candidate) => candidate.system === baseline && candidate.partitions === row.partitions && candidate.keys === row.keys);
      return row.system === 'engine' && other ? (row.throughput / other.throughput).toFixed(2) : '';
    };
    out(
      `| ${row.system} | ${row.partitions} | ${row.keys} | ${row.records} | ${row.throughput} | ${ratio('bare')} | ${ratio('bare-patched')} | ${row.latency.p50} | ${row.latency.p99} | ${row.startupSeconds.toFixed(1)} | ${row.load} |`,
    );
  }
  out('\n| partitions | keys | state value bytes/key (MEMORY USAGE, sampled) | timer zset bytes/key | used_memory growth bytes/key |');
  out('|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    if (row.memory === null) continue;
    out(`| ${row.partitions} | ${row.keys} | ${row.memory.stateBytes} | ${row.memory.timerBytes} | ${row.memory.usedBytes} |`);
  }
  const section = `${lines.join('\n')}\n`;
  process.stdout.write(section);
  if (args.out !== '') appendFileSync(args.out, section);
}

await main();
process.exit(0);
