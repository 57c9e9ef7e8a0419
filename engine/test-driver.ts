// In-memory driver for processor tests: no Kafka, no Redis. Each pipe() is a batch of one run
// through the same task core as the runtime, with the same preloading rules (keysFor() keys and
// the keys of timers that may come due), so a processor that passes here behaves the same there.

import type { KeyValue } from './state-value.ts';
import { ProcessorContractError, TaskBatch, compareTimers, type BatchResult, type FieldMap } from './task-core.ts';
import { DLQ_HEADERS, WATERMARK_HEADER, type ProcessorDefinition, type SourceRecord, type Timer } from './types.ts';
import { preloadBound, stateKeysFor } from './preload.ts';

export interface PipeOptions {
  headers?: Record<string, string>;
  raw?: Buffer;
  timestamp?: number;
}

export interface DriverOutput {
  key: string | null;
  value: unknown;
  headers: Record<string, string>;
}

export interface DriverDeadLetter {
  topic: string;
  reason: string;
  error: string;
  key: string | null;
  headers: Record<string, string>;
}

export class TestDriver {
  private readonly definition: ProcessorDefinition;
  private readonly partition: number;
  /** Each key's whole value (fields and timers), as the runtime keeps it in Redis. */
  private readonly store = new Map<string, KeyValue>();
  private readonly globals = new Map<string, Map<string, unknown>>();
  private readonly nextOffsets = new Map<string, bigint>();
  private readonly emitted: { output: string; record: DriverOutput }[] = [];
  private readonly dead: DriverDeadLetter[] = [];
  private readonly failedTimers: BatchResult['timerFailures'] = [];
  private time = -1;

  constructor(definition: ProcessorDefinition, options: { partition?: number } = {}) {
    this.definition = definition;
    this.partition = options.partition ?? 0;
    for (const table of Object.keys(definition.globals ?? {})) this.globals.set(table, new Map());
  }

  setGlobal(table: string, key: string, value: unknown): void {
    const spec = this.definition.globals?.[table];
    const rows = this.globals.get(table);
    if (spec === undefined || rows === undefined) {
      throw new ProcessorContractError(`processor ${this.definition.name} has no global table "${table}"`);
    }
    rows.set(key, spec.merge ? spec.merge(rows.get(key), value) : value);
  }

  pipe(topic: string, key: string | null, value: unknown, options: PipeOptions = {}): void {
    if (!this.definition.inputs.some((input) => input.topic === topic)) {
      throw new ProcessorContractError(`processor ${this.definition.name} has no input topic "${topic}"`);
    }
    const offset = this.nextOffsets.get(topic) ?? 0n;
    this.nextOffsets.set(topic, offset + 1n);
    const record: SourceRecord = {
      topic,
      partition: this.partition,
      offset: offset.toString(),
      key,
      value,
      raw: options.raw ?? null,
      headers: { ...(options.headers ?? {}) },
      timestamp: options.timestamp ?? 0,
    };
    this.runBatch(record);
  }

  /** A watermark record on the first input topic. */
  tick(time: number): void {
    const first = this.definition.inputs[0];
    if (first === undefined) throw new ProcessorContractError(`processor ${this.definition.name} has no inputs`);
    this.pipe(first.topic, null, null, { headers: { [WATERMARK_HEADER]: String(time) } });
  }

  outputs(output: string): DriverOutput[] {
    if (this.definition.outputs[output] === undefined) {
      throw new ProcessorContractError(`processor ${this.definition.name} has no output "${output}"`);
    }
    return this.emitted.filter((entry) => entry.output === output).map((entry) => entry.record);
  }

  deadLetters(): DriverDeadLetter[] {
    return this.dead.map((letter) => ({ ...letter, headers: { ...letter.headers } }));
  }

  /** onTimer calls that threw (rolled back and dropped, as the runtime does). */
  timerFailures(): BatchResult['timerFailures'] {
    return [...this.failedTimers];
  }

  state(key: string): Record<string, string> | undefined {
    const fields = this.store.get(key)?.fields;
    return fields === undefined || fields.size === 0 ? undefined : Object.fromEntries(fields);
  }

  timers(): Timer[] {
    return this.allTimers().sort(compareTimers);
  }

  streamTime(): number {
    return this.time;
  }

  private runBatch(record: SourceRecord): void {
    const bound = preloadBound(this.definition, [record], this.time);
    const due = this.allTimers().filter((timer) => timer.dueAt <= bound);
    const keys = new Set([...stateKeysFor(this.definition, record), ...due.map((timer) => timer.key)]);
    const state = new Map<string, FieldMap>();
    const timers: Timer[] = [];
    for (const key of keys) {
      const stored = this.store.get(key);
      state.set(key, new Map(stored?.fields));
      for (const [name, dueAt] of stored?.timers ?? []) timers.push({ key, name, dueAt });
    }
    const batch = new TaskBatch({
      definition: this.definition,
      partition: this.partition,
      state,
      timers,
      streamTime: this.time,
      globals: this.globals,
    });
    batch.runRecord(record);
    this.apply(batch.result());
  }

  private allTimers(): Timer[] {
    const timers: Timer[] = [];
    for (const [key, value] of this.store) for (const [name, dueAt] of value.timers) timers.push({ key, name, dueAt });
    return timers;
  }

  private apply(result: BatchResult): void {
    // What the runtime writes: each changed key's whole value.
    for (const { key, fields, timers } of result.keys) {
      if (fields.size === 0 && timers.size === 0) this.store.delete(key);
      else this.store.set(key, { fields: new Map(fields), timers: new Map(timers) });
    }
    for (const output of result.outputs) {
      this.emitted.push({ output: output.output, record: { key: output.key, value: output.value, headers: output.headers } });
    }
    for (const letter of result.deadLetters) {
      this.dead.push({
        topic: letter.topic,
        reason: letter.headers[DLQ_HEADERS.reason] ?? '',
        error: letter.headers[DLQ_HEADERS.error] ?? '',
        key: letter.key,
        headers: letter.headers,
      });
    }
    this.failedTimers.push(...result.timerFailures);
    this.time = result.streamTime;
  }
}
