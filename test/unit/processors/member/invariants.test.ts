// Invariants over a seeded random stream of orders, refunds, redemptions, holds and releases:
// every balance is the sum of its ledger deltas, lifetime points are EARN + BONUS, ids are
// unique, only EARN may be empty, and once every timer is due nothing is left pending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderEvent } from '../../../../avro/records.ts';
import { completed, DAY, HOUR, MemberHarness, refunded, releaseCommand, sharedCardSignal, T0 } from './helpers.ts';

/** mulberry32: a tiny seeded PRNG, so the stream is the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('ledger, balances and snapshots agree over a random stream', () => {
  const random = prng(101);
  const pick = (n: number): number => Math.floor(random() * n);
  const members = ['m-1', 'm-2', 'm-3', 'm-4'];
  const h = new MemberHarness();
  const completedOrders: OrderEvent[] = [];
  let t = T0;
  for (let i = 0; i < 600; i++) {
    t += pick(6 * HOUR);
    const roll = random();
    const memberId = members[pick(members.length)] ?? 'm-1';
    const earlier = completedOrders.filter((o) => o.memberId === memberId);
    const previous = earlier[pick(earlier.length)];
    if (roll < 0.6 || previous === undefined) {
      const order = completed({
        memberId, at: t, cents: 100 + pick(8000), discountCents: pick(3) === 0 ? pick(100) : 0,
        redemptions: pick(5) === 0 ? [pick(800)] : [], employee: pick(20) === 0, card: pick(4) === 0 ? 'fp-x' : null,
      });
      completedOrders.push(order);
      h.order(order);
    } else if (roll < 0.8) {
      h.order(refunded(previous, 1 + pick(previous.totalCents), t));
    } else if (roll < 0.9) {
      h.signal({ ...sharedCardSignal(previous, `sig-${i}`), occurredAt: t });
    } else {
      h.command(releaseCommand(memberId, previous.orderId, t, `cmd-${i}`));
    }
  }
  h.tick(t + 400 * DAY);

  const ledger = h.ledger();
  assert.ok(ledger.length > 500);
  assert.equal(new Set(ledger.map((e) => e.entryId)).size, ledger.length, 'entry ids are unique');
  for (const entry of ledger) {
    const empty = entry.pendingDelta === 0 && entry.availableDelta === 0 && entry.heldDelta === 0;
    if (empty) assert.equal(entry.kind, 'EARN', `only EARN may be empty: ${entry.entryId}`);
  }
  for (const memberId of members) {
    const own = ledger.filter((e) => e.memberId === memberId);
    const sum = (f: (e: (typeof own)[number]) => number): number => own.reduce((s, e) => s + f(e), 0);
    const last = h.last(memberId);
    assert.deepEqual(
      [last.pendingPoints, last.availablePoints, last.heldPoints],
      [sum((e) => e.pendingDelta), sum((e) => e.availableDelta), sum((e) => e.heldDelta)],
      `balances of ${memberId} are the sums of their deltas`,
    );
    assert.equal(last.lifetimeEarnedPoints, sum((e) => (e.kind === 'EARN' || e.kind === 'BONUS' ? e.pendingDelta : 0)));
    assert.equal(last.pendingPoints, 0, `${memberId}: every unheld lot activated`);
    assert.ok(last.heldPoints >= 0);
  }
  const reasons = new Set(h.dlq());
  for (const reason of reasons) assert.ok(['REFUND_EXCEEDS_TOTAL', 'NOT_HELD', 'UNKNOWN_ORDER'].includes(reason), reason);
  assert.deepEqual(h.driver.timerFailures(), []);
});
