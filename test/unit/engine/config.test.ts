// engine/config.ts: precedence (overrides > env > stack.json > defaults), validation naming the
// setting, and secrets kept out of printed URLs. Each test uses its own home inside .loyalty/tmp.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, redactUrl, REPO_ROOT, requireKafkaBrokers, type StackState } from '../../../engine/config.ts';
import { ConfigError } from '../../../engine/errors.ts';
import { noSecurity } from '../../../engine/security.ts';

const homes: string[] = [];

function freshHome(state?: unknown): string {
  const home = join(REPO_ROOT, '.loyalty', 'tmp', `config-test-${randomBytes(4).toString('hex')}`);
  mkdirSync(home, { recursive: true });
  homes.push(home);
  if (state !== undefined) writeFileSync(join(home, 'stack.json'), typeof state === 'string' ? state : JSON.stringify(state));
  return home;
}

const recorded: StackState = {
  version: 1,
  kafka: { pid: 10, startedByStack: true, logFile: null, port: 39092, controllerPort: 39093, brokers: ['127.0.0.1:39092'] },
  redis: { pid: null, startedByStack: false, logFile: null, url: 'redis://127.0.0.1:6390' },
  registry: { pid: 11, startedByStack: true, logFile: null, url: 'http://127.0.0.1:38081', port: 38081 },
  chdb: { path: '/data/chdb-from-state' },
  updatedAt: '2026-01-01T00:00:00.000Z',
};

after(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe('loadConfig', () => {
  test('defaults when there is no env and no stack.json', () => {
    const home = freshHome();
    const config = loadConfig({}, { LOYALTY_HOME: home });
    assert.deepEqual(config, {
      kafkaBrokers: [], redisUrl: 'redis://127.0.0.1:6379', schemaRegistryUrl: undefined, clickhouseUrl: undefined,
      chdbPath: join(home, 'chdb'), home, appId: 'loyalty', httpHost: '127.0.0.1', security: noSecurity(),
    });
  });

  test('stack.json fills what env does not set', () => {
    const home = freshHome(recorded);
    const config = loadConfig({}, { LOYALTY_HOME: home });
    assert.deepEqual(config.kafkaBrokers, ['127.0.0.1:39092']);
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6390');
    assert.equal(config.schemaRegistryUrl, 'http://127.0.0.1:38081');
    assert.equal(config.chdbPath, '/data/chdb-from-state');
  });

  test('env beats stack.json, overrides beat env', () => {
    const home = freshHome(recorded);
    const env = { LOYALTY_HOME: home, KAFKA_BROKERS: 'a:1, b:2', REDIS_URL: 'redis://env:1', LOYALTY_APP_ID: 'env-app', CLICKHOUSE_URL: 'http://ch:8123' };
    const fromEnv = loadConfig({}, env);
    assert.deepEqual(fromEnv.kafkaBrokers, ['a:1', 'b:2']);
    assert.equal(fromEnv.redisUrl, 'redis://env:1');
    assert.equal(fromEnv.appId, 'env-app');
    assert.equal(fromEnv.clickhouseUrl, 'http://ch:8123');
    const fromFlags = loadConfig({ kafkaBrokers: 'c:3', redisUrl: 'redis://flag:2', appId: 'flag-app' }, env);
    assert.deepEqual(fromFlags.kafkaBrokers, ['c:3']);
    assert.equal(fromFlags.redisUrl, 'redis://flag:2');
    assert.equal(fromFlags.appId, 'flag-app');
  });

  test('a relative chDB path is resolved against the repository', () => {
    const home = freshHome();
    assert.equal(loadConfig({}, { LOYALTY_HOME: home, LOYALTY_CHDB_PATH: 'data/ch' }).chdbPath, join(REPO_ROOT, 'data/ch'));
  });

  const invalid: { name: string; env: Record<string, string>; setting: RegExp }[] = [
    { name: 'broker without port', env: { KAFKA_BROKERS: 'localhost' }, setting: /kafkaBrokers \(env KAFKA_BROKERS\)/ },
    { name: 'redis URL of another scheme', env: { REDIS_URL: 'http://x:6379' }, setting: /redisUrl \(env REDIS_URL\)/ },
    { name: 'registry URL that is not a URL', env: { SCHEMA_REGISTRY_URL: 'not a url' }, setting: /schemaRegistryUrl \(env SCHEMA_REGISTRY_URL\)/ },
    { name: 'app id with a space', env: { LOYALTY_APP_ID: 'my app' }, setting: /appId \(env LOYALTY_APP_ID\)/ },
  ];
  for (const c of invalid) {
    test(`invalid setting is a ConfigError naming it: ${c.name}`, () => {
      const home = freshHome();
      assert.throws(() => loadConfig({}, { LOYALTY_HOME: home, ...c.env }), (err: unknown) => err instanceof ConfigError && c.setting.test(err.message));
    });
  }

  test('a corrupt stack.json is a ConfigError that says what to do', () => {
    const home = freshHome('{ not json');
    assert.throws(() => loadConfig({}, { LOYALTY_HOME: home }), (err: unknown) => err instanceof ConfigError && /stack up/.test(err.message));
  });

  test('a stack.json of another shape is a ConfigError naming the field', () => {
    const home = freshHome({ ...recorded, kafka: { ...recorded.kafka, brokers: [] } });
    assert.throws(() => loadConfig({}, { LOYALTY_HOME: home }), (err: unknown) => err instanceof ConfigError && /kafka\.brokers/.test(err.message));
  });
});

describe('requireKafkaBrokers', () => {
  test('throws a ConfigError telling how to get brokers when none are known', () => {
    const config = loadConfig({}, { LOYALTY_HOME: freshHome() });
    assert.throws(() => requireKafkaBrokers(config), (err: unknown) => err instanceof ConfigError && /KAFKA_BROKERS/.test(err.message));
  });
});

describe('redactUrl', () => {
  const cases: [string, string][] = [
    ['redis://user:s3cret@host:6379/0', 'redis://user:***@host:6379/0'],
    ['redis://:s3cret@host:6379', 'redis://:***@host:6379'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ];
  for (const [input, expected] of cases) {
    test(`${expected}`, () => {
      assert.equal(redactUrl(input), expected);
      assert.ok(!redactUrl(input).includes('s3cret'));
    });
  }
});

describe('loadConfig httpHost', () => {
  test('LOYALTY_HTTP_HOST sets the bind address; a malformed one names the setting', () => {
    const home = freshHome();
    assert.equal(loadConfig({}, { LOYALTY_HOME: home, LOYALTY_HTTP_HOST: '0.0.0.0' }).httpHost, '0.0.0.0');
    assert.throws(() => loadConfig({}, { LOYALTY_HOME: home, LOYALTY_HTTP_HOST: 'a b' }), /httpHost \(env LOYALTY_HTTP_HOST\)/);
  });
});

describe('loadConfig security settings', () => {
  test('come from the same env as the rest, and a bad one names the setting', () => {
    const home = freshHome();
    const config = loadConfig({}, { LOYALTY_HOME: home, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw', REDIS_URL: 'rediss://cache:6380' });
    assert.equal(config.security.kafka.sasl?.username, 'svc');
    assert.deepEqual(config.security.redis.tls, { rejectUnauthorized: true });
    assert.throws(() => loadConfig({}, { LOYALTY_HOME: home, KAFKA_SASL_MECHANISM: 'kerberos' }), (err: unknown) => err instanceof ConfigError && /KAFKA_SASL_MECHANISM/.test(err.message));
  });
});
