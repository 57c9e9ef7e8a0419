// The sink's metrics, on an injected prom-client registry. Rows per second is
// rate(loyalty_sink_rows_total[1m]); names are stable (docs/analytics.md lists them).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SinkMetrics {
  rows: Counter<'table'>;
  batches: Counter<'topic'>;
  batchRecords: Histogram<'topic'>;
  insertSeconds: Histogram<'table'>;
  lag: Gauge<'topic' | 'partition'>;
  undecodable: Counter<'topic'>;
}

export function createSinkMetrics(registry: Registry): SinkMetrics {
  const registers = [registry];
  return {
    rows: new Counter({ name: 'loyalty_sink_rows_total', help: 'Rows inserted into ClickHouse', labelNames: ['table'], registers }),
    batches: new Counter({ name: 'loyalty_sink_batches_total', help: 'Batches written (inserted, then offsets committed)', labelNames: ['topic'], registers }),
    batchRecords: new Histogram({
      name: 'loyalty_sink_batch_records', help: 'Kafka records per batch', labelNames: ['topic'], registers,
      buckets: [1, 10, 100, 1000, 5000, 10_000, 25_000, 50_000],
    }),
    insertSeconds: new Histogram({
      name: 'loyalty_sink_insert_seconds', help: 'Latency of one ClickHouse insert', labelNames: ['table'], registers,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    lag: new Gauge({ name: 'loyalty_sink_consumer_lag', help: 'Records behind the end of the partition after the last fetch', labelNames: ['topic', 'partition'], registers }),
    undecodable: new Counter({ name: 'loyalty_sink_undecodable_total', help: 'Records the sink could not decode (stored in dlq_events)', labelNames: ['topic'], registers }),
  };
}
