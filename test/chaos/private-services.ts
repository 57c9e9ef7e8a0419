// Private services for the restart chaos tests: a redis-server and a KRaft broker of the test's
// own, each on its own free port with its own folder under `<home>/tmp`, that a test may stop
// and start again (same port, same data) without touching the shared stack. The broker is built
// from the stack's own pieces (stack/kafka/broker.ts), so it runs exactly the stack's settings.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from '../../engine/kafka.ts';
import { loadConfig, REPO_ROOT } from '../../engine/config.ts';
import { kafkaPaths, prepareKafka, startKafka, waitForKafka } from '../../stack/kafka/broker.ts';
import { ensureKafkaJars } from '../../stack/kafka/jars.ts';
import { freePort, isOurProcess, requireProgram, spawnDetached, stopProcess, waitUntil } from '../../stack/process.ts';
import { redisAnswers } from '../../stack/redis.ts';
import { uniqueName } from '../integration/harness.ts';

/** A service the test can stop and start again on the same port and data. */
export interface PrivateService {
  /** Where its data, configuration and log live. */
  dir: string;
  readonly pid: number | null;
  /** Stops it gracefully (SIGTERM, SIGKILL after a grace period); resolves once it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  remove(): Promise<void>;
}

export interface PrivateRedis extends PrivateService {
  url: string;
}

export interface PrivateBroker extends PrivateService {
  brokers: string[];
  /** A kafkajs client on this broker, quiet unless something goes wrong. */
  client(clientId?: string): Kafka;
}

/** A fresh folder under the stack's home for one private service. */
function privateDir(label: string): string {
  const dir = join(loadConfig().home, 'tmp', uniqueName(label));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Kills the process group if the test process exits without stopping it (a failed `before`, Ctrl-C). */
function killOnExit(pidOf: () => number | null): void {
  process.once('exit', () => {
    const pid = pidOf();
    if (pid === null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
}

/** Waits for a start-up; when it fails, the process is stopped before the error goes on (no orphan). */
async function stopIfFailed(pid: number, graceMs: number, startUp: Promise<void>): Promise<void> {
  try {
    await startUp;
  } catch (error) {
    await stopProcess(pid, graceMs);
    throw error;
  }
}

function service(dir: string, launch: () => Promise<number>, graceMs: number): PrivateService {
  let pid: number | null = null;
  killOnExit(() => pid);
  const stop = async (): Promise<void> => {
    if (pid !== null) await stopProcess(pid, graceMs);
    pid = null;
  };
  return {
    dir,
    get pid() {
      return pid;
    },
    stop,
    async start() {
      if (pid !== null) throw new Error(`the service in ${dir} already runs (pid ${pid})`);
      pid = await launch();
    },
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A redis-server of the test's own on a free port, with every write on disk before it is
 * acknowledged (AOF, appendfsync always) in its own folder: a restart keeps everything.
 */
export async function startPrivateRedis(label = 'redis'): Promise<PrivateRedis> {
  requireProgram('redis-server', 'redis-server');
  const dir = privateDir(label);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const logFile = join(dir, 'redis.log');
  const launch = async (): Promise<number> => {
    const pid = spawnDetached('redis-server', [
      '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always',
      '--save', '', '--daemonize', 'no',
    ], logFile, REPO_ROOT);
    await stopIfFailed(pid, 5000, waitUntil('private redis-server', 20_000, () => redisAnswers(url), () => isOurProcess(pid, ['redis-server', String(port)]), `see ${logFile}`));
    return pid;
  };
  // Object.assign keeps the service object itself (a spread would lose the `pid` getter).
  const base = service(dir, launch, 10_000);
  await base.start();
  return Object.assign(base, { url });
}

/**
 * A single-node KRaft broker of the test's own (the stack's server.properties, its own port,
 * controller port and data folder). Stopping it is a clean shutdown; starting it again reuses the
 * same port, data and cluster id.
 */
export async function startPrivateBroker(label = 'kafka', log: (line: string) => void = () => undefined): Promise<PrivateBroker> {
  const dir = privateDir(label);
  const libs = ensureKafkaJars(log);
  const paths = kafkaPaths(dir);
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  prepareKafka(paths, libs, port, controllerPort);
  const launch = async (): Promise<number> => {
    const pid = startKafka(paths, libs);
    await stopIfFailed(pid, 30_000, waitForKafka(paths, pid, port, 120_000));
    return pid;
  };
  const brokers = [`127.0.0.1:${port}`];
  const base = service(dir, launch, 45_000);
  await base.start();
  return Object.assign(base, {
    brokers,
    client: (clientId = uniqueName('restart-test')) =>
      new Kafka({ clientId, brokers, logLevel: logLevel.WARN, retry: { retries: 8, initialRetryTime: 200 } }),
  });
}
