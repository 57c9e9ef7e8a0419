// Global tables: every instance reads each global topic fully (from the beginning, no group
// commits) before its tasks start, then keeps following it. A table is a Map key -> merge(previous,
// decoded value); a tombstone removes the key.

import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { RecordCodec } from './codec.ts';
import { DecodeError } from './errors.ts';
import type { GlobalTableSpec, ProcessorDefinition } from './types.ts';

export class GlobalTableReader {
  readonly tables = new Map<string, Map<string, unknown>>();
  private readonly consumers: Consumer[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly codec: RecordCodec,
    private readonly logger: Logger,
  ) {}

  /** Starts one reader per table; resolves when each has read its topic to the end seen at start. */
  async start(definition: ProcessorDefinition): Promise<void> {
    const specs = Object.entries(definition.globals ?? {});
    await Promise.all(specs.map(([name, spec]) => this.follow(definition.name, name, spec)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect().catch(() => undefined)));
  }

  private async follow(processor: string, name: string, spec: GlobalTableSpec): Promise<void> {
    const table = new Map<string, unknown>();
    this.tables.set(name, table);
    const ends = await this.admin.fetchTopicOffsets(spec.topic);
    const pending = new Map(ends.filter((end) => BigInt(end.high) > BigInt(end.low)).map((end) => [end.partition, BigInt(end.high)]));
    const groupId = `${processor}-global-${name}-${randomBytes(4).toString('hex')}`;
    const consumer = this.kafka.consumer({ groupId, readUncommitted: false });
    this.consumers.push(consumer);
    let caughtUp: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      caughtUp = resolve;
    });
    const reached = (partition: number, lastOffset: string): void => {
      const high = pending.get(partition);
      if (high !== undefined && BigInt(lastOffset) + 1n >= high) pending.delete(partition);
      if (pending.size === 0) caughtUp();
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => reached(payload.partition, payload.lastOffset));
    await consumer.connect();
    await consumer.subscribe({ topic: spec.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        await this.codec.prepareInputs(batch.messages.map((message) => message.value));
        for (const message of batch.messages) {
          const key = message.key?.toString();
          if (key === undefined) continue;
          if (message.value === null) {
            table.delete(key);
            continue;
          }
          try {
            const value = this.codec.decode({ topic: spec.topic }, message.value);
            table.set(key, spec.merge ? spec.merge(table.get(key), value) : value);
          } catch (error) {
            if (!(error instanceof DecodeError)) throw error;
            this.logger.error({ event: 'global_undecodable', table: name, offset: message.offset, error: error.message }, 'global table record skipped');
          }
        }
      },
    });
    if (pending.size === 0) caughtUp();
    await ready;
    this.logger.info({ event: 'global_table_loaded', table: name, rows: table.size }, 'global table loaded');
  }
}
