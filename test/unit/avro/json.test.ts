// Plain JSON -> Avro value checks of RULES.md section 1 and 6.1/6.16, table-driven.
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromPlainJson, fromPlainJsonText, parseRfc3339, toPlainJson } from '../../../avro/json.ts';
import { ValidationError } from '../../../engine/errors.ts';

const ORDER = 'loyalty.orders.OrderEvent';
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
const validOrderText = fixture('avro/OrderEvent.json').trim();
const validOrder = (): Record<string, unknown> => JSON.parse(validOrderText) as Record<string, unknown>;

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the value to be refused');
}

describe('bad.jsonl of conformance scenario 101: each line refused, naming the field', () => {
  const lines = fixture('conformance/scenario-101/bad.jsonl').split('\n').filter((l) => l.trim() !== '');
  const expected: [path: string, expectedText: RegExp][] = [
    ['orderId', /missing/],
    ['eventId', /missing/],
    ['type', /one of COMPLETED, REFUNDED.*"VOIDED"/],
    ['channel', /one of IN_STORE.*"TELEPHONE"/],
    ['totalCents', /long.*"13.29"/],
    ['lines', /array/],
    ['lines[0].quantity', /int.*"two"/],
    ['occurredAt', /RFC 3339.*"last tuesday"/],
    ['payment.method', /one of CARD.*"BITCOIN"/],
    ['employee', /boolean.*"no"/],
    ['storeId', /missing/],
    ['redemptions[0].points', /missing/],
    ['payment', /object.*got null/],
    ['lines[0].lineTotalCents', /missing/],
  ];
  test('the fixture has one case per expectation', () => assert.equal(lines.length, expected.length));
  lines.forEach((line, i) => {
    const [path, message] = expected[i] ?? ['?', /.^/];
    test(`line ${i + 1}: ${path}`, () => {
      const err = refusal(() => fromPlainJsonText(ORDER, line));
      assert.equal(err.path, path);
      assert.equal(err.code, 'SCHEMA_VIOLATION');
      assert.match(err.message, new RegExp(`^${path.replace(/[[\].]/g, '\\$&')}: expected`));
      assert.match(err.message, message);
    });
  });
});

describe('integers', () => {
  const withTotal = (raw: string): string => validOrderText.replace(/"totalCents":\d+/, `"totalCents":${raw}`);
  test('a whole number written with a fraction is a float and refused', () => {
    const err = refusal(() => fromPlainJsonText(ORDER, withTotal('1437.0')));
    assert.equal(err.path, 'totalCents');
    assert.match(err.message, /got 1437\.0$/);
  });
  test('exponent notation is refused', () => {
    assert.equal(refusal(() => fromPlainJsonText(ORDER, withTotal('1e3'))).path, 'totalCents');
  });
  test('longs within ±(2^53-1) pass, beyond are refused', () => {
    assert.equal(fromPlainJsonText<{ totalCents: number }>(ORDER, withTotal('9007199254740991')).totalCents, 2 ** 53 - 1);
    assert.equal(fromPlainJsonText<{ totalCents: number }>(ORDER, withTotal('-9007199254740991')).totalCents, -(2 ** 53 - 1));
    assert.equal(refusal(() => fromPlainJsonText(ORDER, withTotal('9007199254740992'))).path, 'totalCents');
    assert.equal(refusal(() => fromPlainJsonText(ORDER, withTotal('-9007199254740993'))).path, 'totalCents');
  });
  test('int fields are 32-bit', () => {
    const withQuantity = (q: number): Record<string, unknown> => {
      const order = validOrder();
      (order.lines as Record<string, unknown>[])[1] = { sku: 'X', category: 'SIDE', quantity: q, unitPriceCents: 1, lineTotalCents: q };
      return order;
    };
    assert.doesNotThrow(() => fromPlainJson(ORDER, withQuantity(2 ** 31 - 1)));
    assert.equal(refusal(() => fromPlainJson(ORDER, withQuantity(2 ** 31))).path, 'lines[1].quantity');
    assert.equal(refusal(() => fromPlainJson(ORDER, withQuantity(-(2 ** 31) - 1))).path, 'lines[1].quantity');
  });
  test('a non-integer number from JSON.parse is refused too', () => {
    assert.equal(refusal(() => fromPlainJson(ORDER, { ...validOrder(), taxCents: 1.5 })).path, 'taxCents');
  });
});

