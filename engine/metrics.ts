// Engine metrics on an injected prom-client Registry (never the global one). Names are stable
// and documented in docs/operations.md.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface EngineMetrics {
  registry: Registry;
  recordsIn: Counter<'processor' | 'topic'>;
  recordsOut: Counter<'processor' | 'topic'>;
  processSeconds: Histogram<'processor'>;
  batchSize: Histogram<'processor'>;
  commitSeconds: Histogram<'processor'>;
  deadLetters: Counter<'processor' | 'reason'>;
  duplicatesSkipped: Counter<'processor' | 'topic'>;
  consumerLag: Gauge<'processor' | 'topic' | 'partition'>;
  stateOps: Counter<'processor'>;
  timersFired: Counter<'processor'>;
  outboxReplays: Counter<'processor'>;
  restores: Counter<'processor'>;
  fenced: Counter<'processor'>;
}

const metricsByRegistry = new WeakMap<Registry, EngineMetrics>();

/**
 * The engine metrics of a registry, created once: several processors in one process (`loyalty run`)
 * share one registry and tell their series apart by the `processor` label.
 */
export function createEngineMetrics(registry: Registry): EngineMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const metrics = buildEngineMetrics(registry);
  metricsByRegistry.set(registry, metrics);
  return metrics;
}

function buildEngineMetrics(registry: Registry): EngineMetrics {
  const registers = [registry];
  return {
    registry,
    recordsIn: new Counter({
      name: 'loyalty_engine_records_in_total',
      help: 'Input records consumed, by topic (watermarks and duplicates included)',
      labelNames: ['processor', 'topic'],
      registers,
    }),
    recordsOut: new Counter({
      name: 'loyalty_engine_records_out_total',
      help: 'Records committed to Kafka by topic (outputs, dead letters, changelog)',
      labelNames: ['processor', 'topic'],
      registers,
    }),
    processSeconds: new Histogram({
      name: 'loyalty_engine_process_seconds',
      help: 'Time to run the processor over one batch (decode to result, no I/O)',
      labelNames: ['processor'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    }),
    batchSize: new Histogram({
      name: 'loyalty_engine_batch_size',
      help: 'Records per batch',
      labelNames: ['processor'],
      buckets: [1, 10, 50, 100, 500, 1000, 5000],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'loyalty_engine_commit_seconds',
      help: 'Time to commit one batch: Redis script, Kafka transaction and outbox clear',
      labelNames: ['processor'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    deadLetters: new Counter({
      name: 'loyalty_engine_dead_letters_total',
      help: 'Records sent to a dead-letter topic, by reason',
      labelNames: ['processor', 'reason'],
      registers,
    }),
    duplicatesSkipped: new Counter({
      name: 'loyalty_engine_duplicates_skipped_total',
      help: 'Input records skipped because their offset is at or below the task watermark',
      labelNames: ['processor', 'topic'],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'loyalty_engine_consumer_lag',
      help: 'Records behind the end of the partition after the last batch',
      labelNames: ['processor', 'topic', 'partition'],
      registers,
    }),
    stateOps: new Counter({
      name: 'loyalty_engine_state_ops_total',
      help: 'State values (whole keys) and timer index entries written or deleted in Redis',
      labelNames: ['processor'],
      registers,
    }),
    timersFired: new Counter({
      name: 'loyalty_engine_timers_fired_total',
      help: 'Timers fired (removed by firing) in committed batches',
      labelNames: ['processor'],
      registers,
    }),
    outboxReplays: new Counter({
      name: 'loyalty_engine_outbox_replays_total',
      help: 'Outboxes left by a crash and produced again on assignment',
      labelNames: ['processor'],
      registers,
    }),
    restores: new Counter({
      name: 'loyalty_engine_state_restores_total',
      help: 'Task states rebuilt in Redis from the changelog',
      labelNames: ['processor'],
      registers,
    }),
    fenced: new Counter({
      name: 'loyalty_engine_fenced_total',
      help: 'Tasks this instance stopped because another instance took them over',
      labelNames: ['processor'],
      registers,
    }),
  };
}
