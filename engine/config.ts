// The one configuration module. Settings are resolved once at the edge (a command, a test harness)
// with this precedence: explicit overrides (CLI flags) > environment > `.loyalty/stack.json` > defaults,
// then validated with zod so every other module receives typed, checked values.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { loadSecuritySettings, type SecuritySettings } from './security.ts';

/** The repository root (this file lives in `<repo>/engine/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'host:port');

/** A process the stack started (or found) and how to recognise it again. */
const processStateSchema = z.object({
  pid: z.number().int().positive().nullable(),
  /** True when `stack up` spawned it: only such processes are stopped by `stack down`. */
  startedByStack: z.boolean(),
  logFile: z.string().nullable(),
});

const stackStateSchema = z.object({
  version: z.literal(1),
  kafka: processStateSchema.extend({
    port: z.number().int().positive(),
    controllerPort: z.number().int().positive(),
    brokers: z.array(hostPort).min(1),
  }).nullable(),
  redis: processStateSchema.extend({ url: z.string().min(1) }).nullable(),
  registry: processStateSchema.extend({ url: z.string().min(1), port: z.number().int().positive() }).nullable(),
  chdb: z.object({ path: z.string().min(1) }),
  updatedAt: z.string(),
});

/** The content of `.loyalty/stack.json`, written by `loyalty stack up`. */
export type StackState = z.infer<typeof stackStateSchema>;

export type ProcessState = z.infer<typeof processStateSchema>;

const configSchema = z.object({
  kafkaBrokers: z.array(hostPort),
  redisUrl: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
  schemaRegistryUrl: z.url().optional(),
  clickhouseUrl: z.url().optional(),
  chdbPath: z.string().min(1),
  home: z.string().min(1),
  appId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash or underscore'),
  /** Address the HTTP servers (metrics/health, dashboard, sink endpoint) bind; 0.0.0.0 in containers. */
  httpHost: z.string().regex(/^[\w.:-]+$/, 'an IP address or host name'),
});

/**
 * Resolved, validated settings. `clickhouseUrl` absent means embedded chDB at `chdbPath`.
 * `security` (SASL, TLS, passwords) comes only from env or `*_FILE` files (engine/security.ts);
 * build clients from it with engine/client-options.ts and print it with `redact()`.
 */
export type LoyaltyConfig = z.infer<typeof configSchema> & { security: SecuritySettings };

/** What a caller may override (typically from CLI flags); brokers may be a comma list. Never secrets. */
export type ConfigOverrides = Partial<Omit<z.infer<typeof configSchema>, 'kafkaBrokers'>> & { kafkaBrokers?: string[] | string };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_APP_ID = 'loyalty';
/** Loopback by default: nothing is exposed on a developer's machine unless asked for. */
const DEFAULT_HTTP_HOST = '127.0.0.1';

/** Where `stack.json` lives for a given home folder. */
export function stackStatePath(home: string): string {
  return join(home, 'stack.json');
}

/** Reads `stack.json` if present. A file that exists but is not a valid state is a ConfigError. */
export function readStackState(home: string): StackState | null {
  const file = stackStatePath(home);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON; delete it and run \`loyalty stack up\``, err);
  }
  const parsed = stackStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${file} does not match the stack state format (${describeIssue(parsed.error)}); delete it and run \`loyalty stack up\``);
  }
  return parsed.data;
}

/** Validates a state before it is written, so a bug never leaves an unreadable stack.json behind. */
export function validateStackState(state: StackState): StackState {
  return stackStateSchema.parse(state);
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return `${path || 'value'}: ${issue.message}`;
}

/**
 * Resolves the configuration: overrides > env > stack.json > defaults.
 * Throws ConfigError naming the setting (and the env variable) that is invalid.
 */
export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): LoyaltyConfig {
  const homeRaw = overrides.home ?? nonEmpty(env.LOYALTY_HOME) ?? join(REPO_ROOT, '.loyalty');
  const home = isAbsolute(homeRaw) ? homeRaw : resolve(REPO_ROOT, homeRaw);
  const stack = readStackState(home);

  const brokersOverride = typeof overrides.kafkaBrokers === 'string' ? splitList(overrides.kafkaBrokers) : overrides.kafkaBrokers;
  const envBrokers = nonEmpty(env.KAFKA_BROKERS);
  const chdbRaw = overrides.chdbPath ?? nonEmpty(env.LOYALTY_CHDB_PATH) ?? stack?.chdb.path ?? join(home, 'chdb');

  const candidate = {
    kafkaBrokers: brokersOverride ?? (envBrokers ? splitList(envBrokers) : undefined) ?? stack?.kafka?.brokers ?? [],
    redisUrl: overrides.redisUrl ?? nonEmpty(env.REDIS_URL) ?? stack?.redis?.url ?? DEFAULT_REDIS_URL,
    schemaRegistryUrl: overrides.schemaRegistryUrl ?? nonEmpty(env.SCHEMA_REGISTRY_URL) ?? stack?.registry?.url,
    clickhouseUrl: overrides.clickhouseUrl ?? nonEmpty(env.CLICKHOUSE_URL),
    chdbPath: isAbsolute(chdbRaw) ? chdbRaw : resolve(REPO_ROOT, chdbRaw),
    home,
    appId: overrides.appId ?? nonEmpty(env.LOYALTY_APP_ID) ?? DEFAULT_APP_ID,
    httpHost: overrides.httpHost ?? nonEmpty(env.LOYALTY_HTTP_HOST) ?? DEFAULT_HTTP_HOST,
  };
  const parsed = configSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = String(issue?.path[0] ?? 'config');
    throw new ConfigError(`setting ${setting}${ENV_NAMES[setting] ? ` (env ${ENV_NAMES[setting]})` : ''} is invalid: ${describeIssue(parsed.error)}`);
  }
  return { ...parsed.data, security: loadSecuritySettings(env, parsed.data) };
}

const ENV_NAMES: Record<string, string> = {
  kafkaBrokers: 'KAFKA_BROKERS',
  redisUrl: 'REDIS_URL',
  schemaRegistryUrl: 'SCHEMA_REGISTRY_URL',
  clickhouseUrl: 'CLICKHOUSE_URL',
  chdbPath: 'LOYALTY_CHDB_PATH',
  home: 'LOYALTY_HOME',
  appId: 'LOYALTY_APP_ID',
  httpHost: 'LOYALTY_HTTP_HOST',
};

/** The brokers, or a ConfigError telling how to get some. */
export function requireKafkaBrokers(config: LoyaltyConfig): string[] {
  if (config.kafkaBrokers.length === 0) {
    throw new ConfigError('setting kafkaBrokers is not set: run `loyalty stack up`, set KAFKA_BROKERS or pass --brokers');
  }
  return config.kafkaBrokers;
}

/** The schema registry URL, or a ConfigError telling how to get one. */
export function requireSchemaRegistryUrl(config: LoyaltyConfig): string {
  if (!config.schemaRegistryUrl) {
    throw new ConfigError('setting schemaRegistryUrl is not set: run `loyalty stack up`, set SCHEMA_REGISTRY_URL or pass --registry');
  }
  return config.schemaRegistryUrl;
}

/** A URL safe to print: any password (e.g. in redis://user:secret@host) is masked. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
  }
}
