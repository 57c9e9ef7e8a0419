import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../engine/errors.ts';
import { REPO_ROOT } from '../../../engine/config.ts';
import { loadSecuritySettings, readSecret, Secret, SECURITY_ENV } from '../../../engine/security.ts';

const dir = mkdtempSync(join(tmpdir(), 'loyalty-security-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const plainRedis = { redisUrl: 'redis://127.0.0.1:6379' };

function configError(fn: () => unknown, mentions: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && mentions.test(err.message));
}

describe('Secret', () => {
  test('masks itself in JSON, string and inspect output and reveals on request', () => {
    const secret = new Secret('hunter2');
    assert.equal(JSON.stringify({ secret }), '{"secret":"***"}');
    assert.equal(`${secret}`, '***');
    assert.equal(inspect({ secret }).includes('hunter2'), false);
    assert.equal(secret.reveal(), 'hunter2');
  });
});

describe('readSecret', () => {
  test('reads the variable itself', () => {
    assert.equal(readSecret({ X_PASSWORD: 'a' }, 'X_PASSWORD')?.reveal(), 'a');
  });

  test('reads NAME_FILE and drops one trailing newline only', () => {
    const path = file('pw', 'from-file\n');
    assert.equal(readSecret({ X_PASSWORD_FILE: path }, 'X_PASSWORD')?.reveal(), 'from-file');
    const spaced = file('pw2', ' two words \n\n');
    assert.equal(readSecret({ X_PASSWORD_FILE: spaced }, 'X_PASSWORD')?.reveal(), ' two words \n');
  });

  test('refuses both NAME and NAME_FILE, an unreadable file and an empty file, naming the setting', () => {
    configError(() => readSecret({ X_PASSWORD: 'a', X_PASSWORD_FILE: file('p3', 'b') }, 'X_PASSWORD'), /X_PASSWORD and X_PASSWORD_FILE/);
    configError(() => readSecret({ X_PASSWORD_FILE: join(dir, 'missing') }, 'X_PASSWORD'), /X_PASSWORD_FILE names a file that cannot be read/);
    configError(() => readSecret({ X_PASSWORD_FILE: file('empty', '\n') }, 'X_PASSWORD'), /X_PASSWORD_FILE names an empty file/);
  });

  test('is undefined when neither is set', () => {
    assert.equal(readSecret({}, 'X_PASSWORD'), undefined);
  });
});

describe('loadSecuritySettings: Kafka', () => {
  test('no variables means plaintext without SASL', () => {
    const s = loadSecuritySettings({}, plainRedis);
    assert.deepEqual(s.kafka, {});
    assert.equal(s.redis.cluster, false);
    assert.equal(s.redis.tls, undefined);
  });

  for (const mechanism of ['plain', 'scram-sha-256', 'SCRAM-SHA-512']) {
    test(`accepts SASL mechanism ${mechanism}`, () => {
      const s = loadSecuritySettings({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' }, plainRedis);
      assert.equal(s.kafka.sasl?.mechanism, mechanism.toLowerCase());
      assert.equal(s.kafka.sasl?.username, 'svc');
      assert.equal(s.kafka.sasl?.password.reveal(), 'pw');
    });
  }

  const bad: [string, Record<string, string>, RegExp][] = [
    ['unknown mechanism', { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM must be one of/],
    ['mechanism without user', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_USERNAME is required/],
    ['mechanism without password', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_PASSWORD \(or KAFKA_SASL_PASSWORD_FILE\) is required/],
    ['user without mechanism', { KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_MECHANISM is not set/],
    ['non-boolean TLS flag', { KAFKA_TLS: 'maybe' }, /KAFKA_TLS must be true or false/],
    ['certificate without key', { KAFKA_TLS_CERT_FILE: '/nonexistent.pem' }, /KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together/],
    ['CA file that does not exist', { KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem' }, /KAFKA_TLS_CA_FILE names a file that cannot be read/],
  ];
  for (const [name, env, message] of bad) {
    test(`refuses ${name} with an error naming the setting`, () => configError(() => loadSecuritySettings(env, plainRedis), message));
  }

  test('a CA file turns TLS on and is read at load time; the key is a Secret', () => {
    const env = { KAFKA_TLS_CA_FILE: file('ca.pem', 'CA'), KAFKA_TLS_CERT_FILE: file('c.pem', 'CERT'), KAFKA_TLS_KEY_FILE: file('k.pem', 'KEY') };
    const tls = loadSecuritySettings(env, plainRedis).kafka.tls;
    assert.equal(tls?.ca, 'CA');
    assert.equal(tls?.cert, 'CERT');
    assert.equal(tls?.key?.reveal(), 'KEY');
    assert.equal(tls?.rejectUnauthorized, true);
  });

  test('KAFKA_TLS=true alone uses the system CAs; verification can only be turned off explicitly', () => {
    assert.deepEqual(loadSecuritySettings({ KAFKA_TLS: 'true' }, plainRedis).kafka.tls, { rejectUnauthorized: true });
    assert.deepEqual(loadSecuritySettings({ KAFKA_TLS: 'true', KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' }, plainRedis).kafka.tls, { rejectUnauthorized: false });
  });
});

describe('loadSecuritySettings: Redis, ClickHouse, registry', () => {
  test('rediss:// turns TLS on; REDIS_CLUSTER and AUTH are read', () => {
    const s = loadSecuritySettings({ REDIS_CLUSTER: 'true', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw' }, { redisUrl: 'rediss://cache:6380' });
    assert.deepEqual(s.redis.tls, { rejectUnauthorized: true });
    assert.equal(s.redis.cluster, true);
    assert.equal(s.redis.username, 'app');
    assert.equal(s.redis.password?.reveal(), 'pw');
  });

  test('refuses a password both in REDIS_URL and in REDIS_PASSWORD', () => {
    configError(() => loadSecuritySettings({ REDIS_PASSWORD: 'pw' }, { redisUrl: 'redis://:other@cache:6379' }), /REDIS_URL and REDIS_PASSWORD/);
  });

  test('ClickHouse credentials come from env or file; https turns TLS on', () => {
    const s = loadSecuritySettings({ CLICKHOUSE_USER: 'sink', CLICKHOUSE_PASSWORD_FILE: file('ch', 'chpw\n') }, { ...plainRedis, clickhouseUrl: 'https://ch:8443' });
    assert.equal(s.clickhouse.username, 'sink');
    assert.equal(s.clickhouse.password?.reveal(), 'chpw');
    assert.deepEqual(s.clickhouse.tls, { rejectUnauthorized: true });
  });

  test('registry basic auth needs both user and password', () => {
    configError(() => loadSecuritySettings({ SCHEMA_REGISTRY_USERNAME: 'u' }, plainRedis), /SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together/);
    const s = loadSecuritySettings({ SCHEMA_REGISTRY_USERNAME: 'u', SCHEMA_REGISTRY_PASSWORD: 'p' }, plainRedis);
    assert.equal(s.schemaRegistry.auth?.password.reveal(), 'p');
  });
});

describe('SECURITY_ENV', () => {
  test('every security variable is in the configuration reference of docs/operations.md', () => {
    const reference = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
    for (const name of Object.keys(SECURITY_ENV)) {
      const documented = reference.includes(`\`${name}\``) || reference.includes(`\`${name}[_FILE]\``);
      assert.ok(documented, `${name} is not documented in docs/operations.md`);
    }
  });
});
