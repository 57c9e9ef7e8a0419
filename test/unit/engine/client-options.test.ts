import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoyaltyConfig } from '../../../engine/config.ts';
import { clickhouseServerOptions, kafkaClientConfig, redact, redisOptions, schemaRegistryOptions } from '../../../engine/client-options.ts';
import { ConfigError } from '../../../engine/errors.ts';
import { loadSecuritySettings, noSecurity } from '../../../engine/security.ts';

const base: Omit<LoyaltyConfig, 'security'> = {
  kafkaBrokers: ['k1:9092', 'k2:9092'],
  redisUrl: 'redis://cache:6379',
  schemaRegistryUrl: 'http://registry:8081',
  clickhouseUrl: 'http://ch:8123',
  chdbPath: '/data/chdb',
  home: '/data',
  appId: 'loyalty',
  httpHost: '127.0.0.1',
};

function secured(env: Record<string, string>, config: Omit<LoyaltyConfig, 'security'> = base): LoyaltyConfig {
  return { ...config, security: loadSecuritySettings(env, config) };
}

describe('kafkaClientConfig', () => {
  test('plaintext: brokers and client id, no sasl or ssl', () => {
    const kafka = kafkaClientConfig({ ...base, security: noSecurity() });
    assert.deepEqual(kafka.brokers, ['k1:9092', 'k2:9092']);
    assert.equal(kafka.clientId, 'loyalty');
    assert.equal(kafka.sasl, undefined);
    assert.equal(kafka.ssl, undefined);
  });

  test('SCRAM over TLS comes from configuration alone', () => {
    const kafka = kafkaClientConfig(secured({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw', KAFKA_TLS: 'true' }), 'member');
    assert.deepEqual(kafka.sasl, { mechanism: 'scram-sha-512', username: 'svc', password: 'pw' });
    assert.deepEqual(kafka.ssl, { rejectUnauthorized: true });
    assert.equal(kafka.clientId, 'member');
  });

  test('no brokers is a ConfigError naming the setting', () => {
    assert.throws(() => kafkaClientConfig({ ...base, kafkaBrokers: [], security: noSecurity() }), (err: unknown) => err instanceof ConfigError && /kafkaBrokers/.test(err.message));
  });
});

describe('redisOptions', () => {
  test('single node keeps the URL and adds AUTH', () => {
    const connection = redisOptions(secured({ REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw' }));
    assert.equal(connection.kind, 'single');
    if (connection.kind !== 'single') return;
    assert.equal(connection.url, 'redis://cache:6379');
    assert.deepEqual(connection.options, { username: 'app', password: 'pw' });
  });

  test('cluster mode seeds from REDIS_URL, carries AUTH and TLS to every node', () => {
    const connection = redisOptions(secured({ REDIS_CLUSTER: 'true', REDIS_PASSWORD: 'pw' }, { ...base, redisUrl: 'rediss://cluster.internal:7000' }));
    assert.equal(connection.kind, 'cluster');
    if (connection.kind !== 'cluster') return;
    assert.deepEqual(connection.nodes, [{ host: 'cluster.internal', port: 7000 }]);
    assert.equal(connection.options.redisOptions?.password, 'pw');
    assert.deepEqual(connection.options.redisOptions?.tls, { rejectUnauthorized: true });
    assert.equal(typeof connection.options.dnsLookup, 'function');
  });

  test('cluster mode refuses a database number in the URL', () => {
    assert.throws(() => redisOptions(secured({ REDIS_CLUSTER: 'true' }, { ...base, redisUrl: 'redis://cache:6379/3' })), /REDIS_URL selects a database/);
  });
});

describe('clickhouseServerOptions and schemaRegistryOptions', () => {
  test('pass credentials to the clients', () => {
    const config = secured({ CLICKHOUSE_USER: 'sink', CLICKHOUSE_PASSWORD: 'chpw', SCHEMA_REGISTRY_USERNAME: 'sr', SCHEMA_REGISTRY_PASSWORD: 'srpw' });
    assert.deepEqual(clickhouseServerOptions(config), { url: 'http://ch:8123', username: 'sink', password: 'chpw' });
    assert.deepEqual(schemaRegistryOptions(config, 'http://registry:8081'), { host: 'http://registry:8081', auth: { username: 'sr', password: 'srpw' } });
  });

  test('clickhouseServerOptions without a URL names the setting', () => {
    assert.throws(() => clickhouseServerOptions({ ...base, clickhouseUrl: undefined, security: noSecurity() }), /clickhouseUrl/);
  });
});

describe('redact', () => {
  test('prints no secret from env, URL or file', () => {
    const config = secured({
      KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'kafka-secret',
      CLICKHOUSE_PASSWORD: 'ch-secret', SCHEMA_REGISTRY_USERNAME: 'sr', SCHEMA_REGISTRY_PASSWORD: 'sr-secret',
    }, { ...base, redisUrl: 'redis://app:redis-secret@cache:6379', clickhouseUrl: 'http://sink:url-secret@ch:8123' });
    const printed = JSON.stringify(redact(config));
    for (const secret of ['kafka-secret', 'redis-secret', 'ch-secret', 'sr-secret', 'url-secret']) {
      assert.equal(printed.includes(secret), false, `${secret} leaked: ${printed}`);
    }
    assert.match(printed, /"username":"svc"/);
    assert.match(printed, /redis:\/\/app:\*\*\*@cache:6379/);
  });

  test('even the unredacted object prints secrets masked', () => {
    const config = secured({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'kafka-secret' });
    assert.equal(JSON.stringify(config).includes('kafka-secret'), false);
  });
});
