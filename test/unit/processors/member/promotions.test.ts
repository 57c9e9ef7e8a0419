// How the member processor uses campaign evaluation: one decision per evaluated order, BONUS
// entries after EARN joining the lot, counters kept per member, no decision without a campaign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { campaign, completed, HOUR, MemberHarness, T0 } from './helpers.ts';

const noParams = { extraMultiplierBp: null, categories: null, every: null, bonusPoints: null };

test('BONUS entries follow EARN, join the lot and activate with it', () => {
  const h = new MemberHarness();
  h.driver.setGlobal('campaigns', 'welcome', campaign({ campaignId: 'welcome', type: 'FIRST_ORDER', params: { ...noParams, bonusPoints: 500 } }));
  h.driver.setGlobal('campaigns', 'xtra', campaign({ campaignId: 'xtra', type: 'MULTIPLIER', params: { ...noParams, extraMultiplierBp: 10000 } }));
  const order = completed({ cents: 1000, at: T0 });
  h.order(order).tick(T0 + 72 * HOUR);
  assert.deepEqual(h.ledger().map((e) => [e.kind, e.campaignId, e.pendingDelta, e.availableDelta]), [
    ['EARN', null, 100, 0], ['BONUS', 'welcome', 500, 0], ['BONUS', 'xtra', 100, 0], ['ACTIVATE', null, -700, 700],
  ]);
  const [decision] = h.decisions();
  assert.deepEqual([decision?.orderId, decision?.memberId, decision?.evaluations.map((e) => e.outcome)], [order.orderId, 'm-1', ['AWARDED', 'AWARDED']]);
  assert.equal(h.last().lifetimeEarnedPoints, 700);
});

test('NTH_VISIT progress is kept in member state across orders', () => {
  const h = new MemberHarness();
  h.driver.setGlobal('campaigns', 'third', campaign({ campaignId: 'third', type: 'NTH_VISIT', params: { ...noParams, every: 3, bonusPoints: 50 } }));
  for (let i = 0; i < 4; i++) h.order(completed({ cents: 1000, at: T0 + i * HOUR * 2 }));
  assert.deepEqual(h.decisions().map((d) => [d.evaluations[0]?.outcome, d.evaluations[0]?.progress]), [
    ['NOT_ELIGIBLE', 1], ['NOT_ELIGIBLE', 2], ['AWARDED', 3], ['NOT_ELIGIBLE', 4],
  ]);
});

test('no campaign in its window: no decision record', () => {
  const h = new MemberHarness();
  h.driver.setGlobal('campaigns', 'old', campaign({ campaignId: 'old', type: 'FIRST_ORDER', endsAt: T0, params: { ...noParams, bonusPoints: 5 } }));
  h.order(completed({ cents: 1000, at: T0 }));
  assert.deepEqual([h.decisions(), h.ledger().map((e) => e.kind)], [[], ['EARN']]);
});
