// A child process for the chaos tests: runs the running-sum processor until SIGTERM (graceful)
// or SIGKILL/SIGSTOP (chaos). Settings come as JSON in CHAOS_WORKER; logs are pino JSON on stdout.

import { pino } from 'pino';
import { loadConfig } from '../../engine/config.ts';
import { startProcessor } from '../../engine/runtime.ts';
import { noSecurity } from '../../engine/security.ts';
import { runningSum } from '../integration/engine/running-sum.ts';

interface WorkerSettings {
  appId: string;
  input: string;
  output: string;
  brokers: string[];
  redisUrl: string;
  registryUrl: string;
}

const settings = JSON.parse(process.env.CHAOS_WORKER ?? '{}') as WorkerSettings;
const config = {
  ...loadConfig({ kafkaBrokers: settings.brokers, redisUrl: settings.redisUrl, schemaRegistryUrl: settings.registryUrl, appId: settings.appId }),
  security: noSecurity(),
};
const running = startProcessor(runningSum(settings.input, settings.output), {
  config,
  logger: pino({ level: 'info' }),
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  rebalanceTimeoutMs: 10_000,
  maxBytesPerPartition: 64 * 1024,
  stopOnSignals: false,
});
process.once('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
await running.ready;
process.stdout.write(`${JSON.stringify({ event: 'worker_ready', pid: process.pid })}\n`);
