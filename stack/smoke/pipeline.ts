// The smoke pipeline: one thin vertical slice through every part of the stack. It writes records
// to a fresh topic inside Kafka transactions (one aborted, one committed), reads them back with
// read_committed, counts them per key in Redis with an atomic Lua script, and rolls the counts up
// in chDB. It cleans up everything it created. Used by the smoke test and by `loyalty demo`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { Kafka, logLevel, Partitioners } from '../../engine/kafka.ts';
import { REPO_ROOT } from '../../engine/config.ts';
import { TransientError } from '../../engine/errors.ts';
import { openChdbClient } from '../chdb.ts';

export interface SmokeOptions {
  brokers: string[];
  redisUrl: string;
  chdbPath: string;
  /** Records written in the committed transaction. */
  records?: number;
  /** Records written in a transaction that is aborted: read_committed must never see them. */
  abortedRecords?: number;
  /** Distinct keys; records are spread round-robin over them. */
  keys?: number;
  partitions?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface SmokeResult {
  topic: string;
  produced: number;
  aborted: number;
  consumed: number;
  /** Per-key counts read back from Redis. */
  redisCounts: Record<string, number>;
  /** The summary row read back from chDB. */
  chdb: { keys: number; records: number };
  keysLeftInRedis: number;
}

type CountingRedis = Redis & { smokeCount(key: string, ...args: string[]): Promise<number> };

const COUNT_SCRIPT = readFileSync(join(REPO_ROOT, 'stack', 'smoke', 'count-1.lua'), 'utf8');

function keyOf(i: number, keys: number): string {
  return `member-${String(i % keys).padStart(4, '0')}`;
}

async function produceInTransaction(producer: Producer, topic: string, count: number, key: (i: number) => string, commit: boolean): Promise<void> {
  const transaction = await producer.transaction();
  try {
    for (let start = 0; start < count; start += 1000) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) messages.push({ key: key(i), value: JSON.stringify({ seq: i }) });
      await transaction.send({ topic, messages });
    }
    if (commit) await transaction.commit();
    else await transaction.abort();
  } catch (err) {
    await transaction.abort().catch(() => undefined);
    throw err;
  }
}

async function consumeAndCount(consumer: Consumer, topic: string, redis: CountingRedis, counterKey: string, expected: number, timeoutMs: number): Promise<number> {
  let consumed = 0;
  let reachedExpected: () => void = () => undefined;
  const done = new Promise<void>((resolveDone) => {
    reachedExpected = resolveDone;
  });
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (batch.messages.length === 0) return;
      const keys = batch.messages.map((m) => m.key?.toString() ?? '');
      consumed += await redis.smokeCount(counterKey, String(batch.partition), batch.lastOffset(), ...keys);
      if (consumed >= expected) reachedExpected();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransientError(`smoke consumer read ${consumed} of ${expected} records in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return consumed;
}

async function rollUpInChdb(chdbPath: string, counts: Record<string, number>): Promise<{ keys: number; records: number }> {
  const client = openChdbClient(chdbPath);
  const table = `smoke_${randomBytes(6).toString('hex')}`;
  const settings = { output_format_json_quote_64bit_integers: 0 } as const;
  try {
    await client.command({ query: `CREATE TABLE ${table} (key String, records UInt64) ENGINE = MergeTree ORDER BY key`, clickhouse_settings: settings });
    await client.insert({ table, values: Object.entries(counts).map(([key, records]) => ({ key, records })), format: 'JSONEachRow', clickhouse_settings: settings });
    const rows = await (await client.query({ query: `SELECT count() AS keys, sum(records) AS records FROM ${table}`, format: 'JSONEachRow', clickhouse_settings: settings })).json<{ keys: number; records: number }>();
    const row = rows[0];
    if (!row) throw new TransientError(`chDB returned no summary row from ${table}`);
    return { keys: Number(row.keys), records: Number(row.records) };
  } finally {
    await client.command({ query: `DROP TABLE IF EXISTS ${table}`, clickhouse_settings: settings }).catch(() => undefined);
    await client.close();
  }
}

/** Runs the pipeline end to end and returns what each stage saw. */
export async function runSmokePipeline(options: SmokeOptions): Promise<SmokeResult> {
  const records = options.records ?? 10_000;
  const abortedCount = options.abortedRecords ?? 1_000;
  const keyCount = options.keys ?? 50;
  const log = options.log ?? (() => undefined);
  const id = `smoke-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const topic = id;
  const counterKey = `${id}:{counts}`;

  // kafkajs logs retriable broker answers (coordinator not yet available on a fresh broker,
  // concurrent transactions right after an abort) as errors before retrying them; real failures
  // still surface as exceptions, so its log stays off here.
  const kafka = new Kafka({ clientId: id, brokers: options.brokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
  const admin: Admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, transactionalId: id, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: id, readUncommitted: false, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 }) as CountingRedis;
  redis.defineCommand('smokeCount', { numberOfKeys: 1, lua: COUNT_SCRIPT });

  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: options.partitions ?? 3, replicationFactor: 1 }] });
    log(`created topic ${topic}`);
    await producer.connect();
    await produceInTransaction(producer, topic, abortedCount, (i) => `aborted-${i % keyCount}`, false);
    await produceInTransaction(producer, topic, records, (i) => keyOf(i, keyCount), true);
    log(`produced ${abortedCount} records in an aborted transaction, then ${records} in a committed one`);
    await consumer.connect();
    const consumed = await consumeAndCount(consumer, topic, redis, counterKey, records, options.timeoutMs ?? 90_000);
    const raw = await redis.hgetall(counterKey);
    const redisCounts = Object.fromEntries(Object.entries(raw).filter(([f]) => f.startsWith('c:')).map(([f, v]) => [f.slice(2), Number(v)]));
    log(`consumed ${consumed} records (read_committed) into ${Object.keys(redisCounts).length} Redis counters`);
    const chdb = await rollUpInChdb(options.chdbPath, redisCounts);
    log(`chDB summary: ${chdb.keys} keys, ${chdb.records} records`);
    await redis.del(counterKey);
    return { topic, produced: records, aborted: abortedCount, consumed, redisCounts, chdb, keysLeftInRedis: await redis.exists(counterKey) };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await redis.del(counterKey).catch(() => undefined);
    redis.disconnect();
    await admin.deleteGroups([id]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic], timeout: 15_000 }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The key the pipeline gives record `i` (exported so tests can state the expected counts). */
export const smokeKeyOf = keyOf;
