// Redis for the local stack: the machine's Redis when it answers (REDIS_URL, default
// 127.0.0.1:6379), otherwise a redis-server of our own on a free port, persisted with AOF in
// `.loyalty/redis` so state survives a stack restart.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REPO_ROOT, type ProcessState } from '../engine/config.ts';
import { freePort, isOurProcess, requireProgram, spawnDetached, waitUntil } from './process.ts';

export type RedisState = ProcessState & { url: string };

/** True when a PING on `url` answers PONG within a second or two. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export function redisMarkers(url: string): string[] {
  return ['redis-server', `:${new URL(url).port}`];
}

/**
 * Returns a healthy Redis: the preferred URL if it answers, else the one this stack started
 * before if it still runs, else a new redis-server.
 */
export async function ensureRedis(home: string, preferredUrl: string, previous: RedisState | null, log: (line: string) => void): Promise<{ state: RedisState; reused: boolean }> {
  if (previous?.startedByStack && isOurProcess(previous.pid, redisMarkers(previous.url)) && (await redisAnswers(previous.url))) {
    return { state: previous, reused: true };
  }
  if (await redisAnswers(preferredUrl)) {
    return { state: { url: preferredUrl, pid: null, startedByStack: false, logFile: null }, reused: true };
  }
  requireProgram('redis-server', 'redis-server');
  const port = await freePort();
  const dir = join(home, 'redis');
  const logFile = join(dir, 'redis.log');
  mkdirSync(dir, { recursive: true });
  log(`${preferredUrl} does not answer; starting redis-server on 127.0.0.1:${port}`);
  const pid = spawnDetached('redis-server', [
    '--bind', '127.0.0.1', '--port', String(port), '--appendonly', 'yes', '--dir', dir, '--save', '', '--daemonize', 'no',
  ], logFile, REPO_ROOT);
  const url = `redis://127.0.0.1:${port}`;
  await waitUntil('Redis', 20_000, () => redisAnswers(url), () => isOurProcess(pid, ['redis-server']), `see ${logFile}`);
  return { state: { url, pid, startedByStack: true, logFile }, reused: false };
}
