// Helpers for the operator CLI e2e tests: the CLI spawned as a user runs it, with per-test
// environment (topic prefix, app id) so tests never touch anyone else's topics, groups or keys.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Kafka, Message } from 'kafkajs';
import { REPO_ROOT } from '../../../engine/config.ts';

export interface Run { code: number | null; stdout: string; stderr: string }

export function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/loyalty.js', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function okJson<T>(run: Run): T {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as T;
}

export function jsonLines<T>(run: Run): T[] {
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** A failure is one sentence on stderr with the expected exit code, and no stack trace. */
export function assertRefused(run: Run, code: number, message: RegExp): void {
  assert.equal(run.code, code, `exit code (stderr: ${run.stderr})`);
  assert.match(run.stderr, message);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace without --verbose');
}

/** Produces, retrying while a just-created topic's metadata reaches the broker's cache. */
export async function produce(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.send({ topic, messages });
        return;
      } catch (err) {
        if (attempt >= 10 || !/does not host this topic-partition|unknown topic/i.test((err as Error).message)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await producer.disconnect();
  }
}

/** Total records now on a topic (high − low watermarks summed). */
export async function recordCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}
