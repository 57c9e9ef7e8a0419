import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestDriver } from '../../../engine/test-driver.ts';
import { PROCESSING_ERROR, type ProcessorDefinition, type SourceRecord } from '../../../engine/types.ts';

interface Add {
  amount: number;
  at: number;
  /** Throw after writing state and forwarding, to prove rollback. */
  failAfterWrite?: boolean;
  /** Schedule the reminder timer at this time instead of at + 100. */
  remindAt?: number;
  cancelReminder?: boolean;
}

function asAdd(record: SourceRecord): Add {
  return record.value as Add;
}

/** A running sum per key with a reminder timer that fires `remindAt` (default at + 100). */
const runningSum: ProcessorDefinition = {
  name: 'running-sum',
  inputs: [{ topic: 'adds' }, { topic: 'other-adds' }],
  outputs: { sums: { topic: 'sums.v1' }, reminders: { topic: 'reminders.v1' } },
  globals: { factors: { topic: 'factors.v1', merge: (previous, next) => Math.max(Number(previous ?? 0), Number(next)) } },
  eventTime: (record) => asAdd(record).at,
  process(ctx, record) {
    const add = asAdd(record);
    ctx.advanceTo(add.at);
    const key = record.key ?? 'none';
    const state = ctx.state(key);
    const factor = Number(ctx.global('factors').get('all') ?? 1);
    const sum = Number(state.get('sum') ?? '0') + add.amount * factor;
    state.set('sum', String(sum));
    ctx.forward('sums', key, { sum, late: add.at < ctx.streamTime() });
    if (add.cancelReminder) ctx.cancel(key, 'reminder');
    else ctx.schedule({ key, name: 'reminder', dueAt: add.remindAt ?? add.at + 100 });
    if (add.failAfterWrite) throw new Error('boom after write');
  },
  onTimer(ctx, timer) {
    const state = ctx.state(timer.key);
    ctx.forward('reminders', timer.key, { name: timer.name, dueAt: timer.dueAt, sum: state.get('sum') ?? null });
    if (timer.name === 'reminder') ctx.schedule({ key: timer.key, name: 'followup', dueAt: timer.dueAt });
    if (timer.name === 'followup') state.delete('sum');
  },
};

