// Security settings of the clients: Kafka SASL/TLS, Redis AUTH/TLS/Cluster, ClickHouse and schema
// registry credentials. Secrets come only from the environment or from files named by `<NAME>_FILE`
// (a mounted Kubernetes or Docker secret), never from flags, so they stay out of shell history and
// process lists. Every secret is wrapped in `Secret`, which prints as `***` even when a whole config
// object is logged by accident.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigError } from './errors.ts';

/** A secret value. Only `reveal()` gives the text; JSON, string and inspect output are masked. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '***';
  }

  toJSON(): string {
    return '***';
  }

  [inspect.custom](): string {
    return '***';
  }
}

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** PEM material read from files at load time, so a missing file fails at start, not at first connect. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: Secret;
  /** False only when explicitly disabled for a self-signed test cluster. */
  rejectUnauthorized: boolean;
}

export interface KafkaSecurity {
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: Secret };
  /** Absent: plaintext. */
  tls?: TlsFiles;
}

export interface RedisSecurity {
  username?: string;
  password?: Secret;
  /** TLS is on when REDIS_URL is `rediss://` or REDIS_TLS=true. */
  tls?: TlsFiles;
  /** Connect as a Redis Cluster client, with REDIS_URL's host as the seed node. */
  cluster: boolean;
}

export interface BasicAuth {
  username: string;
  password: Secret;
}

export interface SecuritySettings {
  kafka: KafkaSecurity;
  redis: RedisSecurity;
  clickhouse: { username?: string; password?: Secret; tls?: TlsFiles };
  schemaRegistry: { auth?: BasicAuth };
}

/** Every environment variable this module reads, with what it means; docs/operations.md lists them too. */
export const SECURITY_ENV = {
  KAFKA_SASL_MECHANISM: 'plain | scram-sha-256 | scram-sha-512; unset = no SASL',
  KAFKA_SASL_USERNAME: 'SASL user (required with a mechanism)',
  KAFKA_SASL_PASSWORD: 'SASL password (secret; or KAFKA_SASL_PASSWORD_FILE)',
  KAFKA_TLS: 'true to connect with TLS',
  KAFKA_TLS_CA_FILE: 'PEM CA bundle for the brokers (implies KAFKA_TLS)',
  KAFKA_TLS_CERT_FILE: 'PEM client certificate for mutual TLS',
  KAFKA_TLS_KEY_FILE: 'PEM client key for mutual TLS (secret file)',
  KAFKA_TLS_REJECT_UNAUTHORIZED: 'false only for self-signed test clusters; default true',
  REDIS_USERNAME: 'Redis ACL user (Redis 6+)',
  REDIS_PASSWORD: 'Redis AUTH password (secret; or REDIS_PASSWORD_FILE)',
  REDIS_TLS: 'true to use TLS (also on for rediss:// URLs)',
  REDIS_TLS_CA_FILE: 'PEM CA bundle for Redis (implies TLS)',
  REDIS_TLS_CERT_FILE: 'PEM client certificate for mutual TLS',
  REDIS_TLS_KEY_FILE: 'PEM client key for mutual TLS (secret file)',
  REDIS_TLS_REJECT_UNAUTHORIZED: 'false only for self-signed test servers; default true',
  REDIS_CLUSTER: 'true to use Redis Cluster (REDIS_URL is the seed node)',
  CLICKHOUSE_USER: 'ClickHouse user for --clickhouse-url',
  CLICKHOUSE_PASSWORD: 'ClickHouse password (secret; or CLICKHOUSE_PASSWORD_FILE)',
  CLICKHOUSE_TLS: 'true to use TLS (also on for https:// URLs)',
  CLICKHOUSE_TLS_CA_FILE: 'PEM CA bundle for an https:// ClickHouse URL',
  CLICKHOUSE_TLS_CERT_FILE: 'PEM client certificate for mutual TLS (needs the CA file too)',
  CLICKHOUSE_TLS_KEY_FILE: 'PEM client key for mutual TLS (secret file)',
  CLICKHOUSE_TLS_REJECT_UNAUTHORIZED: 'false only for self-signed test servers; default true',
  SCHEMA_REGISTRY_USERNAME: 'schema registry basic-auth user',
  SCHEMA_REGISTRY_PASSWORD: 'schema registry basic-auth password (secret; or SCHEMA_REGISTRY_PASSWORD_FILE)',
} as const;

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function readFileSetting(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`setting ${name} names a file that cannot be read (${path}): ${(err as Error).message}`, err);
  }
}

/**
 * A secret from `NAME` or from the file named by `NAME_FILE` (one trailing newline dropped, as
 * `echo` and most secret stores add one). Both set is ambiguous and refused.
 */
export function readSecret(env: Env, name: string): Secret | undefined {
  const direct = env[name];
  const file = value(env, `${name}_FILE`);
  if (direct !== undefined && direct !== '' && file !== undefined) {
    throw new ConfigError(`settings ${name} and ${name}_FILE are both set; set only one`);
  }
  if (file !== undefined) {
    const text = readFileSetting(`${name}_FILE`, file).replace(/\r?\n$/, '');
    if (text === '') throw new ConfigError(`setting ${name}_FILE names an empty file (${file})`);
    return new Secret(text);
  }
  return direct === undefined || direct === '' ? undefined : new Secret(direct);
}

