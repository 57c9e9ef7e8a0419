// The campaign types' own checks, then LIMIT_REACHED, then STACKING, and the member counters.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Campaign } from '../../../../avro/records.ts';
import { emptyCounters, type PromotionCounters } from '../../../../processors/promotions/evaluate.ts';
import { campaign, evaluate, line, only, order } from './builders.ts';

const multiplier = (extraMultiplierBp: number, categories: string[] | null, id = 'mult') =>
  campaign({ campaignId: id, type: 'MULTIPLIER', params: { extraMultiplierBp, categories } });
const nth = (every: number, extra: Parameters<typeof campaign>[0] = {}) =>
  campaign({ campaignId: 'nth', type: 'NTH_VISIT', params: { every, bonusPoints: 200 }, ...extra });

describe('MULTIPLIER', () => {
  const lines = [line('BREAKFAST', 449), line('COFFEE', 750), line('GIFT_CARD', 2500), line('SIDE', 399)];
  const cases: [string, number, string[] | null, number][] = [
    // name, extraMultiplierBp, categories, bonus
    ['matching category only: floor(449 × 10 × 10000 / 1e6)', 10000, ['BREAKFAST'], 44],
    ['two categories', 10000, ['BREAKFAST', 'COFFEE'], 119],
    ['null categories = every non-excluded line', 10000, null, 159],
    ['an excluded category is never boosted, even when listed', 10000, ['GIFT_CARD'], 0],
    ['fractional multiplier floors: 1598 × 10 × 2500 / 1e6 = 39.95', 2500, null, 39],
    ['no matching line', 10000, ['DESSERT'], 0],
  ];
  for (const [name, bp, categories, bonus] of cases) {
    test(`${name} → ${bonus}`, () => {
      const e = only(evaluate([multiplier(bp, categories)], { order: order({ lines }) }));
      assert.equal(e.bonusPoints, bonus);
      assert.deepEqual([e.outcome, e.reason], bonus === 0 ? ['NOT_ELIGIBLE', 'NO_MATCHING_ITEMS'] : ['AWARDED', null]);
      assert.equal(e.progress, null);
    });
  }

  test('uses line totals before the discount and no tier multiplier', () => {
    const o = order({ lines: [line('COFFEE', 1000)], discountCents: 900 });
    const e = only(evaluate([multiplier(10000, null)], { order: o, tier: 'GOLD' }));
    assert.equal(e.bonusPoints, 100);
  });

  test('a bonus that floors to 0 is NO_MATCHING_ITEMS', () => {
    const o = order({ lines: [line('COFFEE', 9)] });
    assert.equal(only(evaluate([multiplier(10000, null)], { order: o })).reason, 'NO_MATCHING_ITEMS');
  });

  test('products beyond 2^53 stay exact', () => {
    // 2^50 cents × 10 × 10000 overflows a double's integer range; the bonus is 2^50 / 10 exactly floored.
    const big = 2 ** 50;
    const o = order({ lines: [line('COFFEE', big)] });
    assert.equal(only(evaluate([multiplier(10000, null)], { order: o })).bonusPoints, Number(BigInt(big) / 10n));
  });
});

describe('SPEND_THRESHOLD', () => {
  test('awards bonusPoints once E reaches minEligibleCents', () => {
    const c = campaign({ type: 'SPEND_THRESHOLD', minEligibleCents: 2500, params: { bonusPoints: 150 } });
    assert.deepEqual(only(evaluate([c], { eligibleCents: 2500 })), {
      campaignId: 'c-1', campaignVersion: 1, outcome: 'AWARDED', reason: null, bonusPoints: 150, progress: null,
    });
    assert.equal(only(evaluate([c], { eligibleCents: 2499 })).reason, 'MIN_SPEND');
  });
});

describe('FIRST_ORDER', () => {
  const welcome = campaign({ campaignId: 'welcome', type: 'FIRST_ORDER', params: { bonusPoints: 500 } });
  test('orderCountBefore = 0 awards', () => {
    const result = evaluate([welcome], { orderCountBefore: 0 });
    assert.equal(only(result).bonusPoints, 500);
    assert.deepEqual(result.bonuses, [{ campaignId: 'welcome', points: 500 }]);
  });
  test('any earlier order is NOT_FIRST_ORDER', () => {
    assert.equal(only(evaluate([welcome], { orderCountBefore: 1 })).reason, 'NOT_FIRST_ORDER');
  });
  test('the type check comes before LIMIT_REACHED', () => {
    const limited = { ...welcome, maxAwardsPerMember: 1 };
    assert.equal(only(evaluate([limited], { orderCountBefore: 1, counters: { welcome: [0, 1] } })).reason, 'NOT_FIRST_ORDER');
  });
});

/** Runs successive orders of one member through `campaigns`, threading the counters. */
function visits(campaigns: Parameters<typeof evaluate>[0], n: number, eligibleCents = 1000) {
  let counters: PromotionCounters = emptyCounters();
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const result = evaluate(campaigns, { counters, eligibleCents });
    counters = result.counters;
    out.push(result);
  }
  return { results: out, counters };
}

