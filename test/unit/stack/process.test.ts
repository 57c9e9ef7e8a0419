// stack/process.ts: recognising our processes by pid and command line, stopping a process group,
// free ports. Uses only short-lived `sleep` processes of its own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../engine/config.ts';
import { canConnect, findOurProcesses, freePort, isOurProcess, requireProgram, spawnDetached, stopProcess } from '../../../stack/process.ts';
import { ConfigError } from '../../../engine/errors.ts';

describe('isOurProcess', () => {
  test('matches a live pid only when every marker is in its command line', () => {
    assert.equal(isOurProcess(process.pid, [process.execPath]), true);
    assert.equal(isOurProcess(process.pid, [process.execPath, `no-such-marker-${randomBytes(4).toString('hex')}`]), false);
    assert.equal(isOurProcess(null, []), false);
    assert.equal(isOurProcess(999_999_999, []), false);
  });
});

describe('spawnDetached + stopProcess', () => {
  test('a detached process is found by its markers and stopped with SIGTERM', async () => {
    const seconds = `${300 + Math.floor(Math.random() * 1000)}`;
    const logFile = join(REPO_ROOT, '.loyalty', 'tmp', `process-test-${seconds}.log`);
    const pid = spawnDetached('sleep', [seconds], logFile, REPO_ROOT);
    assert.equal(isOurProcess(pid, ['sleep', seconds]), true);
    assert.deepEqual(findOurProcesses(['sleep', seconds]), [pid]);
    assert.equal(await stopProcess(pid, 5000), 'stopped');
    assert.equal(isOurProcess(pid, ['sleep', seconds]), false);
    assert.equal(await stopProcess(pid, 100), 'absent');
    rmSync(logFile, { force: true });
  });
});

describe('freePort / canConnect', () => {
  test('a free port can be listened on, and canConnect sees the listener', async () => {
    const port = await freePort();
    assert.equal(await canConnect('127.0.0.1', port, 500), false);
    const server = createServer();
    await new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen));
    try {
      assert.equal(await canConnect('127.0.0.1', port, 500), true);
    } finally {
      await new Promise((resolveClose) => server.close(resolveClose));
    }
  });
});

describe('requireProgram', () => {
  test('a missing program is one ConfigError naming the Debian package to install', () => {
    assert.throws(() => requireProgram('no-such-program-loyalty', 'some-debian-package'),
      (err: unknown) => err instanceof ConfigError && /apt-get install some-debian-package/.test(err.message) && /no-such-program-loyalty is not installed/.test(err.message));
  });

  test('a present program passes', () => {
    assert.doesNotThrow(() => requireProgram('sh', 'dash'));
  });
});