describe('TestDriver', () => {
  test('keeps a running sum per key and forwards in order', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', 'a', { amount: 2, at: 10 });
    driver.pipe('adds', 'b', { amount: 5, at: 11 });
    driver.pipe('other-adds', 'a', { amount: 3, at: 12 });
    assert.deepEqual(
      driver.outputs('sums').map((output) => [output.key, output.value]),
      [
        ['a', { sum: 2, late: false }],
        ['b', { sum: 5, late: false }],
        ['a', { sum: 5, late: false }],
      ],
    );
    assert.deepEqual(driver.state('a'), { sum: '5' });
    assert.equal(driver.streamTime(), 12);
  });

  test('a throwing process() rolls back its writes, outputs and timers and goes to the DLQ', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', 'a', { amount: 2, at: 10 });
    driver.pipe('adds', 'a', { amount: 40, at: 20, failAfterWrite: true }, { raw: Buffer.from('x'), timestamp: 777 });
    driver.pipe('adds', 'a', { amount: 1, at: 30 });
    assert.deepEqual(driver.state('a'), { sum: '3' });
    assert.deepEqual(
      driver.outputs('sums').map((output) => output.value),
      [{ sum: 2, late: false }, { sum: 3, late: false }],
    );
    assert.deepEqual(driver.timers(), [{ key: 'a', name: 'reminder', dueAt: 130 }]);
    const [letter, ...rest] = driver.deadLetters();
    assert.equal(rest.length, 0);
    assert.equal(letter?.topic, 'adds.dlq');
    assert.equal(letter?.reason, PROCESSING_ERROR);
    assert.equal(letter?.error, 'boom after write');
    assert.equal(letter?.key, 'a');
    assert.equal(letter?.headers['x-dlq-source-offset'], '1');
    assert.equal(letter?.headers['x-dlq-source-topic'], 'adds');
    assert.equal(letter?.headers['x-dlq-source-partition'], '0');
    assert.equal(letter?.headers['x-dlq-time'], '777');
  });

  test('the stream time of a failed record is rolled back too', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', 'a', { amount: 1, at: 10 });
    driver.pipe('adds', 'a', { amount: 1, at: 500, failAfterWrite: true });
    assert.equal(driver.streamTime(), 10);
    assert.deepEqual(driver.outputs('reminders'), []);
  });

  test('timers fire by (dueAt, name, key) and timers scheduled while firing fire when due', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', 'b', { amount: 1, at: 0, remindAt: 50 });
    driver.pipe('adds', 'a', { amount: 1, at: 0, remindAt: 50 });
    driver.pipe('adds', 'c', { amount: 1, at: 0, remindAt: 40 });
    driver.tick(60);
    assert.deepEqual(
      driver.outputs('reminders').map((output) => [output.key, output.value]),
      [
        ['c', { name: 'reminder', dueAt: 40, sum: '1' }],
        ['c', { name: 'followup', dueAt: 40, sum: '1' }],
        ['a', { name: 'reminder', dueAt: 50, sum: '1' }],
        // a's followup (scheduled while firing, due now) sorts before b's reminder by name.
        ['a', { name: 'followup', dueAt: 50, sum: '1' }],
        ['b', { name: 'reminder', dueAt: 50, sum: '1' }],
        ['b', { name: 'followup', dueAt: 50, sum: '1' }],
      ],
    );
    assert.deepEqual(driver.timers(), []);
    assert.equal(driver.state('a'), undefined);
    assert.equal(driver.streamTime(), 60);
  });

  test('a timer due exactly at stream time fires; one later does not', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', 'a', { amount: 1, at: 0, remindAt: 100 });
    driver.tick(99);
    assert.equal(driver.outputs('reminders').length, 0);
    driver.tick(100);
    assert.equal(driver.outputs('reminders').length, 2);
  });

  test('scheduling an existing timer moves it; cancel removes it', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', 'a', { amount: 1, at: 0, remindAt: 100 });
    driver.pipe('adds', 'a', { amount: 1, at: 1, remindAt: 300 });
    assert.deepEqual(driver.timers(), [{ key: 'a', name: 'reminder', dueAt: 300 }]);
    driver.tick(200);
    assert.equal(driver.outputs('reminders').length, 0);
    driver.pipe('adds', 'a', { amount: 1, at: 2, cancelReminder: true });
    assert.deepEqual(driver.timers(), []);
    driver.tick(1000);
    assert.equal(driver.outputs('reminders').length, 0);
  });

  test('timers() lists pending timers in firing order', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', 'z', { amount: 1, at: 0, remindAt: 20 });
    driver.pipe('adds', 'y', { amount: 1, at: 0, remindAt: 10 });
    driver.pipe('adds', 'x', { amount: 1, at: 0, remindAt: 20 });
    assert.deepEqual(
      driver.timers().map((timer) => [timer.key, timer.dueAt]),
      [
        ['y', 10],
        ['x', 20],
        ['z', 20],
      ],
    );
  });

  test('a record fires the timers its own event time makes due before it is applied', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', 'a', { amount: 1, at: 0, remindAt: 50 });
    driver.pipe('adds', 'a', { amount: 10, at: 50 });
    const reminder = driver.outputs('reminders')[0];
    assert.deepEqual(reminder?.value, { name: 'reminder', dueAt: 50, sum: '1' });
  });

  test('stream time starts at -1 and never goes back; a late record sees its partition time', () => {
    const driver = new TestDriver(runningSum);
    assert.equal(driver.streamTime(), -1);
    driver.pipe('adds', 'a', { amount: 1, at: 100 });
    driver.tick(50);
    assert.equal(driver.streamTime(), 100);
    driver.pipe('adds', 'a', { amount: 1, at: 70 });
    assert.equal(driver.streamTime(), 100);
    assert.deepEqual(driver.outputs('sums')[1]?.value, { sum: 2, late: true });
  });

  test('a watermark with a bad time goes to the DLQ and does not move stream time', () => {
    const driver = new TestDriver(runningSum);
    driver.pipe('adds', null, null, { headers: { 'x-watermark': 'soon' } });
    assert.equal(driver.streamTime(), -1);
    assert.equal(driver.deadLetters()[0]?.reason, 'BAD_WATERMARK');
  });

  test('global tables merge with the spec merge()', () => {
    const driver = new TestDriver(runningSum);
    driver.setGlobal('factors', 'all', 3);
    driver.setGlobal('factors', 'all', 2);
    driver.pipe('adds', 'a', { amount: 5, at: 1 });
    assert.deepEqual(driver.state('a'), { sum: '15' });
    assert.throws(() => driver.setGlobal('nope', 'k', 1), /no global table "nope"/);
  });

  test('reading a key that was not preloaded is a processing error', () => {
    const nosy: ProcessorDefinition = {
      ...runningSum,
      process(ctx) {
        ctx.state('somebody-else').set('x', '1');
      },
    };
    const driver = new TestDriver(nosy);
    driver.pipe('adds', 'a', { amount: 1, at: 1 });
    assert.match(driver.deadLetters()[0]?.error ?? '', /not preloaded/);
    assert.equal(driver.state('somebody-else'), undefined);
  });

  test('a throwing onTimer is rolled back, dropped and reported', () => {
    const fragile: ProcessorDefinition = {
      ...runningSum,
      onTimer(ctx, timer) {
        ctx.forward('reminders', timer.key, 'partial');
        throw new Error('timer bug');
      },
    };
    const driver = new TestDriver(fragile);
    driver.pipe('adds', 'a', { amount: 1, at: 0, remindAt: 5 });
    driver.tick(10);
    assert.deepEqual(driver.outputs('reminders'), []);
    assert.deepEqual(driver.timers(), []);
    assert.deepEqual(driver.timerFailures(), [{ timer: { key: 'a', name: 'reminder', dueAt: 5 }, error: 'timer bug' }]);
  });

  test('unknown topics and outputs are refused', () => {
    const driver = new TestDriver(runningSum);
    assert.throws(() => driver.pipe('nope', 'a', {}), /no input topic "nope"/);
    assert.throws(() => driver.outputs('nope'), /no output "nope"/);
  });
});
