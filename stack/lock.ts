// A file lock around stack changes: several test processes and engineers call `stack up` at the
// same time, and only one of them may start a broker. The lock file holds the owner's pid so a lock
// left by a killed process is recognised and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from '../engine/errors.ts';

function ownerAlive(file: string): boolean {
  try {
    const content = readFileSync(file, 'utf8').trim();
    // An empty file is a lock being written right now, unless it has been empty for long.
    if (content === '') return Date.now() - statSync(file).mtimeMs < 5000;
    const pid = Number(content);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tryAcquire(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  }
}

/** Runs `work` while holding `<home>/stack.lock`; waits up to `timeoutMs` for another holder. */
export async function withStackLock<T>(home: string, work: () => Promise<T>, timeoutMs = 240_000): Promise<T> {
  mkdirSync(home, { recursive: true });
  const file = join(home, 'stack.lock');
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(file)) {
    if (!ownerAlive(file)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new TransientError(`another process holds ${file} (a stack up/down in progress) for too long`);
    await sleep(300);
  }
  try {
    return await work();
  } finally {
    rmSync(file, { force: true });
  }
}
