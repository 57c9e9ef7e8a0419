// The local real stack: Kafka (KRaft, from Maven jars), Redis, the schema registry and embedded
// chDB. `stackUp` is idempotent: it reuses every component that still runs and answers, starts the
// rest, waits for health and records ports and pids in `.loyalty/stack.json`. `stackDown` stops
// only what `stackUp` started.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import {
  DEFAULT_REDIS_URL, loadConfig, readStackState, redactUrl, stackStatePath, validateStackState,
  type ConfigOverrides, type StackState,
} from '../engine/config.ts';
import { ConfigError } from '../engine/errors.ts';
import { probeChdb } from './chdb.ts';
import { ensureKafkaJars } from './kafka/jars.ts';
import { kafkaHealthy, kafkaMarkers, kafkaPaths, prepareKafka, startKafka, waitForKafka } from './kafka/broker.ts';
import { withStackLock } from './lock.ts';
import { canConnect, findOurProcesses, freePort, isOurProcess, stopProcess } from './process.ts';
import { ensureRedis, redisAnswers, redisMarkers } from './redis.ts';
import { ensureRegistry, registryCommandExists, registryHealthy, registryMarkers } from './registry-process.ts';

export type ComponentName = 'kafka' | 'redis' | 'registry' | 'chdb';

export interface ComponentStatus {
  name: ComponentName;
  healthy: boolean;
  /** Not part of the stack yet (the registry before its command exists); not counted as unhealthy. */
  skipped: boolean;
  endpoint: string | null;
  pid: number | null;
  startedByStack: boolean;
  detail: string;
}

export interface StackStatus {
  healthy: boolean;
  stateFile: string;
  components: ComponentStatus[];
}

export interface StackUpOptions {
  /** Kafka listener port; default: the one in stack.json, else a free port chosen now. */
  kafkaPort?: number;
  overrides?: ConfigOverrides;
  /** Progress lines for a person watching (start-up can take a minute on a cold cache). */
  log?: (line: string) => void;
}

export interface StackUpResult {
  state: StackState;
  started: ComponentName[];
  reused: ComponentName[];
  /** Components that did not come up but do not stop the rest (today: the schema registry). */
  problems: string[];
}

function writeState(home: string, state: StackState): void {
  mkdirSync(home, { recursive: true });
  const file = stackStatePath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(validateStackState({ ...state, updatedAt: new Date().toISOString() }), null, 2)}\n`);
  renameSync(tmp, file);
}

function emptyState(chdbPath: string): StackState {
  return { version: 1, kafka: null, redis: null, registry: null, chdb: { path: chdbPath }, updatedAt: '' };
}

/** True when the recorded stack runs and answers, so `up` can return without taking the lock. */
async function alreadyHealthy(state: StackState | null, home: string, kafkaPort: number | undefined): Promise<boolean> {
  if (!state?.kafka || !state.redis) return false;
  if (kafkaPort !== undefined && kafkaPort !== state.kafka.port) return false;
  if (!isOurProcess(state.kafka.pid, kafkaMarkers(kafkaPaths(home))) || !(await kafkaHealthy(state.kafka.port))) return false;
  if (!(await redisAnswers(state.redis.url))) return false;
  if (registryCommandExists() && !(state.registry && (await registryHealthy(state.registry.url)))) return false;
  return true;
}

async function upKafka(home: string, state: StackState, requestedPort: number | undefined, log: (line: string) => void): Promise<boolean> {
  const paths = kafkaPaths(home);
  const markers = kafkaMarkers(paths);
  const previous = state.kafka;
  const runningPid = previous && isOurProcess(previous.pid, markers) ? previous.pid : (findOurProcesses(markers)[0] ?? null);
  if (runningPid !== null && previous) {
    if (requestedPort !== undefined && requestedPort !== previous.port) {
      throw new ConfigError(`Kafka already runs on port ${previous.port} (pid ${runningPid}); run \`loyalty stack down\` before choosing --kafka-port ${requestedPort}`);
    }
    state.kafka = { ...previous, pid: runningPid };
    if (!(await kafkaHealthy(previous.port))) {
      log(`Kafka (pid ${runningPid}) is running but not ready yet; waiting`);
      await waitForKafka(paths, runningPid, previous.port);
    }
    return false;
  }
  if (runningPid !== null) {
    throw new ConfigError(`a Kafka broker of this stack (pid ${runningPid}) runs but stack.json does not record it; stop it with \`kill ${runningPid}\` and run \`loyalty stack up\` again`);
  }
  const port = requestedPort ?? previous?.port ?? (await freePort());
  let controllerPort = previous?.controllerPort ?? (await freePort());
  while (controllerPort === port) controllerPort = await freePort();
  if (await canConnect('127.0.0.1', port)) {
    throw new ConfigError(`port ${port} for Kafka is taken by another program; pass --kafka-port <free port>`);
  }
  const libs = ensureKafkaJars(log);
  prepareKafka(paths, libs, port, controllerPort);
  log(`starting Kafka on 127.0.0.1:${port}`);
  const pid = startKafka(paths, libs);
  state.kafka = { pid, startedByStack: true, logFile: paths.logFile, port, controllerPort, brokers: [`127.0.0.1:${port}`] };
  writeState(home, state);
  try {
    await waitForKafka(paths, pid, port);
  } catch (err) {
    await stopProcess(pid, 10_000);
    state.kafka = { ...state.kafka, pid: null };
    writeState(home, state);
    throw err;
  }
  return true;
}

