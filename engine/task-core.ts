// The pure per-batch machinery shared by the in-memory TestDriver and the Kafka+Redis runtime,
// so both run processors identically. A TaskBatch is built over the state and timers loaded
// for one batch of one task; records and watermarks run through it in order; `result()` gives
// the effects to commit. No I/O, no wall clock.
//
// Atomicity: each top-level unit of work (one record's process(), or one timer fired by a
// watermark) keeps an undo log; if it throws, its state writes, timer changes, outputs and
// dead letters are rolled back. A record whose process() throws goes to the DLQ with
// PROCESSING_ERROR and the batch goes on.

import { LoyaltyError } from './errors.ts';
import {
  DLQ_HEADERS,
  PROCESSING_ERROR,
  WATERMARK_HEADER,
  dlqTopic,
  type KeyState,
  type OutputSpec,
  type ProcessorContext,
  type ProcessorDefinition,
  type SourceRecord,
  type Timer,
} from './types.ts';

/** Reason for a watermark record whose header is not an integer of epoch millis. */
export const BAD_WATERMARK = 'BAD_WATERMARK';

/** A processor broke the engine's contract (unknown output, key not preloaded, ...). */
export class ProcessorContractError extends LoyaltyError {
  constructor(message: string) {
    super('PROCESSOR_CONTRACT', message);
  }
}

export type { FieldMap } from './state-value.ts';
import type { FieldMap, KeyValue } from './state-value.ts';
export type GlobalTables = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

export interface BatchInput {
  definition: ProcessorDefinition;
  partition: number;
  /** State of every preloaded key (a key absent from the store is present here, empty). */
  state: Map<string, FieldMap>;
  /**
   * Every timer of the preloaded keys (a key's timers are part of its value) and every timer
   * that may come due within the batch (whose keys are preloaded too).
   */
  timers: Timer[];
  /** The task's stream time before the batch (-1 for a new task). */
  streamTime: number;
  globals: GlobalTables;
  /**
   * Serializes a forwarded value when it is forwarded, so a value that does not fit its output
   * fails inside process() (rollback, DLQ) instead of at commit. Absent in the TestDriver.
   */
  encode?: (spec: OutputSpec, value: unknown) => Buffer | null;
}

export interface OutputRecord {
  output: string;
  topic: string;
  key: string | null;
  value: unknown;
  /** The serialized value, when the batch has an encoder. */
  bytes?: Buffer | null;
  headers: Record<string, string>;
}

export interface DeadLetterRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A change to one state field: the new value, or null for a delete. */
export interface FieldChange {
  key: string;
  field: string;
  value: string | null;
}

export interface TimerFailure {
  timer: Timer;
  error: string;
}

export interface InputOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** A key whose fields or timers the batch changed, with all of them after the batch. */
export interface KeyChange extends KeyValue {
  key: string;
}

export interface BatchResult {
  stateChanges: FieldChange[];
  /** The keys with changed fields or timers (in the order of first change), whole. */
  keys: KeyChange[];
  timerUpserts: Timer[];
  /** Timers to remove, by identity (dueAt is not meaningful). */
  timerDeletes: { key: string; name: string }[];
  outputs: OutputRecord[];
  deadLetters: DeadLetterRecord[];
  /** onTimer calls that threw; their effects were rolled back and the timer dropped. */
  timerFailures: TimerFailure[];
  /** Timers whose onTimer ran and was kept. */
  timersFired: number;
  streamTime: number;
  /** The last offset applied per input topic-partition in this batch. */
  offsets: InputOffset[];
}

type UndoEntry = () => void;

export function timerId(key: string, name: string): string {
  return `${name}\u0000${key}`;
}

/** Firing order: dueAt, then name, then key, by plain string comparison. */
export function compareTimers(a: Timer, b: Timer): number {
  if (a.dueAt !== b.dueAt) return a.dueAt - b.dueAt;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return 0;
}

/**
 * The batch's timers in firing order, for the next due one without scanning them all (a backlog
 * batch schedules a timer per record). Entries are never removed when a timer changes: an entry
 * is live while the batch's timer map still holds that very object, and dead ones are dropped
 * when they reach the top. Every object put into the map is pushed here.
 */
class TimerQueue {
  private readonly heap: { id: string; timer: Timer }[] = [];

