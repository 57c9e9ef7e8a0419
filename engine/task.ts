// One task = partition p of every input of a processor, owned by this instance. It takes the
// task over (fence, transactional producer, recovery), then runs batches through the task core
// and commits each one: Redis script (state + outbox + watermark), Kafka transaction (outbox +
// changelog + consumer offsets), outbox clear.

import type { Cluster, Redis } from 'ioredis';
import type { Admin, Kafka, KafkaMessage, Producer, Transaction } from 'kafkajs';
import type { Logger } from 'pino';
import { FencedError, DecodeError } from './errors.ts';
import { changelogRecords } from './changelog.ts';
import type { RecordCodec } from './codec.ts';
import { STATE_LAYOUT, parseWatermarkField, taskKeys, watermarkField } from './keys.ts';
import type { EngineMetrics } from './metrics.ts';
import { chunkBySize, packOutbox, toTopicMessages, unpackOutbox, type OutboxRecord } from './outbox.ts';
import { preloadBound, stateKeysFor } from './preload.ts';
import { readChangelogPartition } from './restore.ts';
import { DEFAULT_RETRY, isRetriable, withRetry, type CircuitBreaker } from './retry.ts';
import { RedisTaskStore, StateLostError } from './store/redis-store.ts';
import { encodeKeyValue } from './state-value.ts';
import { TaskBatch, type BatchResult, type GlobalTables } from './task-core.ts';
import { UNDECODABLE, type ProcessorDefinition, type SourceRecord } from './types.ts';

/** Picks the partition of an output record, deterministically (a replay lands where the first write did). */
export type PartitionFor = (topic: string, key: Buffer | null, taskPartition: number) => number;

export interface TaskContext {
  definition: ProcessorDefinition;
  appId: string;
  groupId: string;
  changelogTopic: string;
  kafka: Kafka;
  admin: Admin;
  redis: Redis | Cluster;
  codec: RecordCodec;
  metrics: EngineMetrics;
  logger: Logger;
  globals: GlobalTables;
  partitionFor: PartitionFor;
  transactionTimeoutMs: number;
  /** Shared by the tasks of the instance: a broker that keeps failing is not hammered by each. */
  kafkaBreaker: CircuitBreaker;
}

export interface IncomingBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

type TaskStatus = 'closed' | 'open' | 'fenced';

function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return headers;
}

export class Task {
  readonly name: string;
  private readonly store: RedisTaskStore;
  private status: TaskStatus = 'closed';
  private epoch = '';
  private producer: Producer | null = null;
  private streamTime = -1;
  private readonly watermarks = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Records behind the end of each input partition after the last batch. */
  readonly lag = new Map<string, number>();

  constructor(
    private readonly ctx: TaskContext,
    readonly partition: number,
  ) {
    this.name = `${ctx.appId}-${ctx.definition.name}-${partition}`;
    this.store = new RedisTaskStore(ctx.redis, taskKeys(ctx.appId, ctx.definition.name, partition), this.name);
  }

  get isOpen(): boolean {
    return this.status === 'open';
  }

  get isFenced(): boolean {
    return this.status === 'fenced';
  }

  /** Runs `work` after every earlier piece of work of this task: batches of co-partitioned inputs never overlap. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Takes the task over after an assignment: a new fence epoch (every older owner's Redis writes
   * are refused from now on), then resume().
   */
  async open(): Promise<void> {
    this.epoch = await this.store.takeFence();
    await this.resume();
  }

  /**
   * Opens the task again after a failure, without a new assignment. It never takes a new fence
   * while it holds one: an instance that was frozen (GC pause, SIGSTOP) and whose partitions moved
   * on must not take the task back from its new owner. Only a task that never got its fence, or
   * whose fence Redis lost (flush, restart), takes a new epoch and rebuilds.
   */
  async reopen(): Promise<void> {
    if (this.epoch === '') return this.open();
    try {
      await this.resume();
    } catch (error) {
      if (error instanceof StateLostError) return this.open();
      throw error;
    }
  }

