// HOLD (SHARED_CARD signals coming back, VELOCITY at once) and RELEASE commands (RULES.md 5, 6.8).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { campaign, completed, DAY, HOUR, MemberHarness, refunded, releaseCommand, sharedCardSignal, T0 } from './helpers.ts';

function holds(h: MemberHarness): [number, number, number][] {
  return h.ledger().filter((e) => e.kind === 'HOLD').map((e) => [e.pendingDelta, e.availableDelta, e.heldDelta]);
}

describe('HOLD on a lot in each state', () => {
  const cases: [string, (h: MemberHarness, order: ReturnType<typeof completed>) => void, [number, number, number][]][] = [
    ['pending: from pending', () => {}, [[-100, 0, 100]]],
    ['activated: from available', (h) => { h.tick(T0 + 72 * HOUR); }, [[0, -100, 100]]],
    ['partly reversed: the remaining points', (h, o) => { h.order(refunded(o, 400, T0 + HOUR)); }, [[-60, 0, 60]]],
    ['fully reversed: untouched', (h, o) => { h.order(refunded(o, 1000, T0 + HOUR)); }, []],
    ['expired: untouched', (h) => { h.tick(T0 + 180 * DAY); }, []],
    ['already held: untouched', (h, o) => { h.signal(sharedCardSignal(o, 'first-signal')); }, [[-100, 0, 100]]],
  ];
  for (const [name, setUp, expected] of cases) {
    test(name, () => {
      const h = new MemberHarness();
      const order = completed({ cents: 1000, at: T0, card: 'fp-1' });
      h.order(order);
      setUp(h, order);
      h.signal(sharedCardSignal(order));
      assert.deepEqual(holds(h), expected);
    });
  }

  test('an activated lot after a redemption: available goes negative', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).order(completed({ cents: 0, lines: [], at: T0 + 80 * HOUR, redemptions: [100] }));
    h.signal(sharedCardSignal(order));
    assert.deepEqual(h.balances(), { pending: 0, available: -100, held: 100 });
  });

  test('bonuses join the lot; a held lot never activates', () => {
    const h = new MemberHarness();
    h.driver.setGlobal('campaigns', 'welcome', campaign({ campaignId: 'welcome', type: 'FIRST_ORDER', params: { bonusPoints: 500, extraMultiplierBp: null, categories: null, every: null } }));
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).signal(sharedCardSignal(order)).tick(T0 + 100 * DAY);
    assert.deepEqual(holds(h), [[-600, 0, 600]]);
    assert.equal(h.ledger().filter((e) => e.kind === 'ACTIVATE').length, 0);
    assert.deepEqual(h.balances(), { pending: 0, available: 0, held: 600 });
  });

  test('the HOLD entry and snapshot carry the signal time', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).signal({ ...sharedCardSignal(order), occurredAt: T0 + 5 });
    assert.deepEqual([h.ledger().at(-1)?.occurredAt, h.last().updatedAt], [T0 + 5, T0 + 5]);
  });

  test("the member processor's own signals coming back are ignored", () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).signal({ ...sharedCardSignal(order), rule: 'VELOCITY' });
    assert.deepEqual(holds(h), []);
  });
});

describe('RELEASE', () => {
  test('moves a held lot to available at the command time', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).signal(sharedCardSignal(order)).command(releaseCommand('m-1', order.orderId, T0 + 10 * DAY));
    assert.deepEqual(h.moves().at(-1), ['RELEASE', order.orderId, 0, 100, -100, T0 + 10 * DAY]);
    assert.deepEqual(h.balances(), { pending: 0, available: 100, held: 0 });
    assert.equal(h.last().updatedAt, T0 + 10 * DAY);
  });

  test('a repeated command or signal has no effect after a release', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    const command = releaseCommand('m-1', order.orderId, T0 + DAY);
    h.order(order).signal(sharedCardSignal(order)).command(command).command(command).signal(sharedCardSignal(order));
    assert.deepEqual([h.ledger().map((e) => e.kind), h.duplicates, h.dlq()], [['EARN', 'HOLD', 'RELEASE'], 2, []]);
  });

  test('refused: a lot that is not held, an unknown order, a malformed command', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).command(releaseCommand('m-1', order.orderId, T0 + DAY));
    h.command(releaseCommand('m-1', 'ord-none', T0 + DAY));
    h.command({ ...releaseCommand('m-1', order.orderId, T0 + DAY, 'c-3'), issuedAt: 'yesterday' });
    assert.deepEqual(h.dlq(), ['NOT_HELD', 'UNKNOWN_ORDER', 'SCHEMA_VIOLATION']);
  });

  test('commands do not advance stream time', () => {
    const h = new MemberHarness();
    const order = completed({ cents: 1000, at: T0 });
    h.order(order).signal(sharedCardSignal(order)).command(releaseCommand('m-1', order.orderId, T0 + 400 * DAY));
    assert.equal(h.driver.streamTime(), T0);
  });
});
