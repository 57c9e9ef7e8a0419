import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangelogImage, FirstFormatChangelogError, changelogRecords } from '../../../engine/changelog.ts';
import { decodeKeyValue, encodeKeyValue } from '../../../engine/state-value.ts';
import { packOutbox, unpackOutbox } from '../../../engine/outbox.ts';
import { parseTimerMember, parseWatermarkField, taskKeyPattern, taskKeys, timerMember, watermarkField } from '../../../engine/keys.ts';

const value = (fields: [string, string][], timers: [string, number][] = []): Buffer | null => encodeKeyValue(new Map(fields), new Map(timers));
const fold = (records: { key: Buffer | null; value: Buffer | null }[]): ChangelogImage => {
  const image = new ChangelogImage();
  for (const record of records) image.apply(record.key?.toString() ?? '', record.value);
  return image;
};

describe('changelog', () => {
  test('folding a batch changelog rebuilds its state, timers, watermarks and stream time', () => {
    const first = changelogRecords(
      'app-p-changelog',
      1,
      [
        { key: 'm:1', value: value([['sum', '10'], ['n', '1']], [['idle', 50]]) },
        { key: 'm2', value: value([['sum', '3']]) },
      ],
      40,
      new Map([[watermarkField('orders', 1), '7']]),
    );
    const second = changelogRecords(
      'app-p-changelog',
      1,
      [
        { key: 'm:1', value: value([['sum', '10']]) },
        { key: 'm2', value: null },
      ],
      60,
      new Map([[watermarkField('orders', 1), '9']]),
    );
    assert.equal(first.length, 3, 'one record per changed key (its timers inside), the meta record');
    assert.ok([...first, ...second].every((record) => record.partition === 1 && record.topic === 'app-p-changelog'));
    const image = fold([...first, ...second]);
    assert.deepEqual(image.state, new Map([['m:1', new Map([['sum', '10']])]]));
    assert.deepEqual(image.timers, new Map(), 'the later whole-key record of m:1 has no timer left');
    assert.equal(image.streamTime, 60);
    assert.deepEqual(image.offsets(), [{ topic: 'orders', partition: 1, offset: '9' }]);
    assert.deepEqual([...image.values()], [{ key: 'm:1', value: value([['sum', '10']]) }]);
  });

  test('a whole-key value lists fields and timers in name order, whatever order they come in', () => {
    const one = encodeKeyValue(new Map([['b', '2'], ['a', '1']]), new Map([['z', 2], ['y', 1]]));
    const two = encodeKeyValue(new Map([['a', '1'], ['b', '2']]), new Map([['y', 1], ['z', 2]]));
    assert.deepEqual(one, two);
    assert.equal(one?.toString(), '[{"a":"1","b":"2"},{"y":1,"z":2}]');
    assert.equal(encodeKeyValue(new Map(), new Map()), null, 'a key with neither fields nor timers is deleted');
    assert.deepEqual(decodeKeyValue(one), { fields: new Map([['a', '1'], ['b', '2']]), timers: new Map([['y', 1], ['z', 2]]) });
    const odd = encodeKeyValue(new Map([['__proto__', 'kept'], ['constructor', 'x']]), new Map([['__proto__', 3]]));
    assert.deepEqual(decodeKeyValue(odd), { fields: new Map([['__proto__', 'kept'], ['constructor', 'x']]), timers: new Map([['__proto__', 3]]) });
  });

  test('a key with timers and no fields keeps its timers; the image lists every timer for the due index', () => {
    const image = fold(changelogRecords('c', 0, [{ key: 'k', value: value([], [['a', 5]]) }], 1, new Map()));
    assert.deepEqual([...image.timerList()], [{ key: 'k', name: 'a', dueAt: 5 }]);
    assert.deepEqual([...image.values()], [{ key: 'k', value: value([], [['a', 5]]) }]);
  });

  test('first format: a fields-only key record folds as fields; a timer record is refused with what to do', () => {
    const image = fold([
      { key: Buffer.from('k\u0000m1'), value: Buffer.from('{"n":"1","sum":"4"}') },
      { key: Buffer.from('k\u0000m2'), value: value([['sum', '1']], [['new', 12]]) },
    ]);
    assert.deepEqual([...image.values()], [
      { key: 'm1', value: value([['n', '1'], ['sum', '4']]) },
      { key: 'm2', value: value([['sum', '1']], [['new', 12]]) },
    ]);
    assert.throws(
      () => image.apply('t\u0000idle\u0000m1', Buffer.from('50')),
      (error: unknown) => error instanceof FirstFormatChangelogError && /loyalty reprocess <processor> --yes/.test(error.message),
    );
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
