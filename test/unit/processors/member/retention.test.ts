// State stays small: orders and eventIds older than 400 days of event time are forgotten,
// except held lots, which wait for an operator (docs/rules.md, choice 10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completed, DAY, MemberHarness, refunded, sharedCardSignal, T0 } from './helpers.ts';

function fields(h: MemberHarness): string[] {
  return Object.keys(h.driver.state('m-1') ?? {}).sort();
}

test('an order is remembered for 400 days; after that its refund is UNKNOWN_ORDER', () => {
  const h = new MemberHarness();
  const old = completed({ cents: 1000, at: T0, orderId: 'o-old', eventId: 'e-old' });
  h.order(old).order(refunded(old, 100, T0 + 400 * DAY, 'r-1'));
  assert.deepEqual(h.dlq(), []);
  h.order(completed({ cents: 1000, at: T0 + 401 * DAY, orderId: 'o-new', eventId: 'e-new' }));
  assert.deepEqual(fields(h), ['e:e-new', 'e:r-1', 'm', 'o:o-new']);
  h.order(refunded(old, 100, T0 + 402 * DAY, 'r-2'));
  assert.deepEqual(h.dlq(), ['UNKNOWN_ORDER']);
});

test('a refund more than 400 days after its order, with nothing in between, is applied before the order is forgotten', () => {
  const h = new MemberHarness();
  const old = completed({ cents: 1000, at: T0, orderId: 'o-old', eventId: 'e-old' });
  h.order(old).order(refunded(old, 1000, T0 + 401 * DAY, 'r-1'));
  assert.deepEqual([h.dlq(), h.driver.timerFailures().length], [[], 0]);
  assert.deepEqual(h.moves().at(-1), ['REVERSAL', 'o-old', 0, -100, 0, T0 + 401 * DAY]);
  assert.deepEqual(fields(h), ['e:r-1', 'm']);
});

test('a held lot is kept past 400 days so that it can still be released', () => {
  const h = new MemberHarness();
  const held = completed({ cents: 1000, at: T0, orderId: 'o-held', eventId: 'e-held' });
  h.order(held).signal(sharedCardSignal(held, 's-1'));
  h.order(completed({ cents: 1000, at: T0 + 500 * DAY, orderId: 'o-new', eventId: 'e-new' }));
  assert.deepEqual(fields(h), ['e:e-new', 'm', 'o:o-held', 'o:o-new']);
});
