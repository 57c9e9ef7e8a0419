// The Redis side of one task: fence, batch loads in one pipelined round trip, the atomic commit
// script, the outbox and the reset before a rebuild from the changelog.

import { readFileSync } from 'node:fs';
import { Cluster, type Redis } from 'ioredis';
import { FencedError, LoyaltyError } from '../errors.ts';
import type { KeyWrite } from '../changelog.ts';
import {
  LAYOUT_FIELD,
  STREAM_TIME_FIELD,
  parseTimerMember,
  stateKey,
  taskKeyPattern,
  timerMember,
  watermarkField,
  type TaskKeys,
} from '../keys.ts';
import { decodeKeyValue, type FieldMap, type KeyValue } from '../state-value.ts';
import { timerId, type BatchResult, type InputOffset } from '../task-core.ts';
import type { Timer } from '../types.ts';

type RedisClient = Redis | Cluster;

/** The task's fence is gone: Redis lost its keys (flush, restart, failover). Reopen and rebuild. */
export class StateLostError extends LoyaltyError {
  constructor(task: string) {
    super('STATE_LOST', `Redis lost the keys of task ${task}; it is rebuilt from the changelog`, { canRetry: true });
  }
}

function checkFence(reply: number, task: string): void {
  if (reply === -1) throw new StateLostError(task);
  if (reply !== 1) throw new FencedError(task);
}

interface EngineScripts {
  /**
   * Takes its arguments as one array (ioredis flattens it): a backlog batch of small records has
   * hundreds of thousands of them, more than a spread call's stack allows.
   */
  loyaltyCommit(args: (string | number | Buffer)[]): Promise<number>;
  loyaltyClearOutbox(...args: (string | number)[]): Promise<number>;
  loyaltyResetTask(...args: (string | number)[]): Promise<number>;
}

const SCRIPTS = [
  { command: 'loyaltyCommit', file: 'commit-4.lua', keys: 4 },
  { command: 'loyaltyClearOutbox', file: 'clear-outbox-2.lua', keys: 2 },
  { command: 'loyaltyResetTask', file: 'reset-task-4.lua', keys: 4 },
] as const;

/** Loads the engine's Lua scripts onto a client once (idempotent). */
export function defineEngineScripts(redis: RedisClient): void {
  for (const script of SCRIPTS) {
    if (script.command in redis) continue;
    const lua = readFileSync(new URL(`../lua/${script.file}`, import.meta.url), 'utf8');
    redis.defineCommand(script.command, { numberOfKeys: script.keys, lua });
  }
}

export interface TaskMeta {
  streamTime: number;
  /** The layout of the task's state in Redis (keys.ts STATE_LAYOUT), null when never written. */
  layout: string | null;
  /** Last applied offset per `topic:partition` watermark field. */
  watermarks: Map<string, string>;
  /** Packed outbox entries (engine/outbox.ts unpackOutbox). */
  outbox: Buffer[];
}

export interface LoadedBatch {
  state: Map<string, FieldMap>;
  timers: Timer[];
}

/** What one commit writes. */
export interface CommitPayload {
  /** Whole state values (null deletes the key). */
  writes: readonly KeyWrite[];
  timers: Pick<BatchResult, 'timerUpserts' | 'timerDeletes'>;
  offsets: InputOffset[];
  /** Stream time to store, or null to leave it. */
  streamTime: number | null;
  /** Replace the outbox with these entries, or null to leave it (rebuild chunks). */
  outbox: Buffer[] | null;
}

export class RedisTaskStore {
  private readonly scripts: EngineScripts;

  constructor(
    private readonly redis: RedisClient,
    readonly keys: TaskKeys,
    private readonly taskName: string,
  ) {
    defineEngineScripts(redis);
    this.scripts = redis as unknown as EngineScripts;
  }

  /** A new owner takes the next epoch; every older epoch is refused from now on. */
  async takeFence(): Promise<string> {
    return String(await this.redis.incr(this.keys.fence));
  }

  /** The current fence epoch, or null when Redis lost it. */
  async readFence(): Promise<string | null> {
    return this.redis.get(this.keys.fence);
  }

  async readMeta(): Promise<TaskMeta> {
    const [meta, outbox] = await Promise.all([this.redis.hgetall(this.keys.meta), this.redis.lrangeBuffer(this.keys.outbox, 0, -1)]);
    const watermarks = new Map<string, string>();
    for (const [field, value] of Object.entries(meta)) {
      if (field.startsWith('w:')) watermarks.set(field, value);
    }
    const streamTime = meta[STREAM_TIME_FIELD];
    return { streamTime: streamTime === undefined ? -1 : Number(streamTime), layout: meta[LAYOUT_FIELD] ?? null, watermarks, outbox };
  }