describe('timestamps', () => {
  const cases: [text: string, millis: number | null][] = [
    ['2026-01-31T12:00:00Z', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31T12:00:00.250+02:00', Date.UTC(2026, 0, 31, 10, 0, 0, 250)],
    ['2026-01-31T12:00:00.1-05:30', Date.UTC(2026, 0, 31, 17, 30, 0, 100)],
    ['2026-01-31T12:00:00.123999999Z', Date.UTC(2026, 0, 31, 12, 0, 0, 123)],
    ['1969-12-31T23:59:59.999Z', -1],
    ['0001-01-01T00:00:00Z', -62135596800000],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2025-02-29T00:00:00Z', null],
    ['2026-01-31t12:00:00Z', null],
    ['2026-01-31T12:00:00z', null],
    ['2026-01-31 12:00:00Z', null],
    ['2026-01-31T12:00:00', null],
    ['2026-01-31T12:00Z', null],
    ['2026-01-31T24:00:00Z', null],
    ['2026-01-31T12:00:60Z', null],
    ['2026-13-01T00:00:00Z', null],
    ['2026-04-31T00:00:00Z', null],
    ['2026-01-31T12:00:00+0200', null],
    ['2026-01-31T12:00:00.Z', null],
    ['2026-01-31', null],
    ['last tuesday', null],
  ];
  for (const [text, millis] of cases) {
    test(`${text} -> ${millis === null ? 'refused' : millis}`, () => {
      assert.equal(parseRfc3339(text), millis);
      const order = { ...validOrder(), occurredAt: text };
      if (millis === null) assert.equal(refusal(() => fromPlainJson(ORDER, order)).path, 'occurredAt');
      else assert.equal(fromPlainJson<{ occurredAt: number }>(ORDER, order).occurredAt, millis);
    });
  }
  test('epoch millis pass as is; a float or a boolean is refused', () => {
    assert.equal(fromPlainJson<{ occurredAt: number }>(ORDER, { ...validOrder(), occurredAt: 0 }).occurredAt, 0);
    assert.equal(refusal(() => fromPlainJson(ORDER, { ...validOrder(), occurredAt: 1.5 })).path, 'occurredAt');
    assert.equal(refusal(() => fromPlainJson(ORDER, { ...validOrder(), occurredAt: true })).path, 'occurredAt');
  });
});

describe('fields', () => {
  test('employee may be absent and reads as false', () => {
    const { employee: _employee, ...rest } = validOrder();
    assert.equal(fromPlainJson<{ employee: boolean }>(ORDER, rest).employee, false);
  });
  test('a missing nullable field is refused unless absentNullableAsNull', () => {
    const { deviceId: _deviceId, ...rest } = validOrder();
    assert.equal(refusal(() => fromPlainJson(ORDER, rest)).path, 'deviceId');
    assert.equal(fromPlainJson<{ deviceId: null }>(ORDER, rest, { absentNullableAsNull: true }).deviceId, null);
  });
  test('nullable fields take value or null, not a wrapped union', () => {
    assert.equal(fromPlainJson<{ memberId: string | null }>(ORDER, { ...validOrder(), memberId: null }).memberId, null);
    assert.equal(refusal(() => fromPlainJson(ORDER, { ...validOrder(), memberId: { string: 'm-1' } })).path, 'memberId');
  });
  test('an unknown field is refused, naming it', () => {
    const err = refusal(() => fromPlainJson(ORDER, { ...validOrder(), memberID: 'm-1' }));
    assert.equal(err.path, 'memberID');
    assert.match(err.message, /unknown field/);
  });
  test('a record that is not an object is refused', () => {
    assert.equal(refusal(() => fromPlainJson(ORDER, [1, 2])).path, '');
    assert.match(refusal(() => fromPlainJsonText(ORDER, '{"eventId": ')).message, /invalid JSON at character/);
  });
  test('a campaign file may list only the params of its type', () => {
    const campaign = JSON.parse(fixture('avro/Campaign.json')) as Record<string, unknown>;
    const value = fromPlainJson<{ params: Record<string, unknown> }>('loyalty.promotions.Campaign',
      { ...campaign, startsAt: '2025-01-01T00:00:00Z', params: { bonusPoints: 150 } }, { absentNullableAsNull: true });
    assert.deepEqual(value.params, { extraMultiplierBp: null, categories: null, bonusPoints: 150, every: null });
  });
});

describe('toPlainJson', () => {
  test('fields come out in schema order whatever the input order', () => {
    const order = validOrder();
    const reversed = Object.fromEntries(Object.entries(order).reverse());
    assert.equal(JSON.stringify(toPlainJson(ORDER, fromPlainJson(ORDER, reversed))), validOrderText);
  });
});
