// Client options built from the resolved configuration, so SASL, TLS, Redis AUTH and Redis Cluster
// are configuration, not code: the engine, the sink and the CLI build every Kafka, Redis,
// ClickHouse and schema registry client through these helpers.
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { logLevel } from './kafka.ts';
import { redactUrl, requireKafkaBrokers, type LoyaltyConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import type { SecuritySettings, TlsFiles } from './security.ts';

/** The resolved configuration; `loadConfig()` already carries its `security` settings. */
export type SecuredConfig = LoyaltyConfig;

function nodeTls(tls: TlsFiles): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: tls.rejectUnauthorized };
  if (tls.ca !== undefined) options.ca = tls.ca;
  if (tls.cert !== undefined) options.cert = tls.cert;
  if (tls.key !== undefined) options.key = tls.key.reveal();
  return options;
}

/**
 * kafkajs client configuration. A wrong SASL password surfaces on connect as
 * KafkaJSSASLAuthenticationError naming the mechanism (test/integration/security/sasl.test.ts).
 */
export function kafkaClientConfig(config: SecuredConfig, clientId: string = config.appId): KafkaConfig {
  const kafka: KafkaConfig = {
    clientId,
    brokers: requireKafkaBrokers(config),
    logLevel: logLevel.WARN,
    connectionTimeout: 5000,
    authenticationTimeout: 10_000,
  };
  const { sasl, tls } = config.security.kafka;
  if (sasl) kafka.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password.reveal() } as SASLOptions;
  if (tls) kafka.ssl = nodeTls(tls);
  return kafka;
}

/**
 * The request timeout of a client whose consumer group uses `sessionTimeoutMs`. kafkajs waits for
 * a SyncGroup answer with the client's request timeout, but the broker holds a follower's SyncGroup
 * until the group's leader sends the assignment: up to the leader's session timeout when the
 * leader died mid-rebalance (a killed instance). With a shorter timeout the follower gives up,
 * rejoins and the rebalance starts over, again and again while dead members linger (a sink that
 * never caught up after kill -9). The Java client likewise waits at least the rebalance timeout.
 */
export function groupRequestTimeout(sessionTimeoutMs: number): number {
  return Math.max(30_000, sessionTimeoutMs + 10_000);
}

/** How to connect to Redis: one node by URL, or a cluster from a seed node. */
export type RedisConnection =
  | { kind: 'single'; url: string; options: RedisOptions }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; options: ClusterOptions };

function redisAuth(security: SecuritySettings['redis']): RedisOptions {
  const options: RedisOptions = {};
  if (security.username !== undefined) options.username = security.username;
  if (security.password !== undefined) options.password = security.password.reveal();
  if (security.tls) options.tls = nodeTls(security.tls);
  return options;
}

export function redisOptions(config: SecuredConfig): RedisConnection {
  const security = config.security.redis;
  const auth = redisAuth(security);
  if (!security.cluster) return { kind: 'single', url: config.redisUrl, options: auth };
  const seed = new URL(config.redisUrl);
  const port = seed.port === '' ? 6379 : Number(seed.port);
  if (seed.pathname !== '' && seed.pathname !== '/' && seed.pathname !== '/0') {
    throw new ConfigError('setting REDIS_URL selects a database, which Redis Cluster does not have; drop the /<db> path or set REDIS_CLUSTER=false');
  }
  if (seed.username !== '' && auth.username === undefined) auth.username = decodeURIComponent(seed.username);
  if (seed.password !== '' && auth.password === undefined) auth.password = decodeURIComponent(seed.password);
  return {
    kind: 'cluster',
    nodes: [{ host: seed.hostname, port }],
    // TLS clusters (e.g. managed Redis) present node addresses that only resolve as given.
    options: { redisOptions: auth, ...(auth.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}) },
  };
}

/** A Redis client (single node or cluster) with the configured AUTH and TLS. */
export function createRedisClient(config: SecuredConfig, extra: RedisOptions = {}): Redis | Cluster {
  const connection = redisOptions(config);
  if (connection.kind === 'single') return new Redis(connection.url, { ...connection.options, ...extra });
  return new Cluster(connection.nodes, { ...connection.options, redisOptions: { ...connection.options.redisOptions, ...extra } });
}

/** Credentials and TLS for a ClickHouse server over HTTP(S) (`--clickhouse-url`). */
export interface ClickhouseServerOptions {
  url: string;
  username?: string;
  password?: string;
  tls?: { ca_cert: Buffer } | { ca_cert: Buffer; cert: Buffer; key: Buffer };
}

export function clickhouseServerOptions(config: SecuredConfig): ClickhouseServerOptions {
  if (!config.clickhouseUrl) throw new ConfigError('setting clickhouseUrl is not set: pass --clickhouse-url or set CLICKHOUSE_URL');
  const { username, password, tls } = config.security.clickhouse;
  const options: ClickhouseServerOptions = { url: config.clickhouseUrl };
  if (username !== undefined) options.username = username;
  if (password !== undefined) options.password = password.reveal();
  if (tls?.ca !== undefined) {
    const ca_cert = Buffer.from(tls.ca);
    options.tls = tls.cert !== undefined && tls.key !== undefined
      ? { ca_cert, cert: Buffer.from(tls.cert), key: Buffer.from(tls.key.reveal()) }
      : { ca_cert };
  }
  return options;
}

/** Arguments for @kafkajs/confluent-schema-registry's client. */
export function schemaRegistryOptions(config: SecuredConfig, url: string): { host: string; auth?: { username: string; password: string } } {
  const auth = config.security.schemaRegistry.auth;
  return auth ? { host: url, auth: { username: auth.username, password: auth.password.reveal() } } : { host: url };
}

function describeTls(tls: TlsFiles | undefined): string {
  if (!tls) return 'off';
  const parts = [tls.ca !== undefined ? 'custom CA' : 'system CAs'];
  if (tls.cert !== undefined) parts.push('client certificate');
  if (!tls.rejectUnauthorized) parts.push('certificate NOT verified');
  return `on (${parts.join(', ')})`;
}

/** The configuration as it may be printed or logged: passwords masked, PEM content summarised. */
export function redact(config: SecuredConfig): Record<string, unknown> {
  const { kafka, redis, clickhouse, schemaRegistry } = config.security;
  return {
    ...config,
    redisUrl: redactUrl(config.redisUrl),
    ...(config.clickhouseUrl ? { clickhouseUrl: redactUrl(config.clickhouseUrl) } : {}),
    ...(config.schemaRegistryUrl ? { schemaRegistryUrl: redactUrl(config.schemaRegistryUrl) } : {}),
    security: {
      kafka: {
        sasl: kafka.sasl ? { mechanism: kafka.sasl.mechanism, username: kafka.sasl.username, password: '***' } : 'off',
        tls: describeTls(kafka.tls),
      },
      redis: {
        cluster: redis.cluster,
        ...(redis.username !== undefined ? { username: redis.username } : {}),
        password: redis.password ? '***' : 'unset',
        tls: describeTls(redis.tls),
      },
      clickhouse: {
        ...(clickhouse.username !== undefined ? { username: clickhouse.username } : {}),
        password: clickhouse.password ? '***' : 'unset',
        tls: describeTls(clickhouse.tls),
      },
      schemaRegistry: schemaRegistry.auth ? { username: schemaRegistry.auth.username, password: '***' } : 'no auth',
    },
  };
}