  push(id: string, timer: Timer): void {
    const heap = this.heap;
    heap.push({ id, timer });
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const a = heap[child];
      const b = heap[parent];
      if (a === undefined || b === undefined || compareTimers(a.timer, b.timer) >= 0) break;
      heap[child] = b;
      heap[parent] = a;
      child = parent;
    }
  }

  /** The first live timer in firing order, or null. */
  peek(live: ReadonlyMap<string, Timer>): Timer | null {
    for (let top = this.heap[0]; top !== undefined; top = this.heap[0]) {
      if (live.get(top.id) === top.timer) return top.timer;
      this.pop();
    }
    return null;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let parent = 0;
    for (;;) {
      const left = parent * 2 + 1;
      const right = left + 1;
      let smallest = parent;
      const at = (index: number): Timer | undefined => heap[index]?.timer;
      const leftTimer = at(left);
      const rightTimer = at(right);
      const smallestTimer = at(smallest);
      if (leftTimer !== undefined && smallestTimer !== undefined && compareTimers(leftTimer, smallestTimer) < 0) smallest = left;
      const current = at(smallest);
      if (rightTimer !== undefined && current !== undefined && compareTimers(rightTimer, current) < 0) smallest = right;
      if (smallest === parent) return;
      const a = heap[parent];
      const b = heap[smallest];
      if (a === undefined || b === undefined) return;
      heap[parent] = b;
      heap[smallest] = a;
      parent = smallest;
    }
  }
}

/**
 * One key's state as process() sees it. A class rather than an object of closures: it is made on
 * every ctx.state() call, once per record on the hot path.
 */
class KeyStateView implements KeyState {
  constructor(
    private readonly batch: TaskBatch,
    private readonly key: string,
    private readonly fields: FieldMap,
  ) {}

  get(field: string): string | undefined {
    return this.fields.get(field);
  }

  set(field: string, value: string): void {
    if (typeof value !== 'string') {
      throw new ProcessorContractError(`state field "${field}" of key "${this.key}" must be a string`);
    }
    this.batch.writeField(this.key, this.fields, field, value);
  }

  delete(field: string): void {
    this.batch.writeField(this.key, this.fields, field, undefined);
  }

