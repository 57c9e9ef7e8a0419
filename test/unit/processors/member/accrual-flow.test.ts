// Accrual through the member processor on the TestDriver: EARN, activation on stream time,
// tiers across months, redemptions and overdraft, expiry, late events (RULES.md 3, 6.13, 6.15).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { completed, DAY, HOUR, MemberHarness, T0 } from './helpers.ts';

describe('earning and activation', () => {
  test('EARN goes to pending and activates exactly pendingHours later, on stream time', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).tick(T0 + 72 * HOUR - 1);
    assert.deepEqual(h.moves(), [['EARN', order.orderId, 100, 0, 0, T0]]);
    h.tick(T0 + 72 * HOUR);
    assert.deepEqual(h.moves().at(-1), ['ACTIVATE', order.orderId, -100, 100, 0, T0 + 72 * HOUR]);
    assert.deepEqual(h.last(), {
      memberId: 'm-1', tier: 'BRONZE', pendingPoints: 0, availablePoints: 100, heldPoints: 0, lifetimeEarnedPoints: 100,
      qualifyingSpendCents: 1000, orderCount: 1, lastActivityAt: T0, updatedAt: T0 + 72 * HOUR,
    });
  });

  test('an event at exactly a due time sees the timer fire first', () => {
    const h = new MemberHarness();
    const first = completed({ cents: 1000, at: T0 });
    const second = completed({ cents: 500, at: T0 + 72 * HOUR });
    h.order(first).order(second);
    assert.deepEqual(h.moves().map(([kind, orderId]) => [kind, orderId]), [
      ['EARN', first.orderId], ['ACTIVATE', first.orderId], ['EARN', second.orderId],
    ]);
  });

  test('EARN of 0 points is still written; an empty lot never writes ACTIVATE', () => {
    const h = new MemberHarness();
    const order = completed({ lines: [{ category: 'GIFT_CARD', cents: 2500 }], at: T0 });
    h.order(order).tick(T0 + 100 * HOUR);
    assert.deepEqual(h.moves(), [['EARN', order.orderId, 0, 0, 0, T0]]);
  });
});

describe('tiers', () => {
  test('the order that crosses a threshold earns at the old tier; its snapshot shows the new one', () => {
    const h = new MemberHarness();
    h.order(completed({ cents: 30000, at: T0 })).order(completed({ cents: 1000, at: T0 + HOUR }));
    assert.deepEqual(h.ledger().map((e) => e.pendingDelta), [3000, 125]);
    assert.deepEqual(h.snapshots().map((s) => [s.tier, s.qualifyingSpendCents]), [['SILVER', 30000], ['SILVER', 31000]]);
  });

  test('spend leaves the window after 12 UTC calendar months', () => {
    const h = new MemberHarness();
    h.order(completed({ cents: 30000, at: Date.UTC(2026, 0, 1) }));
    h.order(completed({ cents: 1000, at: Date.UTC(2027, 0, 1) - 1 }));
    h.order(completed({ cents: 1000, at: Date.UTC(2027, 0, 1) }));
    assert.deepEqual(h.ledger().filter((e) => e.kind === 'EARN').map((e) => e.pendingDelta), [3000, 125, 100]);
    assert.deepEqual([h.last().tier, h.last().qualifyingSpendCents], ['BRONZE', 2000]);
  });

  test('a GOLD member earns 1.5x', () => {
    const h = new MemberHarness();
    h.order(completed({ cents: 100000, at: T0 })).order(completed({ cents: 1099, at: T0 + DAY }));
    assert.deepEqual(h.ledger().filter((e) => e.kind === 'EARN').map((e) => e.pendingDelta), [10000, 164]);
  });
});

describe('redemptions', () => {
  test('applied in order before EARN; one overdraft signal per redemption above available; 0 points writes nothing', () => {
    const h = new MemberHarness();
    const first = completed({ cents: 1000, at: T0 });
    const second = completed({ cents: 1000, at: T0 + 80 * HOUR, redemptions: [60, 0, 50] });
    h.order(first).order(second);
    assert.deepEqual(h.moves().slice(2), [
      ['REDEEM', second.orderId, 0, -60, 0, second.occurredAt],
      ['REDEEM', second.orderId, 0, -50, 0, second.occurredAt],
      ['EARN', second.orderId, 100, 0, 0, second.occurredAt],
    ]);
    assert.deepEqual(h.rules(), ['REDEMPTION_OVERDRAFT']);
    const signal = h.signals()[0];
    assert.deepEqual([signal?.action, signal?.score, signal?.orderId], ['REVIEW', 60, second.orderId]);
    assert.deepEqual(JSON.parse(signal?.details ?? '{}'), {
      rule: 'REDEMPTION_OVERDRAFT', rewardId: 'rw-2', points: 50, availableBefore: 40, availableAfter: -10,
    });
    assert.equal(h.last().availablePoints, -10);
  });

  test('a redemption of exactly the available balance is no overdraft', () => {
    const h = new MemberHarness();
    h.order(completed({ cents: 1000, at: T0 })).order(completed({ cents: 1000, at: T0 + 80 * HOUR, redemptions: [100] }));
    assert.deepEqual(h.rules(), []);
  });
});

