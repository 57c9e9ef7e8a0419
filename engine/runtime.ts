// Runs one processor on Kafka + Redis: consumer group `<app>-<processor>`, one Task per assigned
// partition, global tables, metrics and health over HTTP, graceful shutdown.

import type { Cluster, Redis } from 'ioredis';
import type { Admin, Consumer, ConsumerRunConfig, PartitionMetadata } from 'kafkajs';
import { Kafka, Partitioners } from './kafka.ts';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { Serde } from '../avro/serde.ts';
import { createRedisClient, groupRequestTimeout, kafkaClientConfig, type SecuredConfig } from './client-options.ts';
import { changelogTopic } from './changelog.ts';
import { serdeCodec, type RecordCodec } from './codec.ts';
import { startHttp } from './http.ts';
import { keepConsumerRunning } from './consumer-restart.ts';
import { createEngineMetrics, type EngineMetrics } from './metrics.ts';
import { CircuitBreaker } from './retry.ts';
import { environmentConfig } from './secured-config.ts';
import { GlobalTableReader } from './global-table.ts';
import { Task, type PartitionFor, type TaskContext } from './task.ts';
import { ensureEngineTopics, partitionCounts } from './topics.ts';
import { dlqTopic, type ProcessorDefinition } from './types.ts';

export interface StartOptions {
  /** Resolved settings; default: loadConfig() with the security settings of the environment. */
  config?: SecuredConfig;
  /** Injected metrics registry; default: a new one. */
  registry?: Registry;
  logger?: Logger;
  /** Serve /metrics, /healthz and /readyz on this port (0 = any free port); absent = no server. */
  httpPort?: number;
  httpHost?: string;
  codec?: RecordCodec;
  /** Kafka client; default: one built from the config (tests pass one that injects faults). */
  kafka?: Kafka;
  /** Consumer session and heartbeat (short in tests so a killed instance is noticed quickly). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  transactionTimeoutMs?: number;
  /** Largest fetch per partition, which bounds a batch. */
  maxBytesPerPartition?: number;
  /** Stop gracefully on SIGTERM and SIGINT (default true). */
  stopOnSignals?: boolean;
}

export interface RunningProcessor {
  /**
   * Resolves when global tables are loaded and the first assignment's tasks are open; rejects
   * when the processor cannot start (topics missing, a component unreachable).
   */
  ready: Promise<void>;
  metrics: EngineMetrics;
  /** The HTTP port actually bound, once started, when a server was asked for. */
  readonly httpPort: number | null;
  /** Finishes the batch in flight, disconnects everything. Also run on SIGTERM/SIGINT. */
  stop(): Promise<void>;
}

interface Launched {
  ready: Promise<void>;
  httpPort: number | null;
  stop(): Promise<void>;
}

const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

/** Keyed records go where Kafka's default partitioner puts them; unkeyed ones stay on the task's partition. */
function makePartitioner(counts: ReadonlyMap<string, number>): PartitionFor {
  const murmur = Partitioners.DefaultPartitioner();
  const metadataByCount = new Map<number, PartitionMetadata[]>();
  const metadataOf = (count: number): PartitionMetadata[] => {
    let metadata = metadataByCount.get(count);
    if (metadata === undefined) {
      metadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      metadataByCount.set(count, metadata);
    }
    return metadata;
  };
  return (topic, key, taskPartition) => {
    const count = counts.get(topic) ?? 1;
    if (key === null) return taskPartition % count;
    if (count === 1) return 0;
    return murmur({ topic, partitionMetadata: metadataOf(count), message: { key, value: null } });
  };
}

/** Starts a processor; `ready` says when it runs. */
export function startProcessor(definition: ProcessorDefinition, options: StartOptions = {}): RunningProcessor {
  const metrics = createEngineMetrics(options.registry ?? new Registry());
  const launched = launch(definition, options, metrics);
  let httpPort: number | null = null;
  const ready = launched.then(async (running) => {
    httpPort = running.httpPort;
    await running.ready;
  });
  const onSignal = (): void => {
    void stop();
  };
  const stop = async (): Promise<void> => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    const running = await launched.catch(() => null);
    await running?.stop();
  };
  if (options.stopOnSignals ?? true) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return {
    ready,
    metrics,
    get httpPort() {
      return httpPort;
    },
    stop,
  };
}

async function launch(definition: ProcessorDefinition, options: StartOptions, metrics: EngineMetrics): Promise<Launched> {
  const config = options.config ?? environmentConfig();
  const logger = (options.logger ?? pino({ name: 'loyalty-engine' })).child({ processor: definition.name });
  const kafka =
    options.kafka ??
    new Kafka({ ...kafkaClientConfig(config, `${config.appId}-${definition.name}`), requestTimeout: groupRequestTimeout(options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS) });
  const redis: Redis | Cluster = createRedisClient(config, { maxRetriesPerRequest: 5 });
  const registryUrl = config.schemaRegistryUrl;
  const auth = config.security.schemaRegistry.auth;
  const codec =
    options.codec ??
    serdeCodec(registryUrl ? new Serde(registryUrl, auth ? { auth: { username: auth.username, password: auth.password.reveal() } } : {}) : null);
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await run(definition, options, { config, logger, metrics, kafka, redis, codec, admin });
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    redis.disconnect();
    throw error;
  }
}

interface Clients {
  config: SecuredConfig;
  logger: Logger;
  metrics: EngineMetrics;
  kafka: Kafka;
  redis: Redis | Cluster;
  codec: RecordCodec;
  admin: Admin;
}

