// The state view used by `loyalty state get member` and `loyalty fraud release`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeMember } from '../../../../processors/member/inspect.ts';
import { completed, HOUR, MemberHarness, PROGRAM, refunded, sharedCardSignal, T0 } from './helpers.ts';

test('balances as of the given time, every order with its lot place', () => {
  const h = new MemberHarness();
  const a = completed({ cents: 1000, at: T0 });
  const b = completed({ cents: 2000, at: T0 + HOUR });
  h.order(a).order(b).signal(sharedCardSignal(b)).order(refunded(a, 500, T0 + 2 * HOUR)).tick(T0 + 100 * HOUR);
  const view = describeMember('m-1', h.driver.state('m-1') ?? {}, PROGRAM, T0 + 100 * HOUR);
  assert.ok(view !== null);
  assert.deepEqual(view.snapshot && [view.snapshot.pendingPoints, view.snapshot.availablePoints, view.snapshot.heldPoints], [0, 50, 200]);
  assert.deepEqual(view.orders.map((o) => [o.orderId, o.lot, o.lotPoints, o.refundedCents]), [
    [a.orderId, 'available', 50, 500], [b.orderId, 'held', 200, 0],
  ]);
  assert.equal(view.rememberedIds, 4);
});

test('no state: null; a guest key: orders but no snapshot', () => {
  assert.equal(describeMember('m-x', {}, PROGRAM, T0), null);
  const h = new MemberHarness();
  const guest = completed({ memberId: null, at: T0 });
  h.order(guest);
  assert.equal(describeMember(guest.orderId, h.driver.state(guest.orderId) ?? {}, PROGRAM, T0)?.snapshot, null);
});
