// The setting of the engine's real-stack tests: a running-sum app with its own input and output
// topics (created before, deleted after with the DLQ, the changelog and the app's Redis keys),
// clients, and the processor's config. Call inside a describe: it registers before/after.

import { after, before } from 'node:test';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { Serde } from '../../../avro/serde.ts';
import type { SecuredConfig } from '../../../engine/client-options.ts';
import { changelogTopic } from '../../../engine/changelog.ts';
import { loadConfig } from '../../../engine/config.ts';
import type { Kafka } from '../../../engine/kafka.ts';
import { startProcessor, type RunningProcessor, type StartOptions } from '../../../engine/runtime.ts';
import { noSecurity } from '../../../engine/security.ts';
import { dlqTopic } from '../../../engine/types.ts';
import { createTopic, deleteAppState, deleteTopics, getStack, kafkaClient, uniqueName } from '../harness.ts';
import { KEEP_FOREVER } from './io.ts';
import { runningSum } from './running-sum.ts';

export interface RunningSumApp {
  appId: string;
  input: string;
  output: string;
  kafka: Kafka;
  redis: Redis;
  serde: Serde;
  config: SecuredConfig;
}

export function runningSumApp(label: string, partitions: number): RunningSumApp {
  const appId = uniqueName(label);
  const app = { appId, input: `${appId}.entries`, output: `${appId}.sums` } as RunningSumApp;
  before(async () => {
    const stack = await getStack();
    if (stack.registryUrl === null) throw new Error('the stack has no schema registry; the engine tests need one for Avro');
    app.config = { ...loadConfig({ kafkaBrokers: stack.brokers, redisUrl: stack.redisUrl, schemaRegistryUrl: stack.registryUrl, appId }), security: noSecurity() };
    app.kafka = await kafkaClient();
    app.redis = new Redis(stack.redisUrl);
    app.serde = new Serde(stack.registryUrl);
    await createTopic(app.input, partitions, KEEP_FOREVER);
    await createTopic(app.output, partitions, KEEP_FOREVER);
  });
  after(async () => {
    await deleteTopics([app.input, app.output, dlqTopic(app.input), changelogTopic(appId, 'running-sum')]);
    await deleteAppState(app.redis, appId);
    await app.redis.quit();
  });
  return app;
}

/**
 * Starts the running-sum processor of `app` as these tests run it: metrics and health on a free
 * port, short sessions, small fetches (many batches), errors-only logs, no signal handlers.
 */
export function startRunningSum(app: RunningSumApp, overrides: Partial<StartOptions> = {}): RunningProcessor {
  return startProcessor(runningSum(app.input, app.output), {
    config: app.config,
    httpPort: 0,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1000,
    maxBytesPerPartition: 16 * 1024,
    stopOnSignals: false,
    logger: pino({ level: 'error' }),
    ...overrides,
  });
}