  /**
   * Continues as the task's owner under the epoch it holds: checks the fence is still ours, then
   * a new transactional producer (which fences the task's older producers and settles their open
   * transaction: aborted, or committed if its commit had been logged), then recovery from Redis.
   */
  private async resume(): Promise<void> {
    this.status = 'closed';
    await this.closeProducer();
    const fence = await this.store.readFence();
    if (fence === null) throw new StateLostError(this.name);
    if (fence !== this.epoch) {
      this.markFenced();
      throw new FencedError(this.name);
    }
    const producer = this.ctx.kafka.producer({
      transactionalId: this.name,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.ctx.transactionTimeoutMs,
    });
    await producer.connect();
    // An empty transaction runs initProducerId for our transactional id: the previous owner's
    // producer is fenced and its open transaction settled before we read offsets and outbox.
    await (await producer.transaction()).abort();
    this.producer = producer;
    await this.recover();
    await this.measureLag();
    this.status = 'open';
    this.ctx.logger.info({ event: 'task_opened', task: this.name, epoch: this.epoch, streamTime: this.streamTime }, 'task opened');
  }

  async close(): Promise<void> {
    this.status = 'closed';
    await this.closeProducer();
  }

  private async closeProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private async committedOffsets(): Promise<Map<string, bigint>> {
    const committed = new Map<string, bigint>();
    const topics = this.ctx.definition.inputs.map((input) => input.topic);
    const answer = await this.ctx.admin.fetchOffsets({ groupId: this.ctx.groupId, topics });
    for (const { topic, partitions } of answer) {
      const entry = partitions.find((partition) => partition.partition === this.partition);
      if (entry && BigInt(entry.offset) >= 0n) committed.set(watermarkField(topic, this.partition), BigInt(entry.offset));
    }
    return committed;
  }

  private async recover(): Promise<void> {
    const committed = await this.committedOffsets();
    let meta = await this.store.readMeta();
    // State in an older Redis layout is rebuilt from the changelog (which reads every format).
    const oldLayout = meta.watermarks.size > 0 && meta.layout !== STATE_LAYOUT;
    const stale =
      oldLayout ||
      [...committed].some(([field, next]) => {
        const applied = meta.watermarks.get(field);
        return applied === undefined || BigInt(applied) < next - 1n;
      });
    if (stale) {
      await this.rebuildFromChangelog();
      meta = await this.store.readMeta();
    }
    this.streamTime = meta.streamTime;
    this.watermarks.clear();
    for (const [field, offset] of meta.watermarks) this.watermarks.set(field, offset);
    if (meta.outbox.length === 0) return;
    const pending = unpackOutbox(meta.outbox);
    if (await this.outboxUnconfirmed(meta.watermarks, pending.length, committed)) {
      await this.produce(pending);
      this.ctx.metrics.outboxReplays.inc({ processor: this.ctx.definition.name });
      this.ctx.logger.warn({ event: 'outbox_replayed', task: this.name, records: pending.length }, 'outbox left by a crash produced again');
    }
    await this.store.clearOutbox(this.epoch);
  }

  /**
   * Whether the outbox left in Redis is missing from Kafka. Committed offsets past the watermark
   * prove it is there; committed offsets at or below it do not prove the opposite, because the
   * group coordinator materializes transactional offsets asynchronously after the commit (and
   * kafkajs cannot ask for stable offsets). Then the changelog decides: the outbox's transaction
   * ends with a meta record carrying the same watermarks, so if it committed, it is in the tail.
   */
  private async outboxUnconfirmed(applied: Map<string, string>, outboxSize: number, committed: Map<string, bigint>): Promise<boolean> {
    const behind = [...applied].some(([field, offset]) => (committed.get(field) ?? -1n) <= BigInt(offset));
    if (!behind) return false;
    const tail = await readChangelogPartition(this.ctx.kafka, this.ctx.admin, this.ctx.changelogTopic, this.partition, outboxSize + 16);
    return [...applied].some(([field, offset]) => tail.watermarks.get(field) !== offset);
  }

