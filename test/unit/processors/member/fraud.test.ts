// Member fraud rules at and around their thresholds (RULES.md 5, 6.7).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { completed, DAY, MemberHarness, refunded, T0 } from './helpers.ts';

const MINUTE = 60_000;

describe('VELOCITY: more than 5 COMPLETED orders in (t − 60 min, t]', () => {
  const cases: [string, number[], boolean[]][] = [
    ['5 orders in the window: nothing', [0, 10, 20, 30, 40], [false, false, false, false, false]],
    ['the 6th inside the window fires, and every later one while it holds', [0, 10, 20, 30, 40, 50, 55], [false, false, false, false, false, true, true]],
    ['an order exactly 60 min earlier is outside', [0, 10, 20, 30, 40, 60], [false, false, false, false, false, false]],
  ];
  for (const [name, minutes, fires] of cases) {
    test(name, () => {
      const h = new MemberHarness();
      const orders = minutes.map((m) => completed({ cents: 1000, at: T0 + m * MINUTE }));
      for (const order of orders) h.order(order);
      const flagged = new Set(h.signals().filter((s) => s.rule === 'VELOCITY').map((s) => s.orderId));
      assert.deepEqual(orders.map((o) => flagged.has(o.orderId)), fires);
      const held = new Set(h.ledger().filter((e) => e.kind === 'HOLD').map((e) => e.orderId));
      assert.deepEqual(orders.map((o) => held.has(o.orderId)), fires, 'a VELOCITY order is held at once');
    });
  }

  test('employee orders count; an employee order has no lot to hold', () => {
    const h = new MemberHarness();
    for (let i = 0; i < 5; i++) h.order(completed({ cents: 1000, at: T0 + i * MINUTE }));
    h.order(completed({ cents: 1000, at: T0 + 6 * MINUTE, employee: true }));
    const signal = h.signals().at(-1);
    assert.deepEqual([signal?.rule, signal?.action, signal?.score], ['VELOCITY', 'HOLD', 80]);
    assert.equal(h.ledger().filter((e) => e.kind === 'HOLD').length, 0);
  });
});

describe('LARGE_ORDER: totalCents ≥ 50000 on COMPLETED', () => {
  const cases: [number, boolean][] = [[49999, false], [50000, true], [80000, true]];
  for (const [cents, fires] of cases) {
    test(`${cents} cents → ${fires ? 'REVIEW' : 'nothing'}`, () => {
      const h = new MemberHarness();
      const order = completed({ cents, at: T0 });
      h.order(order).order(refunded(order, cents, T0 + 1));
      assert.deepEqual(h.signals().map((s) => [s.rule, s.action, s.score]), fires ? [['LARGE_ORDER', 'REVIEW', 40]] : []);
    });
  }
});

describe('REFUND_ABUSE: at least 3 accepted refunds in (t − 7 days, t]', () => {
  const cases: [string, number[], number][] = [
    ['2 refunds: nothing', [0, 1], 0],
    ['the 3rd and every later one fire', [0, 1, 2, 3], 2],
    ['a refund exactly 7 days earlier is outside', [0, 1, 7], 0],
  ];
  for (const [name, days, signals] of cases) {
    test(name, () => {
      const h = new MemberHarness();
      const order = completed({ cents: 10000, at: T0 });
      h.order(order);
      for (const d of days) h.order(refunded(order, 100, T0 + 1 + d * DAY));
      assert.equal(h.signals().filter((s) => s.rule === 'REFUND_ABUSE').length, signals);
    });
  }

  test('each partial refund counts, across orders, employee ones included', () => {
    const h = new MemberHarness();
    const a = completed({ cents: 1000, at: T0 });
    const b = completed({ cents: 1000, at: T0, employee: true });
    h.order(a).order(b).order(refunded(a, 100, T0 + 1)).order(refunded(a, 100, T0 + 2)).order(refunded(b, 100, T0 + 3));
    const signal = h.signals().find((s) => s.rule === 'REFUND_ABUSE');
    assert.equal(signal?.orderId, b.orderId);
    assert.deepEqual(JSON.parse(signal?.details ?? '{}').orderIds, [a.orderId, b.orderId]);
  });
});
