// Refunds through the member processor: REVERSAL from where the lot is, bonuses on full refund,
// spend removed from the original month (RULES.md 3 REFUNDED, 6.3, 6.8, 6.12).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { campaign, completed, DAY, HOUR, MemberHarness, refunded, sharedCardSignal, T0 } from './helpers.ts';

const welcome = campaign({ campaignId: 'welcome', type: 'FIRST_ORDER', params: { bonusPoints: 500, extraMultiplierBp: null, categories: null, every: null } });

function reversals(h: MemberHarness): [number, number, number][] {
  return h.ledger().filter((e) => e.kind === 'REVERSAL').map((e) => [e.pendingDelta, e.availableDelta, e.heldDelta]);
}

describe('where a reversal comes from', () => {
  const cases: [string, (h: MemberHarness, order: ReturnType<typeof completed>) => void, number, [number, number, number]][] = [
    ['before activation: pending', () => {}, T0 + HOUR, [-40, 0, 0]],
    ['after activation: available', (h) => { h.tick(T0 + 72 * HOUR); }, T0 + 80 * HOUR, [0, -40, 0]],
    ['held lot: held', (h, order) => { h.signal(sharedCardSignal(order)); }, T0 + HOUR, [0, 0, -40]],
    ['after expiry: available, which goes negative', (h) => { h.tick(T0 + 180 * DAY); }, T0 + 181 * DAY, [0, -40, 0]],
  ];
  for (const [name, setUp, refundAt, expected] of cases) {
    test(name, () => {
      const h = new MemberHarness();
      const order = completed({ cents: 1000, at: T0, card: 'fp-1' });
      h.order(order);
      setUp(h, order);
      h.order(refunded(order, 400, refundAt));
      assert.deepEqual(reversals(h), [expected]);
    });
  }

  test('after expiry the balance shows the reversal below zero', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).tick(T0 + 180 * DAY).order(refunded(order, 1000, T0 + 181 * DAY));
    assert.equal(h.last().availablePoints, -100);
  });
});

describe('amounts', () => {
  test('partial refunds round up, the full refund adds the bonuses', () => {
    const h = new MemberHarness();
    h.driver.setGlobal('campaigns', 'welcome', welcome);
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).order(refunded(order, 333, T0 + 1)).order(refunded(order, 333, T0 + 2)).order(refunded(order, 334, T0 + 3));
    assert.deepEqual(reversals(h).map(([pending]) => pending), [-34, -33, -33 - 500]);
    assert.deepEqual([h.last().pendingPoints, h.last().lifetimeEarnedPoints, h.last().orderCount], [0, 600, 1]);
  });

  test('spend leaves the original month, rounded down, even after the month changed', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, discountCents: 100, at: Date.UTC(2026, 0, 31, 23) });
    h.order(completed({ cents: 5000, at: Date.UTC(2026, 1, 2) }));
    h.order(order).order(refunded(order, 333, Date.UTC(2026, 1, 3)));
    // E = 900, T = 900: floor(900 × 333 / 900) = 333.
    const state = JSON.parse(h.driver.state('m-1')?.m ?? '{}') as { buckets: Record<string, number> };
    assert.deepEqual(state.buckets, { '2026-01': 567, '2026-02': 5000 });
    assert.equal(h.last().qualifyingSpendCents, 5567);
  });

  test('a refund that reverses nothing and removes no counted spend emits no snapshot', () => {
    const h = new MemberHarness();
    const order = completed({ lines: [{ category: 'GIFT_CARD', cents: 1000 }], at: T0 });
    h.order(order).order(refunded(order, 500, T0 + HOUR));
    assert.deepEqual([reversals(h), h.snapshots().length, h.dlq()], [[], 1, []]);
  });
});
