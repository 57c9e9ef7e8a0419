// The body of every chaos worker process: reads its settings (JSON in CHAOS_WORKER), runs one
// processor on the real stack until SIGTERM (graceful) or SIGKILL/SIGSTOP (chaos), logs pino JSON
// on stdout and a `worker_ready` line once its tasks are open (test/chaos/worker-process.ts reads it).

import { pino } from 'pino';
import { loadConfig } from '../../engine/config.ts';
import { startProcessor } from '../../engine/runtime.ts';
import { noSecurity } from '../../engine/security.ts';
import type { ProcessorDefinition } from '../../engine/types.ts';

export interface WorkerSettings {
  appId: string;
  /** The processor's input and output topics, for the workers whose test names them. */
  input: string;
  output: string;
  brokers: string[];
  redisUrl: string;
  registryUrl: string;
}

/** Runs the processor `define` builds; small fetches make many small batches, so a kill lands between and inside commits. */
export async function runChaosWorker(define: (settings: WorkerSettings) => ProcessorDefinition, maxBytesPerPartition: number): Promise<void> {
  const settings = JSON.parse(process.env.CHAOS_WORKER ?? '{}') as WorkerSettings;
  const config = {
    ...loadConfig({ kafkaBrokers: settings.brokers, redisUrl: settings.redisUrl, schemaRegistryUrl: settings.registryUrl, appId: settings.appId }),
    security: noSecurity(),
  };
  const running = startProcessor(define(settings), {
    config,
    logger: pino({ level: 'info' }),
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 1000,
    rebalanceTimeoutMs: 10_000,
    maxBytesPerPartition,
    stopOnSignals: false,
  });
  process.once('SIGTERM', () => {
    void running.stop().then(() => process.exit(0));
  });
  await running.ready;
  process.stdout.write(`${JSON.stringify({ event: 'worker_ready', pid: process.pid })}\n`);
}
