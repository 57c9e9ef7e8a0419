import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, FilterError } from '../../../../cli/ops/filter.ts';

const record = {
  key: 'm-1',
  partition: 2,
  offset: 41,
  headers: { 'x-dlq-reason': 'TOTAL_MISMATCH' },
  value: {
    memberId: 'm-1', totalCents: 5000, employee: false, channel: 'APP', deviceId: null,
    lines: [{ sku: 'BGR-CLASSIC', quantity: 2 }], payment: { method: 'CARD', cardFingerprint: 'fp-1' },
  },
};

describe('compileFilter evaluates', () => {
  const cases: [string, boolean][] = [
    ['value.memberId == "m-1" && value.totalCents >= 5000', true],
    ['value.memberId == "m-1" && value.totalCents > 5000', false],
    ["value.memberId == 'm-2' || value.channel == 'APP'", true],
    ['value.memberId != "m-1"', false],
    ['value.totalCents < 5001', true],
    ['value.totalCents <= 4999', false],
    ['value.deviceId == null', true],
    ['value.missing.deep == null', true],
    ['value.missing == 0', false],
    ['value.lines[0].sku == "BGR-CLASSIC"', true],
    ['value.lines[1].sku == null', true],
    ['value.lines[0].quantity >= 2', true],
    ['value.payment.cardFingerprint == "fp-1"', true],
    ['value.employee == false', true],
    ['value.employee', false],
    ['headers.x-dlq-reason == "TOTAL_MISMATCH"', true],
    ['partition == 2 && offset >= 40', true],
    ['value.totalCents >= "5000"', false],
    ['value.memberId > "m-0"', true],
    ['value.totalCents == 5000.0', true],
    ['value.totalCents > -1', true],
    ['(value.channel == "WEB" || value.channel == "APP") && value.totalCents == 5000', true],
    ['value.channel == "WEB" || value.channel == "APP" && value.totalCents == 1', false],
    ['"a\\"b" == "a\\"b"', true],
    ['null == null', true],
    ['true', true],
  ];
  for (const [source, expected] of cases) {
    test(`${source} → ${expected}`, () => assert.equal(compileFilter(source)(record), expected));
  }

  test('a non-object record reads every field as null', () => {
    assert.equal(compileFilter('value.memberId == null')(null), true);
    assert.equal(compileFilter('value.memberId == "m-1"')('text'), false);
  });
});

describe('compileFilter refuses', () => {
  const bad: [string, RegExp][] = [
    ['', /empty expression/],
    ['value.memberId ==', /expected a field path.*end of expression/],
    ['value.memberId = "m-1"', /unexpected character "=" at column 16/],
    ['value.memberId == "m-1', /unterminated string starting at column 19/],
    ['(value.a == 1', /expected "\)"/],
    ['value.a == 1 value.b', /expected an operator .* column 14/],
    ['value.lines[x]', /expected an array index/],
    ['value.', /expected a field name after "\."/],
    ['process.exit(1)', /expected an operator/],
    ['value.a == 1; drop', /unexpected character ";"/],
  ];
  for (const [source, message] of bad) {
    test(JSON.stringify(source), () => {
      assert.throws(() => compileFilter(source), (err: unknown) => err instanceof FilterError && err.usage && message.test(err.message));
    });
  }
});
