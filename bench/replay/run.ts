// Benchmark (not a test): records/s of `loyalty replay` against a raw kafkajs read of the same
// topic on the real local broker. Three numbers: a raw consumer counting records (the ceiling),
// the replay read path in process (bounded window read + Avro decode + plain JSON line), and the
// spawned CLI end to end (process start included). Appends a section to BENCHMARKS.md.
//   node --import tsx bench/replay/run.ts [--records N] [--no-write]
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from '../../engine/kafka.ts';
import { Serde } from '../../avro/serde.ts';
import { kafkaFor, securedConfig } from '../../cli/ops/connect.ts';
import { printable } from '../../cli/ops/records.ts';
import { readRanges, resolveWindow } from '../../cli/ops/window.ts';
import { orderKey, takeOrders } from '../../cli/simulate/generator.ts';
import { REPO_ROOT, requireKafkaBrokers, requireSchemaRegistryUrl } from '../../engine/config.ts';

const args = process.argv.slice(2);
const recordsArg = args.indexOf('--records');
const total = recordsArg >= 0 ? Number(args[recordsArg + 1]) : 20_000;
const PARTITIONS = 4;
const topic = `bench-replay-${Date.now().toString(36)}-${process.pid}`;

const config = securedConfig({});
const kafka = new Kafka({ clientId: 'bench-replay', brokers: requireKafkaBrokers(config), logLevel: logLevel.WARN });
const serde = new Serde(requireSchemaRegistryUrl(config));

function rate(count: number, ms: number): number {
  return Math.round((count * 1000) / ms);
}

async function fill(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  await serde.prepare(topic, 'loyalty.orders.OrderEvent');
  const orders = takeOrders({ seed: 'bench', members: 2000, start: Date.parse('2026-01-05T00:00:00Z') }, total);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < orders.length; i += 1000) {
    await producer.send({ topic, messages: orders.slice(i, i + 1000).map((o) => ({ key: orderKey(o), value: serde.encodeSync(topic, o) })) });
  }
  await producer.disconnect();
}

/** A raw kafkajs consumer counting records, from the first record to the last. */
async function rawRead(): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}-raw` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  const ms = await new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (started === 0) started = performance.now();
        seen += batch.messages.length;
        if (seen >= total) resolve(performance.now() - started);
      },
    });
  });
  await consumer.disconnect();
  return ms;
}

/** The replay read path in process: window resolution, bounded read, decode, JSON line. */
async function replayPath(): Promise<number> {
  const cliKafka = kafkaFor(config, 'bench-replay-cli');
  const admin = cliKafka.admin();
  await admin.connect();
  const ranges = await resolveWindow(admin, { topic, from: { kind: 'earliest' }, to: { kind: 'latest' } });
  await admin.disconnect();
  let seen = 0;
  let started = 0;
  await readRanges(cliKafka, topic, ranges, async (record) => {
    if (started === 0) started = performance.now();
    seen += 1;
    JSON.stringify(await printable(serde, record));
  });
  if (seen !== total) throw new Error(`replay read ${seen} records, expected ${total}`);
  return performance.now() - started;
}

function spawnedCli(): number {
  const started = performance.now();
  execFileSync(process.execPath, ['bin/loyalty.js', 'replay', '--topic', topic, '--from', 'earliest', '--to', 'latest'], {
    cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  });
  return performance.now() - started;
}

try {
  await fill();
  const raw = await rawRead();
  const replay = await replayPath();
  const spawned = spawnedCli();
  const rows = [
    ['raw kafkajs consumer (count only)', rate(total, raw)],
    ['replay read path in process (bounded read + Avro decode + JSON line)', rate(total, replay)],
    ['`loyalty replay` spawned, end to end (process start included)', rate(total, spawned)],
  ] as const;
  const section = [
    '',
    `## Replay: \`loyalty replay\` vs a raw kafkajs read (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, local single-node Kafka, shared with other work (load average ${loadavg()[0]?.toFixed(1)} at the end).`,
    `Command: \`node --import tsx bench/replay/run.ts --records ${total}\` (${total} simulated orders, ${PARTITIONS} partitions).`,
    '',
    '| path | records/s | vs raw |',
    '|---|---:|---:|',
    ...rows.map(([name, value]) => `| ${name} | ${value} | ${(value / (rows[0][1] || 1)).toFixed(2)} |`),
    '',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (!args.includes('--no-write')) appendFileSync(join(REPO_ROOT, 'BENCHMARKS.md'), section);
} finally {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([`${topic}-raw`]).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
