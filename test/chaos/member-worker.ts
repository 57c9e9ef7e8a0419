// A child process for the member chaos test: runs the member processor over the topics prefixed
// with the test's app id until SIGTERM (graceful) or SIGKILL (chaos). Settings come as JSON in
// CHAOS_WORKER; logs are pino JSON on stdout, and a `worker_ready` line once its tasks are open.

import { pino } from 'pino';
import { loadConfig } from '../../engine/config.ts';
import { startProcessor } from '../../engine/runtime.ts';
import { noSecurity } from '../../engine/security.ts';
import { createProcessors } from '../../processors/index.ts';
import { loadProgram } from '../../processors/program.ts';

interface WorkerSettings {
  appId: string;
  brokers: string[];
  redisUrl: string;
  registryUrl: string;
}

const settings = JSON.parse(process.env.CHAOS_WORKER ?? '{}') as WorkerSettings;
const config = {
  ...loadConfig({ kafkaBrokers: settings.brokers, redisUrl: settings.redisUrl, schemaRegistryUrl: settings.registryUrl, appId: settings.appId }),
  security: noSecurity(),
};
// The app id doubles as the topic prefix, so every topic of the run is private to the test.
const definition = createProcessors({ program: loadProgram(), topicPrefix: settings.appId }).member;
const running = startProcessor(definition, {
  config,
  logger: pino({ level: 'info' }),
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  rebalanceTimeoutMs: 10_000,
  // Small fetches make many small batches, so a kill lands between and inside commits.
  maxBytesPerPartition: 16 * 1024,
  stopOnSignals: false,
});
process.once('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
await running.ready;
process.stdout.write(`${JSON.stringify({ event: 'worker_ready', pid: process.pid })}\n`);