  /**
   * State of `keys` with all their timers, plus every timer due at or before `bound` with its
   * key's state: one MGET and one ZRANGEBYSCORE in one round trip, a second MGET for the keys of
   * due timers not among `keys`.
   */
  async load(keys: Iterable<string>, bound: number): Promise<LoadedBatch> {
    const wanted = [...new Set(keys)];
    const pipeline = this.redis.pipeline();
    pipeline.zrangebyscore(this.keys.timers, '-inf', String(bound), 'WITHSCORES');
    if (wanted.length > 0) pipeline.mgetBuffer(wanted.map((key) => stateKey(this.keys, key)));
    const replies = (await pipeline.exec()) ?? [];
    const state = new Map<string, FieldMap>();
    const timers = new Map<string, Timer>();
    const take = (batchKeys: string[], values: unknown): void => {
      batchKeys.forEach((key, index) => {
        const value = decodeKeyValue((values as (Buffer | null)[])[index]);
        state.set(key, value.fields);
        for (const [name, dueAt] of value.timers) timers.set(timerId(key, name), { key, name, dueAt });
      });
    };
    if (wanted.length > 0) take(wanted, pipelineValue(replies[1]));
    const due = toTimers(pipelineValue(replies[0]) as string[]);
    const missing = [...new Set(due.filter((timer) => !state.has(timer.key)).map((timer) => timer.key))];
    if (missing.length > 0) take(missing, await this.redis.mgetBuffer(missing.map((key) => stateKey(this.keys, key))));
    // The index and the values agree; a due entry without its value's timer is still fired once.
    for (const timer of due) if (!timers.has(timerId(timer.key, timer.name))) timers.set(timerId(timer.key, timer.name), timer);
    return { state, timers: [...timers.values()] };
  }

  /** The atomic commit script; FencedError when another instance took the task. */
  async commit(epoch: string, payload: CommitPayload): Promise<number> {
    const args: (string | number | Buffer)[] = [
      this.keys.fence,
      this.keys.meta,
      this.keys.timers,
      this.keys.outbox,
      epoch,
      payload.streamTime === null ? '' : String(payload.streamTime),
      payload.outbox === null ? 0 : 1,
    ];
    args.push(payload.offsets.length);
    for (const offset of payload.offsets) args.push(watermarkField(offset.topic, offset.partition), offset.offset);
    const sets = payload.writes.filter((write) => write.value !== null);
    args.push(sets.length);
    for (const write of sets) args.push(stateKey(this.keys, write.key), write.value as Buffer);
    args.push(payload.writes.length - sets.length);
    for (const write of payload.writes) if (write.value === null) args.push(stateKey(this.keys, write.key));
    const { timerUpserts, timerDeletes } = payload.timers;
    args.push(timerUpserts.length);
    for (const timer of timerUpserts) args.push(timer.dueAt, timerMember(timer.name, timer.key));
    args.push(timerDeletes.length);
    for (const timer of timerDeletes) args.push(timerMember(timer.name, timer.key));
    const outbox = payload.outbox ?? [];
    args.push(outbox.length);
    for (const entry of outbox) args.push(entry);
    const ops = payload.writes.length + timerUpserts.length + timerDeletes.length;
    checkFence(await this.scripts.loyaltyCommit(args), this.taskName);
    return ops;
  }

  async clearOutbox(epoch: string): Promise<void> {
    checkFence(await this.scripts.loyaltyClearOutbox(this.keys.fence, this.keys.outbox, epoch), this.taskName);
  }

  /** Drops every key of the task but the fence, before a rebuild. */
  async reset(epoch: string): Promise<void> {
    const { fence, meta, timers, outbox } = this.keys;
    if ((await this.scripts.loyaltyResetTask(fence, meta, timers, outbox, epoch)) !== 1) {
      throw new FencedError(this.taskName);
    }
    await this.deleteMatching((key) => key !== fence);
  }

  /** Deletes every key of the task that `select` accepts; returns how many were deleted. */
  async deleteMatching(select: (key: string) => boolean): Promise<number> {
    const doomed = (await scanTaskKeys(this.redis, this.keys)).filter(select);
    let deleted = 0;
    for (let i = 0; i < doomed.length; i += 500) deleted += await this.redis.del(...doomed.slice(i, i + 500));
    return deleted;
  }
}

/**
 * Every key of a task, sorted. On a Redis Cluster each master is scanned: SCAN runs on one node,
 * and the task's keys live on whichever master holds its hash tag's slot.
 */
export async function scanTaskKeys(redis: RedisClient, keys: TaskKeys): Promise<string[]> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found = new Set<string>();
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, page] = await node.scan(cursor, 'MATCH', taskKeyPattern(keys), 'COUNT', 1000);
      cursor = next;
      for (const key of page) found.add(key);
    } while (cursor !== '0');
  }
  return [...found].sort();
}

/** One state key's fields and timers as stored (empty when absent): for tools and tests. */
export async function readStateValue(redis: RedisClient, keys: TaskKeys, key: string): Promise<KeyValue> {
  return decodeKeyValue(await redis.getBuffer(stateKey(keys, key)));
}

function pipelineValue(reply: [Error | null, unknown] | undefined): unknown {
  if (reply === undefined) return null;
  if (reply[0]) throw reply[0];
  return reply[1];
}

function toTimers(flat: string[]): Timer[] {
  const timers: Timer[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const { name, key } = parseTimerMember(flat[i] ?? '');
    timers.push({ name, key, dueAt: Number(flat[i + 1]) });
  }
  return timers;
}
