import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCount, parseDuration, parsePosition, parseRate, parseTime } from '../../../../cli/ops/position.ts';
import { CliError } from '../../../../cli/output.ts';

const usage = (message: RegExp) => (err: unknown): boolean => err instanceof CliError && err.exitCode === 2 && message.test(err.message);

describe('parsePosition', () => {
  const cases: [string, unknown][] = [
    ['earliest', { kind: 'earliest' }],
    ['latest', { kind: 'latest' }],
    ['0', { kind: 'offset', offset: 0n }],
    ['9007199254740993', { kind: 'offset', offset: 9007199254740993n }],
    ['@1767571200000', { kind: 'time', time: 1767571200000 }],
    ['2026-01-05T00:00:00Z', { kind: 'time', time: Date.parse('2026-01-05T00:00:00Z') }],
    ['2026-01-05T02:00:00.250+02:00', { kind: 'time', time: Date.parse('2026-01-05T00:00:00.250Z') }],
  ];
  for (const [text, expected] of cases) test(text, () => assert.deepEqual(parsePosition(text, '--from'), expected));

  for (const bad of ['2026-01-05', '2026-01-05T00:00:00', 'yesterday', '-5', '@', '2026-02-30T00:00:00Z', '2026-01-05t00:00:00z']) {
    test(`refuses ${bad}`, () => assert.throws(() => parsePosition(bad, '--from'), usage(/--from .* is not a position/)));
  }
});

describe('parseTime, parseRate, parseDuration, parseCount', () => {
  test('times', () => {
    assert.equal(parseTime('1767571200000', '--to'), 1767571200000);
    assert.equal(parseTime('2026-01-05T00:00:00Z', '--to'), 1767571200000);
    assert.throws(() => parseTime('now', '--to'), usage(/--to "now" is not a time/));
  });
  test('rates', () => {
    assert.equal(parseRate('200', '--rate'), 200);
    assert.equal(parseRate('200/s', '--rate'), 200);
    assert.equal(parseRate('600/m', '--rate'), 10);
    assert.equal(parseRate('0.5/s', '--rate'), 0.5);
    for (const bad of ['0', '0/s', 'fast', '-3/s', '10/h']) assert.throws(() => parseRate(bad, '--rate'), usage(/is not a rate/));
  });
  test('durations', () => {
    assert.equal(parseDuration('90', '--duration'), 90_000);
    assert.equal(parseDuration('90s', '--duration'), 90_000);
    assert.equal(parseDuration('15m', '--duration'), 900_000);
    assert.equal(parseDuration('2h', '--duration'), 7_200_000);
    assert.equal(parseDuration('1d', '--duration'), 86_400_000);
    assert.equal(parseDuration('250ms', '--duration'), 250);
    assert.throws(() => parseDuration('1.5h', '--duration'), usage(/is not a duration/));
  });
  test('counts', () => {
    assert.equal(parseCount('0', '--partition'), 0);
    assert.equal(parseCount('12', '--orders', 1), 12);
    assert.throws(() => parseCount('0', '--orders', 1), usage(/--orders "0" must be an integer ≥ 1/));
    assert.throws(() => parseCount('1.5', '--partition'), usage(/must be an integer/));
  });
});
