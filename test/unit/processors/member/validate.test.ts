// Every dead-letter reason of validation (RULES.md 1, 6.1, 6.16), in check order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateOrderEvent } from '../../../../processors/member/validate.ts';
import { completed, refunded, T0 } from './helpers.ts';

type Mutable = Record<string, unknown> & { lines: Record<string, unknown>[]; redemptions: Record<string, unknown>[]; payment: Record<string, unknown> };

function base(): Mutable {
  return structuredClone(completed({ lines: [{ category: 'ENTREE', cents: 700 }, { category: 'SIDE', cents: 300 }], redemptions: [100] })) as unknown as Mutable;
}

function reasonOf(value: unknown): string {
  const result = validateOrderEvent(value, 'USD');
  return result.ok ? 'OK' : result.reason;
}

describe('validateOrderEvent', () => {
  const cases: [string, (o: Mutable) => void, string][] = [
    ['a well-formed order', () => {}, 'OK'],
    ['employee absent means false', (o) => { delete o.employee; }, 'OK'],
    ['occurredAt as RFC 3339 with Z', (o) => { o.occurredAt = '2026-01-31T12:00:00Z'; }, 'OK'],
    ['occurredAt as RFC 3339 with an offset and fraction', (o) => { o.occurredAt = '2026-01-31T12:00:00.250+02:00'; }, 'OK'],
    ['a link zone name (US/Central)', (o) => { o.storeTimeZone = 'US/Central'; }, 'OK'],
    ['UTC', (o) => { o.storeTimeZone = 'UTC'; }, 'OK'],
    ['missing eventId', (o) => { delete o.eventId; }, 'SCHEMA_VIOLATION'],
    ['unknown type', (o) => { o.type = 'VOIDED'; }, 'SCHEMA_VIOLATION'],
    ['unknown channel', (o) => { o.channel = 'TELEPHONE'; }, 'SCHEMA_VIOLATION'],
    ['memberId absent (must be null or a string)', (o) => { delete o.memberId; }, 'SCHEMA_VIOLATION'],
    ['lines not an array', (o) => { Object.assign(o, { lines: 'BGR x1' }); }, 'SCHEMA_VIOLATION'],
    ['float quantity', (o) => { (o.lines[0] as Record<string, unknown>).quantity = 1.5; }, 'SCHEMA_VIOLATION'],
    ['quantity beyond int32', (o) => { (o.lines[0] as Record<string, unknown>).quantity = 2 ** 31; }, 'SCHEMA_VIOLATION'],
    ['cents beyond 2^53 - 1', (o) => { o.tipCents = 2 ** 53; }, 'SCHEMA_VIOLATION'],
    ['cents as a string', (o) => { o.taxCents = '10'; }, 'SCHEMA_VIOLATION'],
    ['lowercase zone name', (o) => { o.storeTimeZone = 'america/chicago'; }, 'SCHEMA_VIOLATION'],
    ['zone that is not IANA', (o) => { o.storeTimeZone = 'Central Time'; }, 'SCHEMA_VIOLATION'],
    ['time string without offset', (o) => { o.occurredAt = '2026-01-31T12:00:00'; }, 'SCHEMA_VIOLATION'],
    ['time string in prose', (o) => { o.occurredAt = 'last tuesday'; }, 'SCHEMA_VIOLATION'],
    ['lowercase t in a time', (o) => { o.occurredAt = '2026-01-31t12:00:00Z'; }, 'SCHEMA_VIOLATION'],
    ['employee not a boolean', (o) => { o.employee = 'no'; }, 'SCHEMA_VIOLATION'],
    ['payment method unknown', (o) => { o.payment.method = 'CHEQUE'; }, 'SCHEMA_VIOLATION'],
    ['negative tax', (o) => { o.taxCents = -1; o.totalCents = (o.totalCents as number) - 1; }, 'NEGATIVE_AMOUNT'],
    ['negative quantity', (o) => { Object.assign(o.lines[0] as object, { quantity: -1, lineTotalCents: -700 }); }, 'NEGATIVE_AMOUNT'],
    ['negative redemption points', (o) => { (o.redemptions[0] as Record<string, unknown>).points = -5; }, 'NEGATIVE_AMOUNT'],
    ['negative beats a line mismatch', (o) => { o.discountCents = -1; (o.lines[0] as Record<string, unknown>).lineTotalCents = 1; }, 'NEGATIVE_AMOUNT'],
    ['line total not quantity x unit price', (o) => { (o.lines[0] as Record<string, unknown>).lineTotalCents = 701; o.totalCents = 1001; }, 'LINE_TOTAL_MISMATCH'],
    ['total not lines - discount + tax + tip', (o) => { o.totalCents = 999; }, 'TOTAL_MISMATCH'],
    ['total mismatch beats currency', (o) => { o.totalCents = 999; o.currency = 'EUR'; }, 'TOTAL_MISMATCH'],
    ['currency other than the program', (o) => { o.currency = 'EUR'; }, 'CURRENCY_MISMATCH'],
  ];
  for (const [name, mutate, reason] of cases) {
    test(`${name} → ${reason}`, () => {
      const order = base();
      mutate(order);
      assert.equal(reasonOf(order), reason);
    });
  }

  test('refund checks: negative refund, zero refund, totals of a refund are not checked', () => {
    const order = completed({ cents: 1000 });
    assert.equal(reasonOf({ ...refunded(order, 100, T0), totalCents: 5 }), 'OK');
    assert.equal(reasonOf(refunded(order, -1, T0)), 'NEGATIVE_AMOUNT');
    assert.equal(reasonOf(refunded(order, 0, T0)), 'NON_POSITIVE_REFUND');
  });

  test('an RFC 3339 time is read as epoch millis, sub-millisecond digits truncated', () => {
    const order = base();
    order.occurredAt = '2026-01-31T12:00:00.2509+02:00';
    const result = validateOrderEvent(order, 'USD');
    assert.ok(result.ok);
    assert.equal(result.order.occurredAt, Date.UTC(2026, 0, 31, 10, 0, 0, 250));
  });

  test('the message names the field', () => {
    const order = base();
    (order.lines[1] as Record<string, unknown>).quantity = 2.5;
    const result = validateOrderEvent(order, 'USD');
    assert.ok(!result.ok);
    assert.match(result.message, /lines\[1\]\.quantity/);
  });
});
