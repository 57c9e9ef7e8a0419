// Shared helpers for integration tests on the real local stack. `getStack()` brings the stack up
// once per test process (reusing a running one), and every helper works with names unique to the
// test so tests of several engineers can share one broker and one Redis without seeing each other.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ITopicConfig } from 'kafkajs';
import { Kafka, logLevel } from '../../engine/kafka.ts';
import { loadConfig } from '../../engine/config.ts';
import { stackUp } from '../../stack/index.ts';

export interface TestStack {
  brokers: string[];
  redisUrl: string;
  /** null while the schema registry is not part of the stack yet or did not start (see `loyalty stack status`). */
  registryUrl: string | null;
  /**
   * A chDB data folder private to this test process, removed when it exits: chDB allows one
   * process per folder, so tests never open the stack's shared folder.
   */
  chdbPath: string;
}

let stackPromise: Promise<TestStack> | undefined;

/** Removes private chDB folders left by test processes that were killed before their exit hook ran. */
function removeOrphanChdbFolders(tmp: string): void {
  if (!existsSync(tmp)) return;
  for (const name of readdirSync(tmp)) {
    // Only names made below (chdb-<pid>-<time>-<hex>), never another test's folder.
    const owner = /^chdb-(\d{1,7})-[0-9a-z]+-[0-9a-f]{8}$/.exec(name)?.[1];
    if (owner === undefined) continue;
    try {
      process.kill(Number(owner), 0);
    } catch {
      rmSync(join(tmp, name), { recursive: true, force: true });
    }
  }
}

async function bringUp(): Promise<TestStack> {
  const { state } = await stackUp({ log: (line) => process.stderr.write(`[stack] ${line}\n`) });
  const registryRuns = state.registry !== null && state.registry.pid !== null;
  if (!state.kafka || !state.redis) throw new Error('stack up returned without Kafka or Redis');
  const tmp = join(loadConfig().home, 'tmp');
  removeOrphanChdbFolders(tmp);
  const chdbPath = join(tmp, uniqueName(`chdb-${process.pid}`));
  mkdirSync(chdbPath, { recursive: true });
  process.once('exit', () => rmSync(chdbPath, { recursive: true, force: true }));
  return { brokers: state.kafka.brokers, redisUrl: state.redis.url, registryUrl: registryRuns ? state.registry?.url ?? null : null, chdbPath };
}

/** The running stack (started if needed, once per process). */
export function getStack(): Promise<TestStack> {
  stackPromise ??= bringUp();
  return stackPromise;
}

/** `<prefix>-<time>-<random>`: safe as a topic name, group id, transactional id or key prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A kafkajs client on the stack's brokers, quiet unless a test asks for logs. */
export async function kafkaClient(clientId = uniqueName('test')): Promise<Kafka> {
  const { brokers } = await getStack();
  return new Kafka({ clientId, brokers, logLevel: logLevel.WARN, retry: { retries: 8, initialRetryTime: 200 } });
}

async function withAdmin<T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = (await kafkaClient('test-admin')).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates a topic and waits until every partition has a leader. */
export async function createTopic(name: string, partitions = 1, configEntries: ITopicConfig['configEntries'] = []): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1, configEntries }] });
  });
}

/** Deletes the given topics; ones that do not exist are ignored. */
export async function deleteTopics(names: string[]): Promise<void> {
  if (names.length === 0) return;
  await withAdmin(async (admin) => {
    const existing = new Set(await admin.listTopics());
    const toDelete = names.filter((n) => existing.has(n));
    if (toDelete.length > 0) await admin.deleteTopics({ topics: toDelete, timeout: 15_000 });
  });
}

export interface RedisScope {
  /** Every key of the test starts with this prefix. */
  prefix: string;
  redis: Redis;
  key(name: string): string;
  /** Deletes every key under the prefix (SCAN + DEL, nothing else), closes the client, returns the count. */
  cleanup(): Promise<number>;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Deletes every key matching a SCAN pattern (SCAN + DEL, nothing else); returns the count. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Deletes the engine state (every task's keys) of one app id. */
export function deleteAppState(redis: Redis, appId: string): Promise<number> {
  return deleteKeys(redis, `{${escapeGlob(appId)}:*`);
}

/** A Redis client and a unique key prefix for one test; call `cleanup()` in `after`. */
export async function redisScope(label: string): Promise<RedisScope> {
  const { redisUrl } = await getStack();
  const prefix = `${uniqueName(`test:${label}`)}:`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  return {
    prefix,
    redis,
    key: (name) => `${prefix}${name}`,
    async cleanup() {
      const deleted = await deleteKeys(redis, `${escapeGlob(prefix)}*`);
      await redis.quit();
      return deleted;
    },
  };
}