function readBoolean(env: Env, name: string): boolean | undefined {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  if (raw === 'false' || raw === '0' || raw === 'no') return false;
  throw new ConfigError(`setting ${name} must be true or false, got "${raw}"`);
}

/** TLS material for a prefix (KAFKA_TLS, REDIS_TLS, …); undefined when TLS is not asked for. */
function readTls(env: Env, prefix: string, forced: boolean): TlsFiles | undefined {
  const caFile = value(env, `${prefix}_CA_FILE`);
  const certFile = value(env, `${prefix}_CERT_FILE`);
  const keyFile = value(env, `${prefix}_KEY_FILE`);
  const enabled = readBoolean(env, prefix) ?? (forced || caFile !== undefined || certFile !== undefined);
  if (!enabled) {
    if (certFile !== undefined || keyFile !== undefined) throw new ConfigError(`settings ${prefix}_CERT_FILE/${prefix}_KEY_FILE need TLS, but ${prefix}=false`);
    return undefined;
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(`settings ${prefix}_CERT_FILE and ${prefix}_KEY_FILE go together for mutual TLS; set both or neither`);
  }
  const tls: TlsFiles = { rejectUnauthorized: readBoolean(env, `${prefix}_REJECT_UNAUTHORIZED`) ?? true };
  if (caFile !== undefined) tls.ca = readFileSetting(`${prefix}_CA_FILE`, caFile);
  if (certFile !== undefined) tls.cert = readFileSetting(`${prefix}_CERT_FILE`, certFile);
  if (keyFile !== undefined) tls.key = new Secret(readFileSetting(`${prefix}_KEY_FILE`, keyFile));
  return tls;
}

function readKafkaSecurity(env: Env): KafkaSecurity {
  const security: KafkaSecurity = {};
  const mechanism = value(env, 'KAFKA_SASL_MECHANISM')?.toLowerCase();
  const username = value(env, 'KAFKA_SASL_USERNAME');
  const password = readSecret(env, 'KAFKA_SASL_PASSWORD');
  if (mechanism === undefined) {
    if (username !== undefined || password !== undefined) {
      throw new ConfigError('setting KAFKA_SASL_MECHANISM is not set but a SASL user or password is: set it to plain, scram-sha-256 or scram-sha-512');
    }
  } else {
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new ConfigError(`setting KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}, got "${mechanism}"`);
    }
    if (username === undefined) throw new ConfigError(`setting KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    if (password === undefined) throw new ConfigError(`setting KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    security.sasl = { mechanism: mechanism as KafkaSaslMechanism, username, password };
  }
  const tls = readTls(env, 'KAFKA_TLS', false);
  if (tls) security.tls = tls;
  return security;
}

function readRedisSecurity(env: Env, redisUrl: string): RedisSecurity {
  const security: RedisSecurity = { cluster: readBoolean(env, 'REDIS_CLUSTER') ?? false };
  const username = value(env, 'REDIS_USERNAME');
  const password = readSecret(env, 'REDIS_PASSWORD');
  if (password !== undefined && /^rediss?:\/\/[^/@]*:[^/@]+@/.test(redisUrl)) {
    throw new ConfigError('settings REDIS_URL and REDIS_PASSWORD both carry a password; keep it only in REDIS_PASSWORD(_FILE)');
  }
  if (username !== undefined) security.username = username;
  if (password !== undefined) security.password = password;
  const tls = readTls(env, 'REDIS_TLS', redisUrl.startsWith('rediss://'));
  if (tls) security.tls = tls;
  return security;
}

/**
 * Reads and checks every security setting. `redisUrl`/`clickhouseUrl` are the already-resolved
 * endpoints (their scheme turns TLS on). Throws ConfigError naming the setting at fault.
 */
export function loadSecuritySettings(env: Env, endpoints: { redisUrl: string; clickhouseUrl?: string | undefined }): SecuritySettings {
  const settings: SecuritySettings = {
    kafka: readKafkaSecurity(env),
    redis: readRedisSecurity(env, endpoints.redisUrl),
    clickhouse: {},
    schemaRegistry: {},
  };
  const chUser = value(env, 'CLICKHOUSE_USER');
  const chPassword = readSecret(env, 'CLICKHOUSE_PASSWORD');
  if (chUser !== undefined) settings.clickhouse.username = chUser;
  if (chPassword !== undefined) settings.clickhouse.password = chPassword;
  const chTls = readTls(env, 'CLICKHOUSE_TLS', endpoints.clickhouseUrl?.startsWith('https://') ?? false);
  if (chTls) settings.clickhouse.tls = chTls;

  const srUser = value(env, 'SCHEMA_REGISTRY_USERNAME');
  const srPassword = readSecret(env, 'SCHEMA_REGISTRY_PASSWORD');
  if ((srUser === undefined) !== (srPassword === undefined)) {
    throw new ConfigError('settings SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together; set both or neither');
  }
  if (srUser !== undefined && srPassword !== undefined) settings.schemaRegistry.auth = { username: srUser, password: srPassword };
  return settings;
}

/** No security at all: plaintext Kafka, Redis without AUTH, the local stack's defaults. */
export function noSecurity(): SecuritySettings {
  return { kafka: {}, redis: { cluster: false }, clickhouse: {}, schemaRegistry: {} };
}
