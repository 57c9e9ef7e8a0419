// Benchmark (not a test): records/s of the serde path (Avro, Confluent framing, cached ids) against
// raw kafkajs with JSON bytes, on the same order events, producing to and consuming from the real
// local broker; plus the in-process encode/decode rates. Appends a section to BENCHMARKS.md.
//   node --import tsx bench/serde/run.ts [--records N] [--no-write]
import { appendFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { KafkaConfig } from 'kafkajs';
import { Kafka, Partitioners, logLevel } from '../../engine/kafka.ts';
import { fromPlainJsonText } from '../../avro/json.ts';
import { Serde } from '../../avro/serde.ts';
import { REPO_ROOT, loadConfig, requireKafkaBrokers } from '../../engine/config.ts';
import { startRegistry } from '../../stack/registry/server.ts';

const ORDER = 'loyalty.orders.OrderEvent';
const BATCH = 1000;
const args = process.argv.slice(2);
const recordsArg = args.indexOf('--records');
const total = recordsArg >= 0 ? Number(args[recordsArg + 1]) : 20_000;
const suffix = `${Date.now().toString(36)}-${process.pid}`;

function orders(): Record<string, unknown>[] {
  const lines = readFileSync(join(REPO_ROOT, 'test/fixtures/conformance/scenario-101/events.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const base = lines.map((l) => fromPlainJsonText<Record<string, unknown>>(ORDER, l));
  return Array.from({ length: total }, (_, i) => ({ ...base[i % base.length], eventId: `bench-${i}` }));
}

function rate(count: number, ms: number): number {
  return Math.round((count * 1000) / ms);
}

async function produce(kafka: Kafka, topic: string, values: Buffer[], keys: string[]): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  for (let i = 0; i < values.length; i += BATCH) {
    await producer.send({ topic, acks: -1, messages: values.slice(i, i + BATCH).map((value, j) => ({ key: keys[i + j] ?? null, value })) });
  }
  const ms = performance.now() - started;
  await producer.disconnect();
  return ms;
}

/** Consumes the whole topic, decoding each value; the time runs from the first record to the last. */
async function consume(kafka: Kafka, topic: string, decodeBatch: (values: Buffer[]) => Promise<void>): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-serde-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  const ms = await new Promise<number>((resolve, reject) => {
    consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (started === 0) started = performance.now();
        await decodeBatch(batch.messages.map((m) => m.value as Buffer));
        seen += batch.messages.length;
        if (seen >= total) resolve(performance.now() - started);
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  return ms;
}

async function main(): Promise<void> {
  const brokers = requireKafkaBrokers(loadConfig());
  const kafkaConfig: KafkaConfig = { clientId: 'bench-serde', brokers, logLevel: logLevel.NOTHING };
  const kafka = new Kafka(kafkaConfig);
  const registryTopic = `bench-schemas-${suffix}`;
  const avroTopic = `bench-serde-avro-${suffix}`;
  const rawTopic = `bench-serde-json-${suffix}`;
  const registry = await startRegistry({ port: 0, kafka: kafkaConfig, topic: registryTopic });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [avroTopic, rawTopic].map((topic) => ({ topic, numPartitions: 4 })) });
    const values = orders();
    const keys = values.map((v) => String(v.memberId ?? v.orderId));
    const serde = new Serde(registry.url);
    await serde.prepare(avroTopic, ORDER);

    // Warm-up, so both in-process rates are measured on optimized code.
    for (const v of values.slice(0, 5000)) {
      serde.decodeSync(serde.encodeSync(avroTopic, v));
      JSON.parse(JSON.stringify(v));
    }
    let started = performance.now();
    const avro = values.map((v) => serde.encodeSync(avroTopic, v));
    const encodeMs = performance.now() - started;
    started = performance.now();
    const json = values.map((v) => Buffer.from(JSON.stringify(v)));
    const jsonEncodeMs = performance.now() - started;
    started = performance.now();
    for (const buf of avro) serde.decodeSync(buf);
    const decodeMs = performance.now() - started;
    started = performance.now();
    for (const buf of json) JSON.parse(buf.toString());
    const jsonDecodeMs = performance.now() - started;

    const produceAvroMs = await produce(kafka, avroTopic, avro, keys);
    const produceJsonMs = await produce(kafka, rawTopic, json, keys);
    const reader = new Serde(registry.url);
    const consumeAvroMs = await consume(kafka, avroTopic, async (batch) => {
      await reader.ensureSchemas(batch);
      for (const buf of batch) reader.decodeSync(buf);
    });
    const consumeJsonMs = await consume(kafka, rawTopic, async (batch) => {
      for (const buf of batch) JSON.parse(buf.toString());
    });

    const avroBytes = avro.reduce((n, b) => n + b.length, 0) / avro.length;
    const jsonBytes = json.reduce((n, b) => n + b.length, 0) / json.length;
    const rows: [string, number, number][] = [
      ['encode in process (serde.encodeSync vs JSON.stringify)', rate(total, encodeMs), rate(total, jsonEncodeMs)],
      ['decode in process (serde.decodeSync vs JSON.parse)', rate(total, decodeMs), rate(total, jsonDecodeMs)],
      [`produce to the broker (batches of ${BATCH}, acks all, idempotent)`, rate(total, produceAvroMs), rate(total, produceJsonMs)],
      ['consume + decode from the broker', rate(total, consumeAvroMs), rate(total, consumeJsonMs)],
    ];
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const section = [
      '',
      `## Serde: Avro (Confluent framing) vs raw kafkajs with JSON (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, local single-node Kafka, shared with other work (load average ${loadavg()[0]?.toFixed(1)} at the end: absolute rates are noisy, the ratios are the result).`,
      `Command: \`node --import tsx bench/serde/run.ts --records ${total}\` (${total} order events from scenario-101, 4 partitions).`,
      `Average value size: Avro ${avroBytes.toFixed(0)} bytes, JSON ${jsonBytes.toFixed(0)} bytes.`,
      '',
      '| path | serde records/s | raw JSON records/s | serde / raw |',
      '|---|---:|---:|---:|',
      ...rows.map(([name, serdeRate, rawRate]) => `| ${name} | ${serdeRate} | ${rawRate} | ${(serdeRate / rawRate).toFixed(2)} |`),
      '',
    ].join('\n');
    process.stdout.write(`${section}\n`);
    if (!args.includes('--no-write')) appendFileSync(join(REPO_ROOT, 'BENCHMARKS.md'), section);
  } finally {
    await registry.close();
    await admin.deleteTopics({ topics: [avroTopic, rawTopic, registryTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

await main();