  private async rebuildFromChangelog(): Promise<void> {
    const started = Date.now();
    const image = await readChangelogPartition(this.ctx.kafka, this.ctx.admin, this.ctx.changelogTopic, this.partition);
    await this.store.reset(this.epoch);
    const writes = [...image.values()];
    const timers = [...image.timerList()];
    const chunk = 2000;
    const none = { timerUpserts: [], timerDeletes: [] };
    for (let i = 0; i < Math.max(writes.length, timers.length); i += chunk) {
      await this.store.commit(this.epoch, {
        writes: writes.slice(i, i + chunk),
        timers: { ...none, timerUpserts: timers.slice(i, i + chunk) },
        offsets: [],
        streamTime: null,
        outbox: null,
      });
    }
    // The watermark goes last: a crash before it leaves the task "missing" and rebuilt again.
    await this.store.commit(this.epoch, { writes: [], timers: none, offsets: image.offsets(), streamTime: image.streamTime, outbox: null });
    this.ctx.metrics.restores.inc({ processor: this.ctx.definition.name });
    this.ctx.logger.warn(
      { event: 'state_restored', task: this.name, keys: writes.length, timers: timers.length, ms: Date.now() - started },
      'task state rebuilt from the changelog',
    );
  }

  /**
   * Processes and commits one fetched batch of one input partition. `heartbeat` keeps the group
   * membership during a long batch (kafkajs has no background heartbeat); a failed heartbeat is
   * left for the consumer loop to handle after the batch, never aborting a commit midway.
   */
  async runBatch(batch: IncomingBatch, heartbeat: () => Promise<void> = async () => undefined): Promise<void> {
    const beat = (): Promise<void> => heartbeat().catch(() => undefined);
    const { definition, metrics } = this.ctx;
    const processor = definition.name;
    const input = definition.inputs.find((spec) => spec.topic === batch.topic);
    if (input === undefined) return;
    const field = watermarkField(batch.topic, batch.partition);
    const applied = this.watermarks.get(field);
    const fresh = batch.messages.filter((message) => applied === undefined || BigInt(message.offset) > BigInt(applied));
    metrics.recordsIn.inc({ processor, topic: batch.topic }, batch.messages.length);
    metrics.duplicatesSkipped.inc({ processor, topic: batch.topic }, batch.messages.length - fresh.length);
    if (fresh.length === 0) return;
    metrics.batchSize.observe({ processor }, fresh.length);

    await this.ctx.codec.prepareInputs(fresh.map((message) => message.value));
    const records: { record: SourceRecord; decodeError: string | null }[] = fresh.map((message) => {
      const record: SourceRecord = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key === null ? null : message.key.toString(),
        value: null,
        raw: message.value,
        headers: headersOf(message),
        timestamp: Number(message.timestamp),
      };
      try {
        record.value = this.ctx.codec.decode(input, message.value);
        return { record, decodeError: null };
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        return { record, decodeError: error.message };
      }
    });
    const decoded = records.filter((entry) => entry.decodeError === null).map((entry) => entry.record);
    const bound = preloadBound(definition, decoded, this.streamTime);
    const loaded = await this.store.load(
      decoded.flatMap((record) => stateKeysFor(definition, record)),
      bound,
    );
    await beat();

