import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangelogImage, changelogRecords } from '../../../engine/changelog.ts';
import { packOutbox, unpackOutbox } from '../../../engine/outbox.ts';
import { parseTimerMember, parseWatermarkField, taskKeyPattern, taskKeys, timerMember, watermarkField } from '../../../engine/keys.ts';

describe('changelog', () => {
  test('folding a batch changelog rebuilds its state, timers, watermarks and stream time', () => {
    const first = changelogRecords(
      'app-p-changelog',
      1,
      {
        stateChanges: [
          { key: 'm:1', field: 'sum', value: '10' },
          { key: 'm:1', field: 'n', value: '1' },
          { key: 'm2', field: 'sum', value: '3' },
        ],
        timerUpserts: [{ key: 'm:1', name: 'idle', dueAt: 50 }],
        timerDeletes: [],
        streamTime: 40,
      },
      new Map([[watermarkField('orders', 1), '7']]),
      new Map([
        ['m:1', new Map([['sum', '10'], ['n', '1']])],
        ['m2', new Map([['sum', '3']])],
      ]),
    );
    const second = changelogRecords(
      'app-p-changelog',
      1,
      {
        stateChanges: [{ key: 'm:1', field: 'n', value: null }, { key: 'm2', field: 'sum', value: null }],
        timerUpserts: [],
        timerDeletes: [{ key: 'm:1', name: 'idle' }],
        streamTime: 60,
      },
      new Map([[watermarkField('orders', 1), '9']]),
      new Map([
        ['m:1', new Map([['sum', '10']])],
        ['m2', new Map()],
      ]),
    );
    assert.equal(first.length, 4, 'one record per changed key, one per timer, the meta record');
    assert.ok([...first, ...second].every((record) => record.partition === 1 && record.topic === 'app-p-changelog'));
    const image = new ChangelogImage();
    for (const record of [...first, ...second]) image.apply(record.key?.toString() ?? '', record.value);
    assert.deepEqual(image.state, new Map([['m:1', new Map([['sum', '10']])]]));
    assert.deepEqual(image.timers, new Map());
    assert.equal(image.streamTime, 60);
    assert.deepEqual(image.offsets(), [{ topic: 'orders', partition: 1, offset: '9' }]);
  });

  test('a whole-key record lists its fields in name order, whatever order they were loaded in', () => {
    const batch = { stateChanges: [{ key: 'k', field: 'b', value: '2' }], timerUpserts: [], timerDeletes: [], streamTime: 1 };
    const one = changelogRecords('c', 0, batch, new Map(), new Map([['k', new Map([['b', '2'], ['a', '1']])]]));
    const two = changelogRecords('c', 0, batch, new Map(), new Map([['k', new Map([['a', '1'], ['b', '2']])]]));
    assert.deepEqual(one[0]?.value, two[0]?.value);
    assert.equal(one[0]?.value?.toString(), '{"a":"1","b":"2"}');
  });

  test('timer records carry dueAt and are folded by (name, key)', () => {
    const records = changelogRecords('c', 0, { stateChanges: [], timerUpserts: [{ key: 'k', name: 'a', dueAt: 5 }], timerDeletes: [], streamTime: 1 }, new Map(), new Map());
    const image = new ChangelogImage();
    for (const record of records) image.apply(record.key?.toString() ?? '', record.value);
    assert.deepEqual([...image.timers.values()], [{ key: 'k', name: 'a', dueAt: 5 }]);
  });
});

describe('outbox and keys', () => {
  test('an outbox record round-trips bytes, nulls and headers', () => {
    const record = { topic: 't', partition: 3, key: Buffer.from([0, 255, 1]), value: null, headers: { 'x-dlq-reason': 'UNDECODABLE' } };
    assert.deepEqual(unpackOutbox(packOutbox([record])), [record]);
  });

  test('every task key shares the hash tag, and members and fields parse back', () => {
    const keys = taskKeys('app', 'member', 7);
    for (const key of [keys.fence, keys.meta, keys.timers, keys.outbox, keys.statePrefix]) assert.ok(key.startsWith('{app:member:7}:'));
    assert.equal(taskKeyPattern(taskKeys('a*b', 'p', 0)), '{a\\*b:p:0}*');
    assert.deepEqual(parseTimerMember(timerMember('expiry', 'm:1\u0000x')), { name: 'expiry', key: 'm:1\u0000x' });
    assert.deepEqual(parseWatermarkField(watermarkField('orders.v1', 12)), { topic: 'orders.v1', partition: 12 });
  });
});