  entries(): [string, string][] {
    return [...this.fields.entries()];
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class TaskBatch {
  private readonly definition: ProcessorDefinition;
  private readonly partition: number;
  private readonly globals: GlobalTables;
  private readonly encode: BatchInput['encode'];
  private readonly state: Map<string, FieldMap>;
  /** Copies of each touched key as loaded, to compute the changed fields at the end. */
  private readonly originalState = new Map<string, FieldMap>();
  private readonly timers = new Map<string, Timer>();
  private readonly timerQueue = new TimerQueue();
  private readonly originalTimers = new Map<string, Timer>();
  private readonly touchedTimers = new Set<string>();
  private readonly outputs: OutputRecord[] = [];
  private readonly deadLetters: DeadLetterRecord[] = [];
  private readonly timerFailures: TimerFailure[] = [];
  private readonly offsets = new Map<string, InputOffset>();
  private readonly undo: UndoEntry[] = [];
  private currentTime: number;
  private firedTimers = 0;
  /** The record whose process() is running, for deadLetter(); null while firing from a watermark. */
  private currentRecord: SourceRecord | null = null;
  private readonly context: ProcessorContext;

  constructor(input: BatchInput) {
    this.definition = input.definition;
    this.partition = input.partition;
    this.globals = input.globals;
    this.encode = input.encode;
    this.state = input.state;
    this.currentTime = input.streamTime;
    for (const timer of input.timers) {
      const id = timerId(timer.key, timer.name);
      const copy = { ...timer };
      this.timers.set(id, copy);
      this.timerQueue.push(id, copy);
      this.originalTimers.set(id, { ...timer });
    }
    this.context = this.makeContext();
  }

  /** Run one input record: a watermark advances stream time, anything else goes to process(). */
  runRecord(record: SourceRecord): void {
    this.noteOffset(record);
    const watermark = record.headers[WATERMARK_HEADER];
    if (watermark !== undefined && record.value === null) {
      const time = Number(watermark);
      if (!Number.isSafeInteger(time)) {
        this.addDeadLetter(record, BAD_WATERMARK, `watermark header is not epoch millis: ${watermark}`);
        return;
      }
      this.advanceTo(time);
      return;
    }
    const mark = this.mark();
    this.currentRecord = record;
    try {
      this.definition.process(this.context, record);
      this.undo.length = mark;
    } catch (error) {
      this.rollback(mark);
      this.addDeadLetter(record, PROCESSING_ERROR, errorMessage(error));
    } finally {
      this.currentRecord = null;
    }
  }

  /** Send a record to the DLQ without processing it (e.g. undecodable bytes). */
  rejectRecord(record: SourceRecord, reason: string, message: string): void {
    this.noteOffset(record);
    this.addDeadLetter(record, reason, message);
  }

  /**
   * Advance stream time and fire due timers. Called from a watermark (each timer is its own
   * unit of work) or from the processor inside process() (part of that record's unit).
   */
  advanceTo(time: number): void {
    if (time > this.currentTime) {
      const previous = this.currentTime;
      this.currentTime = time;
      this.undo.push(() => {
        this.currentTime = previous;
      });
    }
    for (let timer = this.nextDueTimer(); timer !== null; timer = this.nextDueTimer()) {
      this.removeTimer(timer.key, timer.name);
      this.countFired();
      if (this.currentRecord !== null) {
        this.definition.onTimer(this.context, timer);
        continue;
      }
      const mark = this.mark();
      try {
        this.definition.onTimer(this.context, timer);
        this.undo.length = mark;
      } catch (error) {
        this.rollback(mark);
        this.removeTimer(timer.key, timer.name);
        this.timerFailures.push({ timer, error: errorMessage(error) });
      }
    }
  }

  streamTime(): number {
    return this.currentTime;
  }

  result(): BatchResult {
    const stateChanges = this.stateChanges();
    const timerChanges = this.timerChanges();
    return {
      stateChanges,
      keys: this.changedKeys(stateChanges, timerChanges),
      ...timerChanges,
      outputs: [...this.outputs],
      deadLetters: [...this.deadLetters],
      timerFailures: [...this.timerFailures],
      timersFired: this.firedTimers,
      streamTime: this.currentTime,
      offsets: [...this.offsets.values()],
    };
  }

  private makeContext(): ProcessorContext {
    return {
      task: { processor: this.definition.name, partition: this.partition },
      streamTime: () => this.currentTime,
      advanceTo: (time) => this.advanceTo(time),
      state: (key) => this.keyState(key),
      forward: (output, key, value, headers) => this.forward(output, key, value, headers ?? {}),
      schedule: (timer) => this.setTimer({ key: timer.key, name: timer.name, dueAt: timer.dueAt }),
      cancel: (key, name) => this.removeTimer(key, name),
      deadLetter: (reason, message) => {
        if (this.currentRecord === null) {
          throw new ProcessorContractError('deadLetter() called outside process(): there is no input record');
        }
        this.addDeadLetter(this.currentRecord, reason, message);
      },
      global: <V>(table: string) => this.globalTable(table) as ReadonlyMap<string, V>,
    };
  }

  private globalTable(table: string): ReadonlyMap<string, unknown> {
    const found = this.globals.get(table);
    if (found === undefined) {
      throw new ProcessorContractError(`processor ${this.definition.name} has no global table "${table}"`);
    }
    return found;
  }

  private keyState(key: string): KeyState {
    const fields = this.state.get(key);
    if (fields === undefined) {
      throw new ProcessorContractError(
        `state of key "${key}" was not preloaded: return it from keysFor() or reach it through a timer of that key`,
      );
    }
    return new KeyStateView(this, key, fields);
  }

  /** Writes one field (undefined deletes it), keeping the key's loaded copy and an undo entry. */
  writeField(key: string, fields: FieldMap, field: string, value: string | undefined): void {
    if (!this.originalState.has(key)) this.originalState.set(key, new Map(fields));
    const previous = fields.get(field);
    if (value === undefined) fields.delete(field);
    else fields.set(field, value);
    this.undo.push(() => {
      if (previous === undefined) fields.delete(field);
      else fields.set(field, previous);
    });
  }

  private forward(output: string, key: string | null, value: unknown, headers: Record<string, string>): void {
    const spec = this.definition.outputs[output];
    if (spec === undefined) {
      throw new ProcessorContractError(`processor ${this.definition.name} has no output "${output}"`);
    }
    const record: OutputRecord = { output, topic: spec.topic, key, value, headers: { ...headers } };
    if (this.encode) record.bytes = this.encode(spec, value);
    this.outputs.push(record);
    this.undo.push(() => {
      this.outputs.pop();
    });
  }

  private setTimer(timer: Timer): void {
    if (!Number.isSafeInteger(timer.dueAt)) {
      throw new ProcessorContractError(`timer ${timer.name} of key "${timer.key}" has a non-integer dueAt`);
    }
    this.checkPreloaded(timer.key, 'schedule');
    this.replaceTimer(timerId(timer.key, timer.name), timer);
  }

  private removeTimer(key: string, name: string): void {
    this.checkPreloaded(key, 'cancel');
    this.replaceTimer(timerId(key, name), undefined);
  }

  /** A key's timers are part of its value: only a preloaded key's timers can change. */
  private checkPreloaded(key: string, action: string): void {
    if (!this.state.has(key)) {
      throw new ProcessorContractError(
        `cannot ${action} a timer of key "${key}": its state was not preloaded (return it from keysFor() or reach it through a timer of that key)`,
      );
    }
  }

  private replaceTimer(id: string, timer: Timer | undefined): void {
    const previous = this.timers.get(id);
    const wasTouched = this.touchedTimers.has(id);
    this.touchedTimers.add(id);
    this.putTimer(id, timer);
    this.undo.push(() => {
      this.putTimer(id, previous);
      if (!wasTouched) this.touchedTimers.delete(id);
    });
  }

  private putTimer(id: string, timer: Timer | undefined): void {
    if (timer === undefined) {
      this.timers.delete(id);
      return;
    }
    this.timers.set(id, timer);
    this.timerQueue.push(id, timer);
  }

  private nextDueTimer(): Timer | null {
    const next = this.timerQueue.peek(this.timers);
    return next !== null && next.dueAt <= this.currentTime ? next : null;
  }

  private addDeadLetter(record: SourceRecord, reason: string, message: string): void {
    this.deadLetters.push({
      topic: dlqTopic(record.topic),
      key: record.key,
      value: record.raw,
      headers: {
        ...record.headers,
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.error]: message,
        [DLQ_HEADERS.topic]: record.topic,
        [DLQ_HEADERS.partition]: String(record.partition),
        [DLQ_HEADERS.offset]: record.offset,
        [DLQ_HEADERS.time]: String(record.timestamp),
      },
    });
    this.undo.push(() => {
      this.deadLetters.pop();
    });
  }

  private noteOffset(record: SourceRecord): void {
    this.offsets.set(`${record.topic}\u0000${record.partition}`, {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    });
  }

  private countFired(): void {
    this.firedTimers += 1;
    this.undo.push(() => {
      this.firedTimers -= 1;
    });
  }

  private mark(): number {
    return this.undo.length;
  }

  private rollback(mark: number): void {
    while (this.undo.length > mark) this.undo.pop()?.();
  }

  private stateChanges(): FieldChange[] {
    const changes: FieldChange[] = [];
    for (const [key, original] of this.originalState) {
      const current = this.state.get(key) ?? new Map<string, string>();
      for (const [field, value] of current) {
        if (original.get(field) !== value) changes.push({ key, field, value });
      }
      for (const field of original.keys()) {
        if (!current.has(field)) changes.push({ key, field, value: null });
      }
    }
    return changes;
  }

  /** The keys whose fields or timers changed, each with its fields and all its timers after the batch. */
  private changedKeys(stateChanges: FieldChange[], timers: Pick<BatchResult, 'timerUpserts' | 'timerDeletes'>): KeyChange[] {
    const changed = new Map<string, KeyChange>();
    const note = (key: string): void => {
      if (!changed.has(key)) changed.set(key, { key, fields: this.state.get(key) ?? new Map<string, string>(), timers: new Map() });
    };
    for (const change of stateChanges) note(change.key);
    for (const timer of timers.timerUpserts) note(timer.key);
    for (const timer of timers.timerDeletes) note(timer.key);
    if (changed.size === 0) return [];
    for (const timer of this.timers.values()) changed.get(timer.key)?.timers.set(timer.name, timer.dueAt);
    return [...changed.values()];
  }

  private timerChanges(): Pick<BatchResult, 'timerUpserts' | 'timerDeletes'> {
    const timerUpserts: Timer[] = [];
    const timerDeletes: { key: string; name: string }[] = [];
    for (const id of this.touchedTimers) {
      const current = this.timers.get(id);
      const original = this.originalTimers.get(id);
      if (current === undefined) {
        // Every timer of a preloaded key is known: one that did not exist needs no delete.
        if (original === undefined) continue;
        const separator = id.indexOf('\u0000');
        timerDeletes.push({ name: id.slice(0, separator), key: id.slice(separator + 1) });
      } else if (original === undefined || original.dueAt !== current.dueAt) {
        timerUpserts.push({ ...current });
      }
    }
    return { timerUpserts, timerDeletes };
  }
}
