// SHARED_CARD (RULES.md 5, 6.11): on every use while ≥ 3 distinct members used the card in (t − 24 h, t].
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FraudSignal, OrderEvent } from '../../../../avro/records.ts';
import { TestDriver } from '../../../../engine/test-driver.ts';
import { createCardFraudProcessor } from '../../../../processors/card-fraud/processor.ts';
import { completed, HOUR, PROGRAM, T0 } from '../member/helpers.ts';

function run(uses: { member: string | null; hours: number }[]): { orders: OrderEvent[]; driver: TestDriver } {
  const driver = new TestDriver(createCardFraudProcessor({ program: PROGRAM }));
  const orders = uses.map((u) => completed({ memberId: u.member, card: 'fp-1', at: T0 + u.hours * HOUR }));
  for (const order of orders) driver.pipe('orders.by-card.v1', 'fp-1', order);
  return { orders, driver };
}

function flagged(driver: TestDriver, orders: OrderEvent[]): boolean[] {
  const ids = new Set(driver.outputs('signals').map((o) => (o.value as FraudSignal).orderId));
  return orders.map((o) => ids.has(o.orderId));
}

describe('SHARED_CARD', () => {
  const cases: [string, { member: string | null; hours: number }[], boolean[]][] = [
    ['2 members: nothing', [{ member: 'a', hours: 0 }, { member: 'b', hours: 1 }, { member: 'a', hours: 2 }], [false, false, false]],
    ['the 3rd member fires, and every later use', [{ member: 'a', hours: 0 }, { member: 'b', hours: 1 }, { member: 'c', hours: 2 }, { member: 'a', hours: 3 }], [false, false, true, true]],
    ['a use exactly 24 h earlier is outside', [{ member: 'a', hours: 0 }, { member: 'b', hours: 1 }, { member: 'c', hours: 24 }], [false, false, false]],
    ['guests add no member but their uses fire while it holds', [{ member: 'a', hours: 0 }, { member: null, hours: 1 }, { member: 'b', hours: 2 }, { member: 'c', hours: 3 }, { member: null, hours: 4 }], [false, false, false, true, true]],
  ];
  for (const [name, uses, expected] of cases) {
    test(name, () => {
      const { orders, driver } = run(uses);
      assert.deepEqual(flagged(driver, orders), expected);
    });
  }

  test('the signal is a HOLD of score 90 keyed by memberId, or orderId for a guest, with the members in details', () => {
    const { orders, driver } = run([{ member: 'a', hours: 0 }, { member: 'b', hours: 1 }, { member: 'c', hours: 2 }, { member: null, hours: 3 }]);
    const outputs = driver.outputs('signals');
    assert.deepEqual(outputs.map((o) => o.key), ['c', orders[3]?.orderId]);
    const signal = outputs[0]?.value as FraudSignal;
    assert.deepEqual([signal.rule, signal.action, signal.score, signal.cardFingerprint], ['SHARED_CARD', 'HOLD', 90, 'fp-1']);
    assert.deepEqual(JSON.parse(signal.details).members, ['a', 'b', 'c']);
  });

  test('a late use completes the window of a later use that arrived first: that use fires once, when it can', () => {
    const driver = new TestDriver(createCardFraudProcessor({ program: PROGRAM }));
    const a = completed({ memberId: 'a', card: 'fp-1', at: T0 });
    const b = completed({ memberId: 'b', card: 'fp-1', at: T0 + 1 * HOUR });
    const c = completed({ memberId: 'c', card: 'fp-1', at: T0 + 2 * HOUR });
    const d = completed({ memberId: 'a', card: 'fp-1', at: T0 + 3 * HOUR });
    // c and d arrive before b (they came through another partition of orders.by-card.v1).
    for (const order of [a, c, d, b]) driver.pipe('orders.by-card.v1', 'fp-1', order);
    const signals = driver.outputs('signals').map((o) => o.value as FraudSignal);
    assert.deepEqual(signals.map((s) => s.orderId), [c.orderId, d.orderId]);
    assert.deepEqual(signals.map((s) => s.signalId), [`${c.eventId}/SHARED_CARD`, `${d.eventId}/SHARED_CARD`]);
    assert.deepEqual(signals.map((s) => s.storeId), [c.storeId, d.storeId]);
    assert.deepEqual(JSON.parse(signals[0]?.details ?? '{}').members, ['a', 'b', 'c']);
  });

  test('every arrival order of the same uses flags the same uses', () => {
    const uses = [
      completed({ memberId: 'a', card: 'fp-1', at: T0 }),
      completed({ memberId: 'b', card: 'fp-1', at: T0 + 1 * HOUR }),
      completed({ memberId: null, card: 'fp-1', at: T0 + 2 * HOUR }),
      completed({ memberId: 'c', card: 'fp-1', at: T0 + 3 * HOUR }),
      completed({ memberId: 'a', card: 'fp-1', at: T0 + 20 * HOUR }),
      completed({ memberId: 'd', card: 'fp-1', at: T0 + 25 * HOUR }),
      completed({ memberId: 'e', card: 'fp-1', at: T0 + 45 * HOUR }),
    ];
    const permutations = (list: OrderEvent[]): OrderEvent[][] => list.length <= 1 ? [list]
      : list.flatMap((first, i) => permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((rest) => [first, ...rest]));
    const flaggedIds = (order: OrderEvent[]): string[] => {
      const driver = new TestDriver(createCardFraudProcessor({ program: PROGRAM }));
      for (const use of order) driver.pipe('orders.by-card.v1', 'fp-1', use);
      return driver.outputs('signals').map((o) => (o.value as FraudSignal).orderId ?? '').sort();
    };
    const inOrder = flaggedIds(uses);
    // c completes a, b, c; a at 20 h still sees a, b, c; d at 25 h sees c, a, d; e at 45 h sees d, e only
    assert.deepEqual(inOrder, [uses[3]?.orderId, uses[4]?.orderId, uses[5]?.orderId].sort());
    for (const order of permutations(uses)) assert.deepEqual(flaggedIds(order), inOrder);
  });

  test('a use that arrives months late (a backlog on another partition) still completes its window', () => {
    const driver = new TestDriver(createCardFraudProcessor({ program: PROGRAM }));
    const early = [completed({ memberId: 'a', card: 'fp-1', at: T0 }), completed({ memberId: 'b', card: 'fp-1', at: T0 + HOUR })];
    const months = Array.from({ length: 60 }, (_, i) => completed({ memberId: 'z', card: 'fp-1', at: T0 + (90 + i) * 24 * HOUR }));
    const late = completed({ memberId: 'c', card: 'fp-1', at: T0 + 2 * HOUR });
    for (const order of [...early, ...months, late]) driver.pipe('orders.by-card.v1', 'fp-1', order);
    assert.deepEqual(driver.outputs('signals').map((o) => (o.value as FraudSignal).orderId), [late.orderId]);
  });

  test('a redelivered use is not counted twice', () => {
    const driver = new TestDriver(createCardFraudProcessor({ program: PROGRAM }));
    const a = completed({ memberId: 'a', card: 'fp-1', at: T0 });
    for (const order of [a, a, completed({ memberId: 'b', card: 'fp-1', at: T0 + 1 }), a]) driver.pipe('orders.by-card.v1', 'fp-1', order);
    assert.equal(driver.outputs('signals').length, 0);
  });

  test('a record that is not a COMPLETED order keyed by its card goes to the DLQ', () => {
    const driver = new TestDriver(createCardFraudProcessor({ program: PROGRAM }));
    driver.pipe('orders.by-card.v1', 'fp-2', completed({ card: 'fp-1', at: T0 }));
    driver.pipe('orders.by-card.v1', 'fp-1', { nonsense: true });
    assert.deepEqual(driver.deadLetters().map((d) => d.reason), ['SCHEMA_VIOLATION', 'SCHEMA_VIOLATION']);
  });
});
