// Order-level checks, duplicates, guest and employee orders (RULES.md 1, 6.1, 6.2, 6.5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { campaign, completed, HOUR, MemberHarness, refunded, T0 } from './helpers.ts';

describe('order checks', () => {
  test('a second COMPLETED with the same orderId and a new eventId is DUPLICATE_ORDER', () => {
    const h = new MemberHarness();
    const order = completed({ at: T0 });
    h.order(order).order({ ...order, eventId: 'another' });
    assert.deepEqual(h.dlq(), ['DUPLICATE_ORDER']);
    assert.equal(h.ledger().length, 1);
  });

  test('a repeated eventId is dropped and counted, never dead-lettered', () => {
    const h = new MemberHarness();
    const order = completed({ at: T0 });
    h.order(order).order(order);
    assert.deepEqual([h.dlq(), h.duplicates, h.ledger().length, h.snapshots().length], [[], 1, 1, 1]);
  });

  test('a redelivered accepted refund is a duplicate, never an over-refund', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    const refund = refunded(order, 600, T0 + HOUR);
    h.order(order).order(refund).order(refund);
    assert.deepEqual([h.dlq(), h.duplicates], [[], 1]);
  });

  test('UNKNOWN_ORDER: never completed, completed by another member, or dead-lettered', () => {
    const h = new MemberHarness();
    const other = completed({ memberId: 'm-2', at: T0 });
    const rejected = completed({ at: T0 });
    h.order(other).order({ ...rejected, currency: 'EUR' });
    h.order(refunded(completed({ at: T0 }), 100, T0 + HOUR));
    h.order({ ...refunded(other, 100, T0 + HOUR), memberId: 'm-1' });
    h.order(refunded(rejected, 100, T0 + HOUR));
    assert.deepEqual(h.dlq(), ['CURRENCY_MISMATCH', 'UNKNOWN_ORDER', 'UNKNOWN_ORDER', 'UNKNOWN_ORDER']);
  });

  test('REFUND_EXCEEDS_TOTAL on the cumulative refund; the refund that reaches the total is accepted', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).order(refunded(order, 600, T0 + 1)).order(refunded(order, 401, T0 + 2)).order(refunded(order, 400, T0 + 3));
    assert.deepEqual(h.dlq(), ['REFUND_EXCEEDS_TOTAL']);
    assert.deepEqual(h.ledger().filter((e) => e.kind === 'REVERSAL').map((e) => e.pendingDelta), [-60, -40]);
  });

  test('a value fault is reported before the duplicate check', () => {
    const h = new MemberHarness();
    const order = completed({ at: T0 });
    h.order(order).order({ ...order, totalCents: 1 });
    assert.deepEqual([h.dlq(), h.duplicates], [['TOTAL_MISMATCH'], 0]);
  });

  test('a Kafka key other than the memberId is a SCHEMA_VIOLATION', () => {
    const h = new MemberHarness();
    h.order(completed({ at: T0 }), 'm-9');
    assert.deepEqual(h.dlq(), ['SCHEMA_VIOLATION']);
  });

  test('dead-lettered and duplicate events do not advance stream time', () => {
    const h = new MemberHarness();
    const order = completed({ at: T0 });
    h.order(order).order({ ...order, currency: 'EUR', eventId: 'x', occurredAt: T0 + 100 * HOUR });
    h.order({ ...order, occurredAt: T0 + 100 * HOUR });
    assert.equal(h.driver.streamTime(), T0);
    assert.equal(h.ledger().filter((e) => e.kind === 'ACTIVATE').length, 0);
  });
});

describe('guest orders', () => {
  test('no loyalty effect; LARGE_ORDER and card routing still apply; refunds accepted', () => {
    const h = new MemberHarness();
    const guest = completed({ memberId: null, cents: 60000, card: 'fp-1', at: T0 });
    h.order(guest).order(refunded(guest, 100, T0 + HOUR));
    assert.deepEqual([h.ledger(), h.snapshots(), h.decisions(), h.dlq()], [[], [], [], []]);
    assert.deepEqual(h.signals().map((s) => [s.rule, s.memberId, s.orderId]), [['LARGE_ORDER', null, guest.orderId]]);
    assert.deepEqual(h.driver.outputs('signals').map((o) => o.key), [guest.orderId]);
    assert.deepEqual(h.driver.outputs('byCard').map((o) => o.key), ['fp-1']);
  });

  test('a guest refund of an order never seen is UNKNOWN_ORDER', () => {
    const h = new MemberHarness();
    h.order(refunded(completed({ memberId: null, at: T0 }), 100, T0));
    assert.deepEqual(h.dlq(), ['UNKNOWN_ORDER']);
  });
});

describe('employee orders', () => {
  test('redemptions apply; no EARN, promotions, spend, lot, orderCount or activity', () => {
    const h = new MemberHarness();
    h.driver.setGlobal('campaigns', 'welcome', campaign({ campaignId: 'welcome', type: 'FIRST_ORDER', params: { bonusPoints: 500, extraMultiplierBp: null, categories: null, every: null } }));
    h.order(completed({ cents: 1000, at: T0 })).tick(T0 + 72 * HOUR);
    const employee = completed({ cents: 5000, at: T0 + 73 * HOUR, redemptions: [30], employee: true });
    h.order(employee).tick(T0 + 200 * HOUR);
    assert.deepEqual(h.moves().slice(3), [['REDEEM', employee.orderId, 0, -30, 0, employee.occurredAt]]);
    assert.equal(h.decisions().length, 1);
    const last = h.last();
    assert.deepEqual([last.orderCount, last.lastActivityAt, last.qualifyingSpendCents, last.availablePoints], [1, T0, 1000, 570]);
  });

  test('an employee order with nothing to apply emits no snapshot; its refund is accepted and changes nothing', () => {
    const h = new MemberHarness();
    const employee = completed({ cents: 5000, at: T0, employee: true });
    h.order(employee).order(refunded(employee, 5000, T0 + HOUR));
    assert.deepEqual([h.ledger(), h.snapshots(), h.dlq()], [[], [], []]);
  });
});