describe('expiry', () => {
  test('available expires exactly inactivityExpiryDays after the last activity; pending and held stay', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).tick(T0 + 180 * DAY - 1);
    assert.equal(h.ledger().filter((e) => e.kind === 'EXPIRE').length, 0);
    h.tick(T0 + 180 * DAY);
    assert.deepEqual(h.moves().at(-1), ['EXPIRE', null, 0, -100, 0, T0 + 180 * DAY]);
    assert.equal(h.last().availablePoints, 0);
  });

  test('new activity moves the expiry; a refund does not', () => {
    const h = new MemberHarness();
    const first = completed({ cents: 1000, at: T0 });
    h.order(first).order(completed({ cents: 1000, at: T0 + 100 * DAY }));
    h.order({ ...first, eventId: 'refund-1', type: 'REFUNDED', occurredAt: T0 + 150 * DAY, lines: [], refundCents: 100 });
    h.tick(T0 + 280 * DAY - 1);
    assert.equal(h.ledger().filter((e) => e.kind === 'EXPIRE').length, 0);
    h.tick(T0 + 280 * DAY);
    assert.deepEqual(h.moves().at(-1), ['EXPIRE', null, 0, -190, 0, T0 + 280 * DAY]);
  });

  test('nothing expires when available is not positive', () => {
    const h = new MemberHarness();
    h.order(completed({ cents: 1000, at: T0 })).order(completed({ cents: 0, lines: [], at: T0 + 4 * DAY, redemptions: [150] }));
    h.tick(T0 + 400 * DAY);
    assert.equal(h.ledger().filter((e) => e.kind === 'EXPIRE').length, 0);
  });
});

describe('late events', () => {
  test('a late order sees the timers stream time already fired, and its own overdue activation fires at once', () => {
    const h = new MemberHarness();
    const early = completed({ cents: 1000, at: T0 });
    h.order(early).order(completed({ memberId: 'm-2', cents: 1000, at: T0 + 100 * HOUR }));
    const late = completed({ cents: 500, at: T0 + 10 * HOUR });
    h.order(late);
    const m1 = h.ledger().filter((e) => e.memberId === 'm-1').map((e) => [e.kind, e.orderId, e.occurredAt]);
    assert.deepEqual(m1, [
      ['EARN', early.orderId, T0], ['ACTIVATE', early.orderId, T0 + 72 * HOUR],
      ['EARN', late.orderId, T0 + 10 * HOUR], ['ACTIVATE', late.orderId, T0 + 82 * HOUR],
    ]);
    assert.equal(h.last().lastActivityAt, T0 + 10 * HOUR);
  });


  test('a late order sets lastActivityAt to its own time and moves the expiry with it (RULES.md 3, literally)', () => {
    const h = new MemberHarness();
    h.order(completed({ cents: 1000, at: T0 + 10 * DAY })).order(completed({ cents: 1000, at: T0 }));
    assert.equal(h.last().lastActivityAt, T0);
    assert.deepEqual(h.driver.timers().filter((t) => t.name === '2:exp').map((t) => t.dueAt), [T0 + 180 * DAY]);
  });

  test('a late order whose expiry is already past expires available points at once', () => {
    const h = new MemberHarness();
    h.order(completed({ cents: 1000, at: T0 + 100 * DAY })).order(completed({ memberId: 'm-2', cents: 1000, at: T0 + 200 * DAY }));
    assert.equal(h.moves().filter(([kind]) => kind === 'EXPIRE').length, 0);
    h.order(completed({ cents: 0, lines: [], at: T0 + 10 * DAY }));
    assert.deepEqual(h.moves().filter(([kind]) => kind === 'EXPIRE'), [['EXPIRE', null, 0, -100, 0, T0 + 190 * DAY]]);
  });
});
