// The ClickHouse sink: one kafkajs consumer group (read_committed) over the output topics, each
// partition's fetched records cut into batches (batches.ts) and written as one insert per table
// with the batch's dedup token; offsets are committed only after every insert of the batch
// succeeded. chDB runs one statement at a time, so inserts go through a one-slot queue, and a
// partition's eachBatch waits for its inserts: fetching slows down to what ClickHouse absorbs.
import type { Consumer, ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { FraudSignal, LedgerEntry, MemberSnapshot, OrderEvent, PromotionDecision } from '../../avro/records.ts';
import { keepConsumerRunning, type ConsumerKeeper } from '../../engine/consumer-restart.ts';
import { ConfigError } from '../../engine/errors.ts';
import { DLQ_HEADERS, WATERMARK_HEADER } from '../../engine/types.ts';
import type { Analytics } from './client.ts';
import { cutBatches, decodePendingBounds, dedupToken, encodePendingBounds, MAX_BATCH_RECORDS, type Batch, type BatchBounds } from './batches.ts';
import type { SinkMetrics } from './metrics.ts';
import {
  appendRows, decisionRows, dlqRows, fraudRows, ledgerRows, memberRows, orderRows, SINK_TABLES, type Origin, type TableRows,
} from './rows.ts';

export type SinkRecordKind = 'order' | 'ledger' | 'member' | 'decision' | 'signal' | 'dlq';

export interface SinkTopic {
  topic: string;
  kind: SinkRecordKind;
}

/** The part of avro/serde.ts the sink uses. */
export interface SinkDecoder {
  ensureSchemas(buffers: Iterable<Buffer | null | undefined>): Promise<void>;
  decodeSync(buf: Buffer | null | undefined): { value: unknown };
}

export interface SinkOptions {
  kafka: Kafka;
  groupId: string;
  topics: SinkTopic[];
  analytics: Analytics;
  decoder: SinkDecoder;
  metrics: SinkMetrics;
  logger: Logger;
  maxBatchRecords?: number;
}

/** Reason of a dlq_events row for a record the sink itself could not decode or map. */
export const SINK_UNDECODABLE = 'SINK_UNDECODABLE';

/** The sink's group session timeout; its Kafka client's request timeout follows it (groupRequestTimeout). */
export const SINK_SESSION_TIMEOUT_MS = 60_000;

/**
 * Fetch tuning: the broker answers once 1 MB is ready or after 1 s, whichever comes first. kafkajs
 * heartbeats only between batches, and a partition may wait for another's 50k-row insert in the
 * queue, so the session timeout leaves room for a few slow inserts on a loaded machine.
 */
const CONSUMER = {
  minBytes: 1024 * 1024, maxWaitTimeInMs: 1000, maxBytesPerPartition: 32 * 1024 * 1024, maxBytes: 64 * 1024 * 1024,
  sessionTimeout: SINK_SESSION_TIMEOUT_MS, rebalanceTimeout: 120_000, heartbeatInterval: 3_000,
};
/** Partitions fetched and mapped side by side; their inserts still run one at a time. */
const PARTITIONS_IN_PARALLEL = 2;

function headerText(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/** The rows of one decoded record of a given kind. */
function rowsOfValue(kind: Exclude<SinkRecordKind, 'dlq'>, value: unknown, origin: Origin): TableRows {
  switch (kind) {
    case 'order': return orderRows(value as OrderEvent, origin);
    case 'ledger': return ledgerRows(value as LedgerEntry, origin);
    case 'member': return memberRows(value as MemberSnapshot, origin);
    case 'decision': return decisionRows(value as PromotionDecision, origin);
    case 'signal': return fraudRows(value as FraudSignal, origin);
  }
}

export class ClickHouseSink {
  private readonly consumer: Consumer;
  private readonly kinds: Map<string, SinkRecordKind>;
  private readonly inserts = new PQueue({ concurrency: 1 });
  /** Pending bounds per `topic:partition`, read once per group generation (undefined = not read yet). */
  private readonly pending = new Map<string, BatchBounds | null>();
  /** Records of a pending batch gathered over several fetches, per `topic:partition` (see cutBatches). */
  private readonly gathered = new Map<string, KafkaMessage[]>();
  private readonly maxBatchRecords: number;
  private keeper: ConsumerKeeper | null = null;

  constructor(private readonly options: SinkOptions) {
    this.kinds = new Map(options.topics.map((t) => [t.topic, t.kind]));
    this.maxBatchRecords = options.maxBatchRecords ?? MAX_BATCH_RECORDS;
    this.consumer = options.kafka.consumer({ groupId: options.groupId, readUncommitted: false, ...CONSUMER });
    // A new generation fetches again from the committed offsets: what was read ahead is dropped.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.pending.clear();
      this.gathered.clear();
    });
  }

  /** Refuses to start on missing topics, naming them (kafkajs would only say "unknown topic"). */
  private async checkTopicsExist(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [...this.kinds.keys()].filter((t) => !existing.has(t));
      if (missing.length > 0) {
        throw new ConfigError(`the sink's topics do not exist: ${missing.join(', ')}; create them with \`loyalty topics apply\` (with the same --prefix)`);
      }
    } finally {
      await admin.disconnect();
    }
  }

  async start(): Promise<void> {
    await this.checkTopicsExist();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.kinds.keys()], fromBeginning: true });
    const runConfig: ConsumerRunConfig = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: PARTITIONS_IN_PARALLEL,
      eachBatch: (payload) => this.onBatch(payload),
    };
    this.keeper = keepConsumerRunning(this.consumer, runConfig, this.options.logger, 'sink');
    await this.consumer.run(runConfig);
  }

  /** Stops fetching, lets the insert in flight finish (its offsets are then committed), disconnects. */
  async stop(): Promise<void> {
    this.keeper?.stop();
    await this.consumer.disconnect();
    await this.inserts.onIdle();
  }

  private async pendingBounds(topic: string, partition: number): Promise<BatchBounds | null> {
    const key = `${topic}:${partition}`;
    const known = this.pending.get(key);
    if (known !== undefined) return known;
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
      for (const p of offsets?.partitions ?? []) this.pending.set(`${topic}:${p.partition}`, decodePendingBounds(p.metadata));
    } finally {
      await admin.disconnect();
    }
    return this.pending.get(key) ?? null;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const kind = this.kinds.get(topic);
    if (!kind || batch.isEmpty()) return;
    this.options.metrics.lag.set({ topic, partition: String(partition) }, Number(batch.offsetLag()));
    const pending = await this.pendingBounds(topic, partition);
    const key = `${topic}:${partition}`;
    const before = this.gathered.get(key) ?? [];
    this.gathered.delete(key);
    const after = BigInt(before.at(-1)?.offset ?? -1);
    const messages = before.length === 0 ? batch.messages : [...before, ...batch.messages.filter((m) => BigInt(m.offset) > after)];
    const { batches, incomplete } = cutBatches(messages, pending, batch.highWatermark, this.maxBatchRecords);
    const tail = incomplete?.at(-1);
    if (incomplete && tail) {
      this.options.logger.info({ topic, partition, pending, gatheredTo: tail.offset }, 'sink: the fetch ended inside the written-ahead batch; reading on');
      this.gathered.set(key, incomplete);
      resolveOffset(tail.offset);
      return;
    }
    for (const cut of batches) {
      if (!isRunning() || isStale()) return;
      const rows = await this.rowsOf(topic, partition, kind, cut.messages);
      await this.inserts.add(() => this.writeBatch(topic, partition, cut, rows));
      resolveOffset(cut.last);
      await heartbeat();
    }
  }

  private async rowsOf(topic: string, partition: number, kind: SinkRecordKind, messages: KafkaMessage[]): Promise<TableRows> {
    const rows: TableRows = {};
    if (kind !== 'dlq') await this.options.decoder.ensureSchemas(messages.map((m) => m.value));
    for (const message of messages) {
      const headers = headerText(message.headers);
      const letter = {
        topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value,
        headers, timestamp: Number(message.timestamp),
      };
      if (kind === 'dlq') {
        appendRows(rows, dlqRows(letter));
        continue;
      }
      // Tombstones of compacted topics and stream-time watermarks carry no record.
      if (message.value === null || headers[WATERMARK_HEADER] !== undefined) continue;
      try {
        const { value } = this.options.decoder.decodeSync(message.value);
        appendRows(rows, rowsOfValue(kind, value, { partition, offset: message.offset }));
      } catch (err) {
        this.options.metrics.undecodable.inc({ topic });
        this.options.logger.warn({ topic, partition, offset: message.offset, err }, 'sink: undecodable record stored in dlq_events');
        appendRows(rows, dlqRows({
          ...letter,
          headers: {
            [DLQ_HEADERS.reason]: SINK_UNDECODABLE, [DLQ_HEADERS.error]: err instanceof Error ? err.message : String(err),
            [DLQ_HEADERS.topic]: topic, [DLQ_HEADERS.partition]: String(partition), [DLQ_HEADERS.offset]: message.offset,
          },
        }));
      }
    }
    return rows;
  }

  private async writeBatch(topic: string, partition: number, cut: Batch<KafkaMessage>, rows: TableRows): Promise<void> {
    const { analytics, metrics } = this.options;
    const tables = SINK_TABLES.filter((table) => (rows[table]?.length ?? 0) > 0);
    const key = `${topic}:${partition}`;
    if (tables.length > 0) {
      // Write the bounds ahead (offset unchanged), so a restart re-cuts this exact batch.
      await this.consumer.commitOffsets([{ topic, partition, offset: cut.first, metadata: encodePendingBounds(cut) }]);
      this.pending.set(key, { first: cut.first, last: cut.last });
      const token = dedupToken(topic, partition, cut);
      for (const table of tables) {
        const tableRows = rows[table] ?? [];
        const timer = metrics.insertSeconds.startTimer({ table });
        await analytics.insert(table, tableRows, { dedupToken: token });
        timer();
        metrics.rows.inc({ table }, tableRows.length);
      }
    }
    await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(cut.last) + 1n).toString(), metadata: null }]);
    this.pending.set(key, null);
    metrics.batches.inc({ topic });
    metrics.batchRecords.observe({ topic }, cut.messages.length);
  }
}
