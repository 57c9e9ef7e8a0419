// A child process for the card-fraud chaos test: runs the card-fraud processor over the test's
// topics until SIGTERM (graceful) or SIGKILL (chaos). Settings come as JSON in CHAOS_WORKER; logs
// are pino JSON on stdout, and a `worker_ready` line once its tasks are open.

import { pino } from 'pino';
import { loadConfig } from '../../engine/config.ts';
import { startProcessor } from '../../engine/runtime.ts';
import { noSecurity } from '../../engine/security.ts';
import { createCardFraudProcessor } from '../../processors/card-fraud/processor.ts';
import { loadProgram } from '../../processors/program.ts';

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
const definition = createCardFraudProcessor({ program: loadProgram(), topics: { byCard: settings.input, signals: settings.output } });
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