describe('NTH_VISIT', () => {
  test('every Nth counted visit awards, the others are PROGRESS with the running count', () => {
    const { results, counters } = visits([nth(3)], 7);
    assert.deepEqual(results.map((r) => [only(r).outcome, only(r).reason, only(r).bonusPoints, only(r).progress]), [
      ['NOT_ELIGIBLE', 'PROGRESS', 0, 1],
      ['NOT_ELIGIBLE', 'PROGRESS', 0, 2],
      ['AWARDED', null, 200, 3],
      ['NOT_ELIGIBLE', 'PROGRESS', 0, 4],
      ['NOT_ELIGIBLE', 'PROGRESS', 0, 5],
      ['AWARDED', null, 200, 6],
      ['NOT_ELIGIBLE', 'PROGRESS', 0, 7],
    ]);
    assert.deepEqual(counters, { nth: [7, 2] });
  });

  test('counters belong to the campaignId: a new version keeps visits and awards', () => {
    const v2 = nth(5, { version: 2, maxAwardsPerMember: 2 });
    const result = evaluate([v2], { counters: { nth: [4, 2] } });
    assert.deepEqual([only(result).campaignVersion, only(result).reason, only(result).progress], [2, 'LIMIT_REACHED', 5]);
  });

  test('a visit failing an earlier check does not count and shows the unchanged count', () => {
    const c = nth(2, { minEligibleCents: 500 });
    const first = evaluate([c], { eligibleCents: 500 });
    const below = evaluate([c], { eligibleCents: 499, counters: first.counters });
    assert.deepEqual([only(below).reason, only(below).progress], ['MIN_SPEND', 1]);
    assert.deepEqual(below.counters, { nth: [1, 0] });
    const second = evaluate([c], { eligibleCents: 500, counters: below.counters });
    assert.deepEqual([only(second).outcome, only(second).progress], ['AWARDED', 2]);
  });

  test('a control-group visit does not count (RULES 6.9)', () => {
    // fnv1a32("nth:m-1") % 10000 < 10000: everyone is control at 10000 bp.
    const c = nth(1, { controlGroupBp: 10000 });
    const result = evaluate([c], { counters: { nth: [4, 0] } });
    assert.deepEqual([only(result).outcome, only(result).progress], ['CONTROL', 4]);
    assert.deepEqual(result.counters, { nth: [4, 0] });
  });

  test('the Nth visit counts even when it loses to LIMIT_REACHED', () => {
    const c = nth(2, { maxAwardsPerMember: 1 });
    const { results, counters } = visits([c], 4);
    assert.deepEqual(results.map((r) => [only(r).reason, only(r).progress]), [
      ['PROGRESS', 1], [null, 2], ['PROGRESS', 3], ['LIMIT_REACHED', 4],
    ]);
    assert.equal(only(results[3]!).bonusPoints, 0);
    assert.deepEqual(counters, { nth: [4, 1] });
  });

  test('the Nth visit counts even when it loses to STACKING, and no award is counted', () => {
    const c = nth(1, { exclusiveGroup: 'g' });
    const bigger = campaign({ campaignId: 'a-big', exclusiveGroup: 'g', params: { bonusPoints: 1000 } });
    const result = evaluate([c, bigger]);
    assert.deepEqual(result.evaluations.map((e) => [e.campaignId, e.reason, e.bonusPoints, e.progress]), [
      ['a-big', null, 1000, null],
      ['nth', 'STACKING', 0, 1],
    ]);
    assert.deepEqual(result.counters, { 'a-big': [0, 1], nth: [1, 0] });
  });
});

describe('LIMIT_REACHED', () => {
  const c = campaign({ maxAwardsPerMember: 2 });
  test('only AWARDED counts toward maxAwardsPerMember', () => {
    const { results, counters } = visits([c], 3);
    assert.deepEqual(results.map((r) => only(r).reason), [null, null, 'LIMIT_REACHED']);
    assert.deepEqual(counters, { 'c-1': [0, 2] });
  });
  test('control-group and below-minimum orders use no award', () => {
    const result = evaluate([c], { counters: { 'c-1': [0, 1] } });
    assert.equal(only(result).outcome, 'AWARDED');
    assert.deepEqual(result.counters, { 'c-1': [0, 2] });
  });
  test('null maxAwardsPerMember has no limit', () => {
    assert.equal(only(evaluate([campaign()], { counters: { 'c-1': [0, 10 ** 6] } })).outcome, 'AWARDED');
  });
});