/** Brings the stack up (reusing what runs) and returns the recorded state. */
export async function stackUp(options: StackUpOptions = {}): Promise<StackUpResult> {
  const log = options.log ?? (() => undefined);
  const config = loadConfig(options.overrides);
  const existing = readStackState(config.home);
  if (await alreadyHealthy(existing, config.home, options.kafkaPort)) {
    return { state: existing as StackState, started: [], reused: ['kafka', 'redis', ...(registryCommandExists() ? ['registry' as const] : []), 'chdb'], problems: [] };
  }
  return withStackLock(config.home, async () => {
    const state = readStackState(config.home) ?? emptyState(config.chdbPath);
    state.chdb = { path: config.chdbPath };
    const started: ComponentName[] = [];
    const reused: ComponentName[] = [];
    const problems: string[] = [];
    (await upKafka(config.home, state, options.kafkaPort, log) ? started : reused).push('kafka');
    writeState(config.home, state);

    const preferredRedis = options.overrides?.redisUrl ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
    const redis = await ensureRedis(config.home, preferredRedis, state.redis, log);
    state.redis = redis.state;
    (redis.reused ? reused : started).push('redis');
    writeState(config.home, state);

    if (registryCommandExists() && state.kafka) {
      log('starting the schema registry');
      const registry = await ensureRegistry(config.home, state.kafka.brokers, state.registry);
      state.registry = registry.state;
      if (registry.outcome === 'failed') {
        problems.push(registry.problem ?? 'schema registry did not start');
        log(`warning: ${registry.problem ?? 'schema registry did not start'}`);
      } else {
        (registry.outcome === 'reused' ? reused : started).push('registry');
      }
      writeState(config.home, state);
    }

    const chdb = probeChdb(config.chdbPath);
    if (!chdb.healthy) throw new ConfigError(chdb.detail);
    reused.push('chdb');
    return { state, started, reused, problems };
  });
}