    const timer = metrics.processSeconds.startTimer({ processor });
    const core = new TaskBatch({
      definition,
      partition: this.partition,
      state: loaded.state,
      timers: loaded.timers,
      streamTime: this.streamTime,
      globals: this.ctx.globals,
      encode: (spec, value) => this.ctx.codec.encode(spec, value),
    });
    for (const entry of records) {
      if (entry.decodeError === null) core.runRecord(entry.record);
      else core.rejectRecord(entry.record, UNDECODABLE, entry.decodeError);
    }
    const result = core.result();
    timer();
    await beat();
    await this.commit(result, beat);
  }

  /**
   * The lag of each input partition as the task opens (its end minus the next offset to apply),
   * so /readyz does not count a task as caught up before its first batch. A transactional input
   * ends with a commit marker, counted here until the fetch that reads it reports the position
   * past it (the runtime passes on the position after every applied fetch and every fetch of markers only).
   */
  private async measureLag(): Promise<void> {
    for (const input of this.ctx.definition.inputs) {
      const end = (await this.ctx.admin.fetchTopicOffsets(input.topic)).find((entry) => entry.partition === this.partition);
      if (end === undefined) continue;
      const applied = this.watermarks.get(watermarkField(input.topic, this.partition));
      const next = applied === undefined ? BigInt(end.low) : BigInt(applied) + 1n;
      this.noteLag(input.topic, end.high, (next - 1n).toString());
    }
  }

  /** Records behind the end of the input partition, after a fetch that reached `lastOffset`. */
  noteLag(topic: string, highWatermark: string, lastOffset: string): void {
    const lag = Math.max(0, Number(BigInt(highWatermark) - 1n - BigInt(lastOffset)));
    this.lag.set(topic, lag);
    this.ctx.metrics.consumerLag.set({ processor: this.ctx.definition.name, topic, partition: String(this.partition) }, lag);
  }

  private async commit(result: BatchResult, beat: () => Promise<void>): Promise<void> {
    const { metrics, definition } = this.ctx;
    const processor = definition.name;
    const stop = metrics.commitSeconds.startTimer({ processor });
    for (const offset of result.offsets) this.watermarks.set(watermarkField(offset.topic, offset.partition), offset.offset);
    const records: OutboxRecord[] = [];
    for (const output of result.outputs) {
      const key = output.key === null ? null : Buffer.from(output.key);
      const partition = this.ctx.partitionFor(output.topic, key, this.partition);
      records.push({ topic: output.topic, partition, key, value: output.bytes ?? null, headers: output.headers });
    }
    for (const letter of result.deadLetters) {
      const key = letter.key === null ? null : Buffer.from(letter.key);
      records.push({ topic: letter.topic, partition: this.ctx.partitionFor(letter.topic, key, this.partition), key, value: letter.value, headers: letter.headers });
      metrics.deadLetters.inc({ processor, reason: letter.headers['x-dlq-reason'] ?? 'unknown' });
    }
    // Each changed key serialized once: the same bytes go to Redis and to the changelog.
    const writes = result.keys.map((change) => ({ key: change.key, value: encodeKeyValue(change.fields, change.timers) }));
    for (const record of changelogRecords(this.ctx.changelogTopic, this.partition, writes, result.streamTime, this.watermarks)) records.push(record);
    try {
      await beat();
      // The Redis commit and the transaction's sends run side by side: the sends only write records
      // of a transaction nobody can read yet, and produce() commits the transaction only after the
      // Redis commit (state, watermark, outbox) succeeded; when it fails, the transaction is aborted.
      const redisCommit = this.store
        .commit(this.epoch, { writes, timers: result, offsets: result.offsets, streamTime: result.streamTime, outbox: packOutbox(records) })
        .then((ops) => {
          this.streamTime = result.streamTime;
          metrics.stateOps.inc({ processor }, ops);
          metrics.timersFired.inc({ processor }, result.timersFired);
          for (const failure of result.timerFailures) {
            this.ctx.logger.error({ event: 'timer_failed', task: this.name, timer: failure.timer, error: failure.error }, 'onTimer threw; timer dropped');
          }
        });
      await this.produceOrSettle(records, redisCommit);
      await this.store.clearOutbox(this.epoch);
      const perTopic = new Map<string, number>();
      for (const record of records) perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
      for (const [topic, count] of perTopic) metrics.recordsOut.inc({ processor, topic }, count);
    } catch (error) {
      this.onCommitFailure(error);
      throw error;
    } finally {
      stop();
    }
  }

  private markFenced(): void {
    if (this.status === 'fenced') return;
    this.status = 'fenced';
    this.ctx.metrics.fenced.inc({ processor: this.ctx.definition.name });
    this.ctx.logger.warn({ event: 'task_fenced', task: this.name }, 'another instance owns this task; it stops here');
  }

  private onCommitFailure(error: unknown): void {
    if (error instanceof FencedError) {
      this.markFenced();
    } else {
      // The outbox (if written) is re-produced when the task is opened again.
      this.status = 'closed';
    }
  }

  /**
   * Produces the batch's records once. A transaction that fails is never simply sent again: its
   * commit may have taken effect although the client saw an error (a connection lost after
   * EndTxn), and a second transaction would duplicate it. Instead the task resumes under its epoch:
   * a new producer settles the failed transaction, and recovery produces the outbox (still in
   * Redis) again only if the changelog shows it did not commit. Retried with backoff and the
   * shared circuit breaker while the failure is transient.
   */
  private async produceOrSettle(records: OutboxRecord[], redisCommit: Promise<void>): Promise<void> {
    try {
      await this.produce(records, redisCommit);
      return;
    } catch (error) {
      // Nothing was committed anywhere: the batch fails as a whole (kafkajs fetches it again).
      if (error instanceof RedisCommitFailed) throw error.cause;
      if (error instanceof FencedError) throw error;
      this.ctx.logger.warn({ event: 'produce_failed', task: this.name, error: String(error) }, 'transaction failed; settling it before any resend');
    }
    await withRetry(
      () => this.resume(),
      { ...DEFAULT_RETRY, retriable: (error) => !(error instanceof StateLostError) && isRetriable(error) },
      this.ctx.kafkaBreaker,
      (error, attempt) => this.ctx.logger.warn({ event: 'resume_retry', task: this.name, attempt, error: String(error) }, 'task could not resume; retrying'),
    );
  }

  /**
   * Produces records plus the consumer offsets (watermark + 1) in one transaction, committed only
   * once `gate` (the batch's Redis commit) has succeeded; RedisCommitFailed when it did not.
   */
  private async produce(records: OutboxRecord[], gate: Promise<void> = Promise.resolve()): Promise<void> {
    // Never rejects, so the gate is always observed, whatever fails first.
    const gateFailure = gate.then(
      () => null,
      (error: unknown) => new RedisCommitFailed(error),
    );
    let transaction: Transaction | null = null;
    try {
      const producer = this.producer;
      if (producer === null) throw new FencedError(this.name);
      const offsets = [...this.watermarks].map(([field, offset]) => {
        const { topic, partition } = parseWatermarkField(field);
        return { topic, partitions: [{ partition, offset: (BigInt(offset) + 1n).toString() }] };
      });
      const open = await producer.transaction();
      transaction = open;
      const sending = (async () => {
        for (const chunk of chunkBySize(records)) await open.sendBatch({ topicMessages: toTopicMessages(chunk) });
      })();
      const [sent, failed] = await Promise.all([sending.then(() => null, (error: unknown) => error ?? new Error('send failed')), gateFailure]);
      if (failed !== null) throw failed;
      if (sent !== null) throw sent;
      if (offsets.length > 0) await open.sendOffsets({ consumerGroupId: this.ctx.groupId, topics: offsets });
      await open.commit();
    } catch (error) {
      await transaction?.abort().catch(() => undefined);
      const failed = await gateFailure;
      if (failed !== null) throw failed;
      throw asFenced(error, this.name);
    }
  }
}

/** The batch's Redis commit failed (fenced, Redis lost, unreachable): its transaction was not committed. */
class RedisCommitFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(`Redis commit failed: ${String(cause)}`);
  }
}

const FENCING_ERRORS = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

/** Kafka's fencing answers become our FencedError (not retried). */
function asFenced(error: unknown, task: string): unknown {
  const type = (error as { type?: unknown }).type;
  if (typeof type === 'string' && FENCING_ERRORS.has(type)) return new FencedError(task);
  return error;
}
