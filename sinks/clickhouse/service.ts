// The sink as a running service: opens ClickHouse (chDB folder or server), applies migrations,
// serves metrics and the read-only query endpoint, announces it for `loyalty sql`, and runs the
// consumer group. `loyalty sink clickhouse` runs it; a `loyalty run` that hosts the sink can too.
import type { KafkaConfig } from 'kafkajs';
import { Kafka, logLevel } from '../../engine/kafka.ts';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Serde, type SerdeOptions } from '../../avro/serde.ts';
import { groupRequestTimeout } from '../../engine/client-options.ts';
import { openAnalytics, type Analytics, type AnalyticsTarget } from './client.ts';
import { announceEndpoint, serveAnalytics } from './endpoint.ts';
import { migrate } from './migrate.ts';
import { createSinkMetrics } from './metrics.ts';
import { ClickHouseSink, SINK_SESSION_TIMEOUT_MS } from './sink.ts';
import { sinkTopics } from './topics.ts';

export interface SinkServiceOptions {
  target: AnalyticsTarget;
  kafka: KafkaConfig;
  registryUrl: string;
  registryOptions?: SerdeOptions;
  groupId: string;
  topicPrefix?: string | undefined;
  /** Folder of `analytics/<hash>.json` endpoint announcements (the config home). */
  home: string;
  /** Port of the metrics and query endpoint (0 picks a free one). */
  port?: number;
  /** Address the endpoint binds (default 127.0.0.1; 0.0.0.0 in a container so probes reach it). */
  host?: string;
  logger: Logger;
  maxBatchRecords?: number;
}

export interface SinkService {
  analytics: Analytics;
  endpointUrl: string;
  appliedMigrations: number[];
  stop(): Promise<void>;
}

export async function startSinkService(options: SinkServiceOptions): Promise<SinkService> {
  const { logger } = options;
  const analytics = await openAnalytics(options.target);
  const cleanups: (() => Promise<void> | void)[] = [() => analytics.close()];
  const undo = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const appliedMigrations = await migrate(analytics);
    logger.info({ appliedMigrations }, 'sink: ClickHouse schema is current');
    const registry = new Registry();
    const metrics = createSinkMetrics(registry);
    const endpoint = await serveAnalytics(analytics, registry, options.port ?? 0, options.host ?? '127.0.0.1');
    cleanups.push(() => endpoint.close());
    if ('chdbPath' in options.target) {
      cleanups.push(announceEndpoint(options.home, { url: endpoint.url, pid: process.pid, chdbPath: options.target.chdbPath }));
    }
    const topics = sinkTopics(options.topicPrefix);
    const sink = new ClickHouseSink({
      kafka: new Kafka({ logLevel: logLevel.WARN, ...options.kafka, requestTimeout: groupRequestTimeout(SINK_SESSION_TIMEOUT_MS) }),
      groupId: options.groupId,
      topics,
      analytics,
      decoder: new Serde(options.registryUrl, options.registryOptions),
      metrics,
      logger,
      ...(options.maxBatchRecords ? { maxBatchRecords: options.maxBatchRecords } : {}),
    });
    await sink.start();
    cleanups.push(() => sink.stop());
    logger.info({ groupId: options.groupId, topics: topics.map((t) => t.topic), endpoint: endpoint.url }, 'sink: consuming');
    return { analytics, endpointUrl: endpoint.url, appliedMigrations, stop: undo };
  } catch (err) {
    await undo();
    throw err;
  }
}