describe('STACKING', () => {
  const spend = (campaignId: string, bonusPoints: number, extra: Parameters<typeof campaign>[0] = {}) =>
    campaign({ campaignId, exclusiveGroup: 'beverage', params: { bonusPoints }, ...extra });

  test('only the largest bonus of a group is kept; losers show 0 points', () => {
    const result = evaluate([spend('a', 100), spend('b', 300), spend('c', 200)]);
    assert.deepEqual(result.evaluations.map((e) => [e.campaignId, e.outcome, e.reason, e.bonusPoints]), [
      ['a', 'NOT_ELIGIBLE', 'STACKING', 0],
      ['b', 'AWARDED', null, 300],
      ['c', 'NOT_ELIGIBLE', 'STACKING', 0],
    ]);
    assert.deepEqual(result.bonuses, [{ campaignId: 'b', points: 300 }]);
    assert.deepEqual(result.counters, { b: [0, 1] });
  });

  test('a tie goes to the lower campaignId', () => {
    const result = evaluate([spend('drinks', 300), spend('coffee', 300)]);
    assert.deepEqual(result.evaluations.map((e) => [e.campaignId, e.reason]), [['coffee', null], ['drinks', 'STACKING']]);
  });

  test('campaigns that failed earlier, or reached their limit, do not compete', () => {
    const result = evaluate([
      spend('a', 900, { channels: ['KIOSK'] }),
      spend('b', 800, { maxAwardsPerMember: 1 }),
      spend('c', 700, { controlGroupBp: 10000 }),
      spend('d', 100),
    ], { counters: { b: [0, 1] } });
    assert.deepEqual(result.evaluations.map((e) => [e.campaignId, e.outcome, e.reason]), [
      ['a', 'NOT_ELIGIBLE', 'CHANNEL'], ['b', 'NOT_ELIGIBLE', 'LIMIT_REACHED'], ['c', 'CONTROL', 'CONTROL_GROUP'], ['d', 'AWARDED', null],
    ]);
  });

  test('groups are independent and a null group never stacks', () => {
    const result = evaluate([
      spend('a', 100), spend('b', 200, { exclusiveGroup: 'other' }), spend('c', 50, { exclusiveGroup: null }), spend('d', 150),
    ]);
    assert.deepEqual(result.evaluations.map((e) => [e.campaignId, e.reason]), [['a', 'STACKING'], ['b', null], ['c', null], ['d', null]]);
    assert.equal(result.bonuses.reduce((s, b) => s + b.points, 0), 400);
  });

  test('multiplier bonuses compete by their computed size', () => {
    const o = order({ lines: [line('COFFEE', 500), line('BEVERAGE', 300)] });
    const coffee = campaign({ campaignId: 'coffee-boost', type: 'MULTIPLIER', exclusiveGroup: 'beverage', params: { extraMultiplierBp: 20000, categories: ['COFFEE'] } });
    const drinks = campaign({ campaignId: 'drinks-bonus', type: 'MULTIPLIER', exclusiveGroup: 'beverage', params: { extraMultiplierBp: 10000, categories: ['BEVERAGE', 'COFFEE'] } });
    const result = evaluate([drinks, coffee], { order: o });
    // coffee: 500 × 10 × 2 = 100; drinks: 800 × 10 × 1 = 80.
    assert.deepEqual(result.bonuses, [{ campaignId: 'coffee-boost', points: 100 }]);
  });
});

describe('results and counters', () => {
  test('the input counters are not mutated, unrelated campaigns keep theirs, keys are sorted', () => {
    const input: PromotionCounters = { zeta: [3, 1], nth: [1, 0] };
    const frozen = structuredClone(input);
    const result = evaluate([nth(5), campaign({ campaignId: 'alpha' })], { counters: input });
    assert.deepEqual(input, frozen);
    assert.deepEqual(result.counters, { alpha: [0, 1], nth: [2, 0], zeta: [3, 1] });
    assert.deepEqual(Object.keys(result.counters), ['alpha', 'nth', 'zeta']);
  });

  test('the same input gives byte-identical output', () => {
    const campaigns = [nth(2), multiplier(10000, null), campaign({ campaignId: 'welcome', type: 'FIRST_ORDER', params: { bonusPoints: 500 } })];
    const a = JSON.stringify(evaluate(campaigns, { orderCountBefore: 0, counters: { nth: [1, 0] } }));
    const b = JSON.stringify(evaluate([...campaigns].reverse(), { orderCountBefore: 0, counters: { nth: [1, 0] } }));
    assert.equal(a, b);
  });

  test('bonuses are exactly the AWARDED evaluations', () => {
    const result = evaluate([multiplier(10000, null), campaign({ campaignId: 'x', channels: ['KIOSK'] }), campaign({ campaignId: 'y' })]);
    const awarded = result.evaluations.filter((e) => e.outcome === 'AWARDED').map((e) => ({ campaignId: e.campaignId, points: e.bonusPoints }));
    assert.deepEqual(result.bonuses, awarded);
    assert.ok(result.evaluations.every((e) => e.outcome === 'AWARDED' || e.bonusPoints === 0));
  });

  test('an empty table row (a refused first record) is skipped, not a crash', () => {
    const rows = [undefined, campaign(), null] as unknown as Campaign[];
    assert.deepEqual(evaluate(rows).evaluations.map((e) => e.campaignId), ['c-1']);
  });

  test('no campaigns: no evaluations, counters unchanged', () => {
    assert.deepEqual(evaluate([], { counters: { a: [1, 1] } }), { evaluations: [], bonuses: [], counters: { a: [1, 1] } });
  });
});