/** Stops every process the stack started (registry, Kafka, our own Redis); keeps ports and data. */
export async function stackDown(options: { overrides?: ConfigOverrides; log?: (line: string) => void } = {}): Promise<{ stopped: ComponentName[] }> {
  const log = options.log ?? (() => undefined);
  const config = loadConfig(options.overrides);
  return withStackLock(config.home, async () => {
    const state = readStackState(config.home);
    const stopped: ComponentName[] = [];
    const stop = async (name: ComponentName, pids: number[], graceMs: number): Promise<void> => {
      for (const pid of new Set(pids)) {
        const outcome = await stopProcess(pid, graceMs);
        if (outcome !== 'absent') {
          log(`${name}: pid ${pid} ${outcome}`);
          if (!stopped.includes(name)) stopped.push(name);
        }
      }
    };
    if (state?.registry) {
      const markers = registryMarkers(state.registry.port);
      await stop('registry', [...(isOurProcess(state.registry.pid, markers) ? [state.registry.pid as number] : []), ...findOurProcesses(markers)], 10_000);
      state.registry = { ...state.registry, pid: null };
    }
    const markers = kafkaMarkers(kafkaPaths(config.home));
    await stop('kafka', [...(state?.kafka && isOurProcess(state.kafka.pid, markers) ? [state.kafka.pid as number] : []), ...findOurProcesses(markers)], 45_000);
    if (state?.kafka) state.kafka = { ...state.kafka, pid: null };
    if (state?.redis?.startedByStack) {
      if (isOurProcess(state.redis.pid, redisMarkers(state.redis.url))) await stop('redis', [state.redis.pid as number], 10_000);
      state.redis = null;
    }
    if (state) writeState(config.home, state);
    return { stopped };
  });
}

/** Health of each component as recorded in stack.json, checked live. */
export async function stackStatus(options: { overrides?: ConfigOverrides } = {}): Promise<StackStatus> {
  const config = loadConfig(options.overrides);
  const state = readStackState(config.home);
  const components: ComponentStatus[] = [];

  const kafka = state?.kafka;
  const kafkaRuns = kafka ? isOurProcess(kafka.pid, kafkaMarkers(kafkaPaths(config.home))) : false;
  const kafkaOk = kafka && kafkaRuns ? await kafkaHealthy(kafka.port) : false;
  components.push({
    name: 'kafka', healthy: kafkaOk, skipped: false, endpoint: kafka?.brokers.join(',') ?? null, pid: kafkaRuns ? kafka?.pid ?? null : null,
    startedByStack: kafka?.startedByStack ?? false,
    detail: !kafka ? 'not started: run `loyalty stack up`' : !kafkaRuns ? 'not running' : kafkaOk ? 'metadata request answered' : `running but not answering; see ${kafka.logFile}`,
  });

  const redis = state?.redis;
  const redisOk = redis ? await redisAnswers(redis.url) : false;
  components.push({
    name: 'redis', healthy: redisOk, skipped: false, endpoint: redis ? redactUrl(redis.url) : null, pid: redis?.pid ?? null,
    startedByStack: redis?.startedByStack ?? false,
    detail: !redis ? 'not started: run `loyalty stack up`' : redisOk ? `PING answered${redis.startedByStack ? '' : ' (the machine\'s Redis, not managed by the stack)'}` : 'PING not answered',
  });

  if (!registryCommandExists()) {
    components.push({ name: 'registry', healthy: false, skipped: true, endpoint: null, pid: null, startedByStack: false, detail: 'skipped: `loyalty registry serve` (cli/commands/registry.ts) does not exist yet' });
  } else {
    const registry = state?.registry;
    const registryOk = registry ? await registryHealthy(registry.url) : false;
    components.push({
      name: 'registry', healthy: registryOk, skipped: false, endpoint: registry?.url ?? null, pid: registry?.pid ?? null, startedByStack: registry?.startedByStack ?? false,
      detail: !registry ? 'not started: run `loyalty stack up`' : registryOk ? 'GET /subjects answered 200' : `not answering; see ${registry.logFile}`,
    });
  }

  const chdbPath = state?.chdb.path ?? config.chdbPath;
  const chdb = probeChdb(chdbPath);
  components.push({ name: 'chdb', healthy: chdb.healthy, skipped: false, endpoint: chdbPath, pid: null, startedByStack: false, detail: chdb.detail });

  return { healthy: components.every((c) => c.healthy || c.skipped), stateFile: stackStatePath(config.home), components };
}
