// stack/lock.ts: concurrent stack changes run one at a time, and a lock left by a dead process
// is taken over instead of blocking every later `stack up`.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../../../engine/config.ts';
import { withStackLock } from '../../../stack/lock.ts';

const home = join(REPO_ROOT, '.loyalty', 'tmp', `lock-test-${randomBytes(4).toString('hex')}`);
after(() => rmSync(home, { recursive: true, force: true }));

describe('withStackLock', () => {
  test('runs concurrent work one at a time', async () => {
    let inside = 0;
    let maxInside = 0;
    const work = async (): Promise<void> => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await sleep(50);
      inside--;
    };
    await Promise.all([withStackLock(home, work), withStackLock(home, work), withStackLock(home, work)]);
    assert.equal(maxInside, 1);
    assert.equal(existsSync(join(home, 'stack.lock')), false);
  });

  test('takes over a lock whose owner is dead', async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'stack.lock'), '999999999');
    assert.equal(await withStackLock(home, async () => 'ran', 2000), 'ran');
  });

  test('releases the lock when the work throws', async () => {
    await assert.rejects(withStackLock(home, async () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(existsSync(join(home, 'stack.lock')), false);
  });

  test('gives up with a retriable error when a live owner keeps the lock', async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'stack.lock'), String(process.pid));
    try {
      await assert.rejects(withStackLock(home, async () => 'never', 600), (err: unknown) => err instanceof Error && 'canRetry' in err && err.canRetry === true);
    } finally {
      rmSync(join(home, 'stack.lock'), { force: true });
    }
  });
});
