// The full lifecycle of a stack in a home folder of its own (so the shared stack is untouched):
// up starts Kafka on the requested port (and the registry once its command exists) and, since the given Redis URL does
// not answer, a redis-server of its own; a second up reuses them; down stops every one of them by
// pid and leaves no process of ours behind.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../engine/config.ts';
import { ConfigError } from '../../../engine/errors.ts';
import { stackDown, stackStatus, stackUp } from '../../../stack/index.ts';
import { findOurProcesses, freePort, isOurProcess, stopProcess } from '../../../stack/process.ts';
import { uniqueName } from '../harness.ts';

const home = join(REPO_ROOT, '.loyalty', 'tmp', uniqueName('stack-home'));

describe('stack lifecycle in an isolated home', () => {
  after(async () => {
    // Whatever happened above, nothing started from this home may outlive the test.
    for (const pid of findOurProcesses([home])) await stopProcess(pid, 10_000);
    rmSync(home, { recursive: true, force: true });
  });

  test('up, up again (reuse), down (nothing left running)', async () => {
    const overrides = { home, redisUrl: `redis://127.0.0.1:${await freePort()}` };

    const kafkaPort = await freePort();
    const first = await stackUp({ overrides, kafkaPort });
    assert.deepEqual(first.state.kafka?.brokers, [`127.0.0.1:${kafkaPort}`]);
    assert.ok(first.started.includes('kafka') && first.started.includes('redis'), `started: ${first.started.join(', ')}`);
    assert.equal(first.state.redis?.startedByStack, true);
    const kafkaPid = first.state.kafka?.pid ?? null;
    const redisPid = first.state.redis?.pid ?? null;
    assert.ok(isOurProcess(kafkaPid, ['kafka.Kafka', home]));
    assert.ok(isOurProcess(redisPid, ['redis-server']));

    const status = await stackStatus({ overrides });
    for (const name of ['kafka', 'redis', 'chdb']) {
      assert.equal(status.components.find((c) => c.name === name)?.healthy, true, `${name} unhealthy`);
    }

    await assert.rejects(stackUp({ overrides, kafkaPort: kafkaPort + 1 }), (err: unknown) => err instanceof ConfigError && /stack down/.test(err.message),
      'asking for another Kafka port while Kafka runs must say to stop it first');

    const second = await stackUp({ overrides });
    assert.deepEqual(second.started, []);
    assert.equal(second.state.kafka?.pid, kafkaPid);
    assert.equal(second.state.redis?.pid, redisPid);

    const down = await stackDown({ overrides });
    assert.deepEqual([...down.stopped].sort(), [...first.started].sort());
    assert.deepEqual(findOurProcesses([home]), [], 'a process started from the isolated home is still running');
    // No markers = only "runs and is not a zombie": the pids must be gone.
    assert.equal(isOurProcess(kafkaPid, []), false, 'Kafka pid still alive');
    assert.equal(isOurProcess(redisPid, []), false, 'redis-server pid still alive');

    const afterDown = await stackStatus({ overrides });
    assert.equal(afterDown.healthy, false);
    assert.equal(afterDown.components.find((c) => c.name === 'kafka')?.healthy, false);
  });
});
