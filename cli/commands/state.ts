// `loyalty state get member <id>`: the member processor's stored state of one key, read from the
// Redis hash of the task that owns it (the partition Kafka's default partitioner gives the key
// on orders.v1), shown as balances, tier and open lots as of that task's stream time.
import type { Command } from 'commander';
import type { PartitionMetadata } from 'kafkajs';
import { Partitioners } from '../../engine/kafka.ts';
import type { SecuredConfig } from '../../engine/client-options.ts';
import { createRedisClient } from '../../engine/client-options.ts';
import { UnreachableError } from '../../engine/errors.ts';
import { STREAM_TIME_FIELD, taskKeys } from '../../engine/keys.ts';
import { readStateValue } from '../../engine/store/redis-store.ts';
import type { Timer } from '../../engine/types.ts';
import { DEFAULT_MEMBER_TOPICS } from '../../processors/member/processor.ts';
import { describeMember, type MemberView } from '../../processors/member/inspect.ts';
import { loadProgram } from '../../processors/program.ts';
import { topicName } from '../../topics/catalog.ts';
import { kafkaFor, partitionsOf, securedConfig, withAdmin, withConnectionOptions, type ConnectionFlags } from '../ops/connect.ts';
import { CliError, EXIT, printJson } from '../output.ts';

export interface StoredMember {
  partition: number;
  /** The owning task's stream time, or null before it processed anything. */
  streamTime: number | null;
  view: MemberView | null;
  timers: Timer[];
}

/** Where Kafka's default partitioner puts `key` among `count` partitions (as the producers and the engine do). */
export function partitionOfKey(topic: string, key: string, count: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: count }, (_, partitionId) => ({
    partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}

/** Reads the member processor's state of `key` (a memberId, or a guest orderId) from Redis. */
export async function readStoredMember(config: SecuredConfig, key: string, ordersTopic: string): Promise<StoredMember> {
  const kafka = kafkaFor(config, 'loyalty-cli-state');
  const partitions = await withAdmin(kafka, (admin) => partitionsOf(admin, ordersTopic));
  const partition = partitionOfKey(ordersTopic, key, partitions.length);
  const keys = taskKeys(config.appId, 'member', partition);
  const redis = createRedisClient(config, { maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 5000 });
  try {
    const [stored, stream] = await Promise.all([readStateValue(redis, keys, key), redis.hget(keys.meta, STREAM_TIME_FIELD)]);
    const fields = Object.fromEntries(stored.fields);
    const timers: Timer[] = [...stored.timers].map(([name, dueAt]) => ({ key, name, dueAt }));
    timers.sort((a, b) => a.dueAt - b.dueAt || (a.name < b.name ? -1 : 1));
    const streamTime = stream === null ? null : Number(stream);
    return { partition, streamTime, view: describeMember(key, fields, loadProgram(), streamTime), timers };
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new UnreachableError('Redis', (err as Error).message, err);
  } finally {
    redis.disconnect();
  }
}

const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());
const dollars = (cents: number): string => `$${(cents / 100).toFixed(2)}`;

function printMember(stored: StoredMember): void {
  const { view } = stored;
  if (view === null) return;
  const lines = [`${view.snapshot === null ? 'guest order' : 'member'} ${view.key} (partition ${stored.partition}, stream time ${iso(stored.streamTime)})`];
  const s = view.snapshot;
  if (s !== null) {
    lines.push(`  tier ${s.tier}, qualifying spend ${dollars(s.qualifyingSpendCents)} (last 12 UTC months)`);
    lines.push(`  points: pending ${s.pendingPoints}, available ${s.availablePoints}, held ${s.heldPoints}; lifetime earned ${s.lifetimeEarnedPoints}`);
    lines.push(`  orders ${s.orderCount}, last activity ${iso(s.lastActivityAt)}`);
  }
  const open = view.orders.filter((o) => o.lot === 'pending' || o.lot === 'held');
  lines.push(`  remembered orders ${view.orders.length}, ids ${view.rememberedIds}; open lots ${open.length}`);
  for (const o of open) lines.push(`    ${o.orderId}  ${o.lot.padEnd(7)} ${String(o.lotPoints).padStart(7)} pts  ordered ${iso(o.occurredAt)}  refunded ${dollars(o.refundedCents)}`);
  for (const t of stored.timers) lines.push(`  timer ${t.name} due ${iso(t.dueAt)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface GetFlags extends ConnectionFlags { json?: boolean; topic?: string }

async function getMember(id: string, flags: GetFlags): Promise<void> {
  const config = securedConfig(flags);
  const stored = await readStoredMember(config, id, flags.topic ?? topicName(DEFAULT_MEMBER_TOPICS.orders));
  if (stored.view === null) {
    throw new CliError(`no state for ${id} in the member processor (app ${config.appId}, partition ${stored.partition}): unknown member, or nothing processed yet`, EXIT.FAILED);
  }
  if (flags.json) printJson(stored);
  else printMember(stored);
}

export function register(program: Command): void {
  const state = program.command('state').description("inspect a processor's stored state");
  const get = state.command('get').description('read the state of one key');
  withConnectionOptions(
    get.command('member <id>')
      .description('balances, tier, open lots and timers of a member (or a guest orderId) as the member processor stores them')
      .option('--topic <name>', 'orders topic whose partitioning decides the owning task (default orders.v1, prefixed by LOYALTY_TOPIC_PREFIX)')
      .option('--json', 'print the stored state as JSON'),
  ).action((id: string, flags: GetFlags) => getMember(id, flags));
}
