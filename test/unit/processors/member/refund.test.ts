// Refund arithmetic: base reversal ceil(P × C / T), bonuses on a full refund, bucket floor(E × R / T).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRefund } from '../../../../processors/member/refund.ts';
import type { OrderRecord } from '../../../../processors/member/state.ts';

function order(fields: Partial<OrderRecord> = {}): OrderRecord {
  return {
    occurredAt: 0, totalCents: 1000, eligibleCents: 900, basePoints: 90, bonusPoints: 50, employee: false, guest: false,
    lot: 'pending', lotPoints: 140, refundedCents: 0, reversedBasePoints: 0, bonusReversed: false, refundTimes: [], ...fields,
  };
}

test('partial refunds round the reversal target up and the spend decrease down', () => {
  const first = planRefund(order(), 333);
  assert.deepEqual(first, { refundedCents: 333, reversedBasePoints: 30, reversal: 30, reversesBonus: false, bucketDecrease: 299 });
  // C = 334 + 333 → target ceil(90 × 667 / 1000) = 61, minus the 30 already reversed.
  const second = planRefund(order({ refundedCents: 334, reversedBasePoints: 31 }), 333);
  assert.deepEqual(second, { refundedCents: 667, reversedBasePoints: 61, reversal: 30, reversesBonus: false, bucketDecrease: 299 });
});

test('the refund that completes the total reverses the rest of the base and the bonuses', () => {
  const plan = planRefund(order({ refundedCents: 667, reversedBasePoints: 61 }), 333);
  assert.deepEqual(plan, { refundedCents: 1000, reversedBasePoints: 90, reversal: 29 + 50, reversesBonus: true, bucketDecrease: 299 });
});

test('a full refund at once reverses the whole lot', () => {
  assert.equal(planRefund(order(), 1000)?.reversal, 140);
});

test('a cumulative refund above the total is refused', () => {
  assert.equal(planRefund(order({ refundedCents: 900 }), 101), null);
  assert.equal(planRefund(order({ totalCents: 0, basePoints: 0 }), 1), null);
});

test('a one-cent refund of a 1-point order reverses the point (ceil)', () => {
  assert.equal(planRefund(order({ basePoints: 1, bonusPoints: 0 }), 1)?.reversal, 1);
});
