// The stack CLI on the real stack: status reports every component healthy, and a second `up`
// reuses the running processes instead of starting new ones.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../engine/config.ts';
import { getStack } from '../harness.ts';

interface CliRun {
  status: number | null;
  json: unknown;
  stderr: string;
}

function loyalty(...args: string[]): CliRun {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'loyalty.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  return { status: run.status, json: run.stdout.trim() ? JSON.parse(run.stdout) : null, stderr: run.stderr };
}

interface StatusJson {
  healthy: boolean;
  components: { name: string; healthy: boolean; skipped: boolean; pid: number | null }[];
}

interface UpJson {
  started: string[];
  reused: string[];
  state: { kafka: { pid: number; port: number }; redis: { url: string; pid: number | null } };
}

describe('loyalty stack', () => {
  before(async () => {
    await getStack();
  });

  test('status --json shows Kafka, Redis and chDB healthy', () => {
    const run = loyalty('stack', 'status', '--json');
    assert.equal(run.status, 0, run.stderr);
    const status = run.json as StatusJson;
    for (const name of ['kafka', 'redis', 'chdb']) {
      const component = status.components.find((c) => c.name === name);
      assert.ok(component, `${name} missing from status`);
      assert.equal(component.healthy, true, `${name} is not healthy`);
    }
    assert.equal(status.healthy, true);
  });

  test('a second up reuses the same processes', () => {
    const first = loyalty('stack', 'up', '--json');
    assert.equal(first.status, 0, first.stderr);
    const second = loyalty('stack', 'up', '--json');
    assert.equal(second.status, 0, second.stderr);
    const a = first.json as UpJson;
    const b = second.json as UpJson;
    assert.deepEqual(b.started, []);
    assert.ok(b.reused.includes('kafka') && b.reused.includes('redis'));
    assert.equal(b.state.kafka.pid, a.state.kafka.pid);
    assert.equal(b.state.kafka.port, a.state.kafka.port);
    assert.equal(b.state.redis.url, a.state.redis.url);
    assert.equal(b.state.redis.pid, a.state.redis.pid);
  });
});
