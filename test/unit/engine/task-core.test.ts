import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskBatch, compareTimers } from '../../../engine/task-core.ts';
import type { ProcessorDefinition, SourceRecord } from '../../../engine/types.ts';

const counter: ProcessorDefinition = {
  name: 'counter',
  inputs: [{ topic: 'in' }],
  outputs: { out: { topic: 'out.v1' } },
  eventTime: (record) => Number(record.value),
  process(ctx, record) {
    const key = record.key ?? '';
    ctx.advanceTo(Number(record.value));
    const state = ctx.state(key);
    state.set('n', String(Number(state.get('n') ?? '0') + 1));
    state.delete('old');
    ctx.cancel(key, 'gone');
    ctx.schedule({ key, name: 'tick', dueAt: Number(record.value) + 10 });
    ctx.forward('out', key, state.get('n'));
  },
  onTimer(ctx, timer) {
    ctx.forward('out', timer.key, `fired ${timer.name}`);
  },
};

function record(offset: number, key: string, time: number): SourceRecord {
  return { topic: 'in', partition: 3, offset: String(offset), key, value: time, raw: null, headers: {}, timestamp: 0 };
}

describe('TaskBatch', () => {
  test('reports changed fields, timer upserts and deletes, outputs, stream time and last offsets', () => {
    const batch = new TaskBatch({
      definition: counter,
      partition: 3,
      state: new Map([['k', new Map([['n', '4'], ['old', 'x'], ['same', 'y']])]]),
      timers: [{ key: 'k', name: 'due', dueAt: 5 }],
      streamTime: 1,
      globals: new Map(),
    });
    batch.runRecord(record(41, 'k', 7));
    batch.runRecord(record(42, 'k', 8));
    const result = batch.result();
    assert.deepEqual(result.stateChanges, [
      { key: 'k', field: 'n', value: '6' },
      { key: 'k', field: 'old', value: null },
    ]);
    assert.deepEqual(result.timerUpserts, [{ key: 'k', name: 'tick', dueAt: 18 }]);
    // 'gone' never existed: every timer of a preloaded key is known, so its cancel deletes nothing.
    assert.deepEqual(result.timerDeletes, [{ key: 'k', name: 'due' }]);
    // The whole key after the batch: its fields and all its timers (its Redis value and changelog record).
    assert.deepEqual(result.keys, [{ key: 'k', fields: new Map([['n', '6'], ['same', 'y']]), timers: new Map([['tick', 18]]) }]);
    assert.deepEqual(
      result.outputs.map((output) => [output.topic, output.value]),
      [
        ['out.v1', 'fired due'],
        ['out.v1', '5'],
        ['out.v1', '6'],
      ],
    );
    assert.equal(result.streamTime, 8);
    assert.deepEqual(result.offsets, [{ topic: 'in', partition: 3, offset: '42' }]);
  });

  test('a value written back to what was loaded is not a change', () => {
    const flip: ProcessorDefinition = {
      ...counter,
      process(ctx, rec) {
        const state = ctx.state(rec.key ?? '');
        state.set('n', state.get('n') === '1' ? '2' : '1');
      },
    };
    const batch = new TaskBatch({
      definition: flip,
      partition: 0,
      state: new Map([['k', new Map([['n', '1']])]]),
      timers: [],
      streamTime: -1,
      globals: new Map(),
    });
    batch.runRecord(record(0, 'k', 0));
    batch.runRecord(record(1, 'k', 0));
    assert.deepEqual(batch.result().stateChanges, []);
  });

  test('compareTimers orders by dueAt, then name, then key as plain strings', () => {
    const timers = [
      { key: 'b', name: 'x', dueAt: 2 },
      { key: 'a', name: 'y', dueAt: 1 },
      { key: 'a', name: 'x', dueAt: 2 },
      { key: 'B', name: 'x', dueAt: 2 },
    ];
    assert.deepEqual(
      timers.sort(compareTimers).map((timer) => `${timer.dueAt}${timer.name}${timer.key}`),
      ['1ya', '2xB', '2xa', '2xb'],
    );
  });

  test('a timer of a key whose state was not preloaded cannot be scheduled or cancelled (it is part of that key\'s value)', () => {
    const stray: ProcessorDefinition = {
      ...counter,
      process(ctx, record) {
        ctx.state(record.key ?? '').set('n', '1');
        if (record.value === 1) ctx.schedule({ key: 'elsewhere', name: 't', dueAt: 5 });
        else ctx.cancel('elsewhere', 't');
      },
    };
    const batch = new TaskBatch({ definition: stray, partition: 0, state: new Map([['k', new Map()]]), timers: [], streamTime: 0, globals: new Map() });
    batch.runRecord(record(0, 'k', 1));
    batch.runRecord(record(1, 'k', 2));
    const result = batch.result();
    assert.deepEqual(result.deadLetters.map((letter) => letter.headers['x-dlq-error']), [
      'cannot schedule a timer of key "elsewhere": its state was not preloaded (return it from keysFor() or reach it through a timer of that key)',
      'cannot cancel a timer of key "elsewhere": its state was not preloaded (return it from keysFor() or reach it through a timer of that key)',
    ]);
    assert.deepEqual(result.keys, [], 'both records were rolled back');
  });
});