async function run(definition: ProcessorDefinition, options: StartOptions, clients: Clients): Promise<Launched> {
  const { config, logger, metrics, kafka, redis, codec, admin } = clients;

  const groupId = `${config.appId}-${definition.name}`;
  const changelog = changelogTopic(config.appId, definition.name);
  await ensureEngineTopics(admin, definition, changelog);
  const counts = await partitionCounts(admin, [
    ...Object.values(definition.outputs).map((output) => output.topic),
    ...definition.inputs.map((input) => dlqTopic(input.topic)),
  ]);
  await codec.prepareOutputs(definition);
  const globals = new GlobalTableReader(kafka, admin, codec, logger);
  await globals.start(definition);

  const context: TaskContext = {
    definition,
    appId: config.appId,
    groupId,
    changelogTopic: changelog,
    kafka,
    admin,
    redis,
    codec,
    metrics,
    logger,
    globals: globals.tables,
    partitionFor: makePartitioner(counts),
    transactionTimeoutMs: options.transactionTimeoutMs ?? 30_000,
    kafkaBreaker: new CircuitBreaker('kafka'),
  };
  const tasks = new Map<number, Task>();
  let assigned: number[] = [];
  let stopping = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3000,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
  });

  const taskFor = (partition: number): Task => {
    let task = tasks.get(partition);
    if (task === undefined) {
      task = new Task(context, partition);
      tasks.set(partition, task);
    }
    return task;
  };
  const openTask = async (task: Task): Promise<void> => {
    try {
      await task.open();
    } catch (error) {
      logger.error({ event: 'task_open_failed', task: task.name, error: String(error) }, 'task could not be opened; retried on the next batch');
    }
  };

  // Tasks are opened as soon as they are assigned (not on their first batch), so an outbox left
  // by a crash is produced even when no new input arrives.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const topics = definition.inputs.map((input) => input.topic);
    const partitions = new Set<number>();
    for (const topic of topics) for (const partition of payload.memberAssignment[topic] ?? []) partitions.add(partition);
    assigned = [...partitions].sort((a, b) => a - b);
    logger.info({ event: 'partitions_assigned', partitions: assigned }, 'partitions assigned');
    for (const [partition, task] of tasks) {
      if (!partitions.has(partition)) {
        tasks.delete(partition);
        void task.exclusive(() => task.close());
      }
    }
    consumer.resume(topics.map((topic) => ({ topic })));
    const opening = assigned.map((partition) => {
      const task = taskFor(partition);
      return task.exclusive(() => openTask(task));
    });
    void Promise.all(opening).then(() => markReady());
  });
  // The lag after every fetch that was applied (eachBatch returned) or held only commit markers
  // (never handed to eachBatch): without the latter a transactional input would show a lag of one
  // marker forever. The one place the lag is updated besides a task's opening.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    tasks.get(payload.partition)?.noteLag(payload.topic, payload.highWatermark, payload.lastOffset);
  });

  await consumer.connect();
  for (const input of definition.inputs) await consumer.subscribe({ topic: input.topic, fromBeginning: true });
  const runConfig: ConsumerRunConfig = {
    autoCommit: false,
    eachBatchAutoResolve: true,
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch, heartbeat }) => {
      if (stopping) return;
      const task = taskFor(batch.partition);
      await task.exclusive(async () => {
        if (task.isFenced) {
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          return;
        }
        try {
          if (!task.isOpen) await task.reopen();
          await task.runBatch({ topic: batch.topic, partition: batch.partition, messages: batch.messages }, heartbeat);
        } catch (error) {
          if (task.isFenced) {
            // Another instance owns the partition; stop fetching it until the next assignment.
            consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
            return;
          }
          // Not committed: kafkajs fetches the batch again (its offsets were not resolved) after
          // a backoff, and the task reopens and recovers first.
          logger.error({ event: 'batch_failed', task: task.name, error: String(error) }, 'batch not committed; the task reopens and recovers');
          throw error;
        }
      });
      await heartbeat();
    },
  };
  const keeper = keepConsumerRunning(consumer, runConfig, logger, 'processor');
  await consumer.run(runConfig);

  const http =
    options.httpPort === undefined
      ? null
      : await startHttp(options.httpPort, options.httpHost ?? '127.0.0.1', metrics.registry, () => {
          const open = assigned.filter((partition) => tasks.get(partition)?.isOpen === true);
          const lagging = assigned.filter((partition) => [...(tasks.get(partition)?.lag.values() ?? [])].some((lag) => lag > 0));
          return {
            ready: !stopping && assigned.length > 0 && open.length === assigned.length && lagging.length === 0,
            detail: { assigned, open, lagging },
          };
        });
  const address = http?.server.address();
  const httpPort = address !== undefined && address !== null && typeof address === 'object' ? address.port : null;

  let stopped: Promise<void> | null = null;
  const shutDown = async (): Promise<void> => {
    stopping = true;
    keeper.stop();
    logger.info({ event: 'stopping' }, 'stopping: finishing the batch in flight');
    await consumer.disconnect().catch(() => undefined);
    await Promise.all([...tasks.values()].map((task) => task.exclusive(() => task.close())));
    await globals.stop();
    await admin.disconnect().catch(() => undefined);
    await http?.close();
    redis.disconnect();
    logger.info({ event: 'stopped' }, 'stopped');
  };
  // Every caller of stop() (signal, CLI, test) waits for the one shutdown to finish.
  const stop = (): Promise<void> => (stopped ??= shutDown());
  return { ready, httpPort, stop };
}
