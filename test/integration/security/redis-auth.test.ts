// Redis AUTH through configuration on a real redis-server: a private instance with an ACL user
// on a free port (the machine's shared Redis runs without a password and must stay so).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedisClient, redact } from '../../../engine/client-options.ts';
import { loadConfig, REPO_ROOT, type LoyaltyConfig } from '../../../engine/config.ts';
import { canConnect, freePort } from '../../../stack/process.ts';
import { uniqueName } from '../harness.ts';

const home = join(REPO_ROOT, '.loyalty', 'tmp', uniqueName('redis-auth'));
const password = randomBytes(12).toString('hex');
let server: ChildProcess | undefined;
let port = 0;

function configWith(env: Record<string, string>): LoyaltyConfig {
  return loadConfig({ home, redisUrl: `redis://127.0.0.1:${port}` }, env);
}

function passwordFile(value: string): string {
  const file = join(home, `${randomBytes(3).toString('hex')}.password`);
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return file;
}

before(async () => {
  mkdirSync(home, { recursive: true });
  port = await freePort();
  server = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--user', 'default', 'off',
    '--user', 'loyalty', 'on', `>${password}`, '~*', '&*', '+@all',
  ], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect('127.0.0.1', port))) {
    if (Date.now() > deadline) throw new Error('private redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

after(() => {
  server?.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
});

describe('Redis AUTH through configuration', { timeout: 60_000 }, () => {
  test('REDIS_USERNAME + REDIS_PASSWORD_FILE authenticate; the password is not printable', async () => {
    const config = configWith({ REDIS_USERNAME: 'loyalty', REDIS_PASSWORD_FILE: passwordFile(password) });
    const redis = createRedisClient(config, { maxRetriesPerRequest: 1 });
    try {
      await redis.set(`${uniqueName('auth')}`, 'ok', 'EX', 10);
      assert.equal(await redis.call('ACL', 'WHOAMI'), 'loyalty');
    } finally {
      redis.disconnect();
    }
    assert.equal(JSON.stringify(redact(config)).includes(password), false);
  });

  test('a wrong password fails with WRONGPASS, not a hang', async () => {
    const config = configWith({ REDIS_USERNAME: 'loyalty', REDIS_PASSWORD_FILE: passwordFile('wrong') });
    const redis = createRedisClient(config, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    // ioredis reports the server's AUTH reply on its error event and then closes the connection.
    const errors: Error[] = [];
    redis.on('error', (err: Error) => errors.push(err));
    const started = Date.now();
    try {
      await assert.rejects(redis.connect().then(() => redis.ping()));
      assert.ok(Date.now() - started < 10_000);
      assert.match(errors.map((e) => e.message).join('\n'), /WRONGPASS invalid username-password pair/);
    } finally {
      redis.disconnect();
    }
  });

  test('without credentials the server refuses commands', async () => {
    const redis = createRedisClient(configWith({}), { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    const errors: Error[] = [];
    redis.on('error', (err: Error) => errors.push(err));
    try {
      await assert.rejects(redis.connect().then(() => redis.ping()));
      assert.match(errors.map((e) => e.message).join('\n'), /NOAUTH Authentication required/);
    } finally {
      redis.disconnect();
    }
  });
});
