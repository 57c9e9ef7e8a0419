// A chaos worker: a processor in a child process (test/chaos/*-worker.ts) whose JSON log lines are
// kept and watched, so a test can kill it at a chosen moment and save every worker's log afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig, REPO_ROOT } from '../../engine/config.ts';

export interface Worker {
  child: ChildProcess;
  log: string[];
  /** Global tables read: the worker is past module loading and about to join the group. */
  loaded: Promise<void>;
  /** Its tasks are open. */
  ready: Promise<void>;
  exited: Promise<void>;
}

/** Starts `script` (repo-relative) with `config` as JSON in the CHAOS_WORKER environment variable. */
export function startWorker(script: string, config: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', CHAOS_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  let markLoaded: () => void = () => undefined;
  let markReady: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => {
    markLoaded = resolve;
  });
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      log.push(line);
      if (line.includes('"global_table_loaded"')) markLoaded();
      if (line.includes('"worker_ready"')) markReady();
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, log, loaded, ready, exited };
}

/** Keeps every worker's log lines in the stack's home (tmp/), for a post-mortem of a failed run. */
export function saveLogs(label: string, logs: string[][]): string {
  const file = join(loadConfig().home, 'tmp', `${label}-${Date.now()}.log`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, logs.map((lines, i) => lines.map((line) => `[worker ${i}] ${line}`).join('\n')).join('\n'));
  return file;
}
