// Accrual arithmetic: eligible spend, UTC month buckets, the 12-month tier window, base points.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basePoints, eligibleSpend, monthKey, qualifyingSpend, tierFor } from '../../../../processors/member/accrual.ts';
import { completed, PROGRAM } from './helpers.ts';

describe('eligibleSpend', () => {
  const cases: [string, Parameters<typeof completed>[0], number][] = [
    ['all lines count', { lines: [{ category: 'ENTREE', cents: 700 }, { category: 'SIDE', cents: 300 }] }, 1000],
    ['gift cards are excluded', { lines: [{ category: 'ENTREE', cents: 700 }, { category: 'GIFT_CARD', cents: 2500 }] }, 700],
    ['the discount is taken off', { lines: [{ category: 'ENTREE', cents: 700 }], discountCents: 200 }, 500],
    ['never below zero', { lines: [{ category: 'GIFT_CARD', cents: 2500 }, { category: 'SIDE', cents: 100 }], discountCents: 300 }, 0],
  ];
  for (const [name, spec, expected] of cases) {
    test(name, () => assert.equal(eligibleSpend(completed(spec), PROGRAM), expected));
  }
});

describe('basePoints = floor(E × pointsPerUnit × multiplierBp / 1,000,000)', () => {
  const cases: [number, number, number][] = [
    [1000, 10000, 100], [999, 10000, 99], [1, 10000, 0], [1099, 12500, 137], [1099, 15000, 164], [0, 15000, 0],
    // 2^53 − 1 cents would overflow a double in the product: BigInt keeps it exact.
    [Number.MAX_SAFE_INTEGER, 15000, 1351079888211148],
  ];
  for (const [cents, bp, points] of cases) {
    test(`E=${cents} at ${bp}bp → ${points}`, () => assert.equal(basePoints(cents, PROGRAM, bp), points));
  }
});

describe('months and tiers', () => {
  test('month keys are UTC calendar months', () => {
    assert.equal(monthKey(Date.UTC(2026, 0, 31, 23, 59, 59, 999)), '2026-01');
    assert.equal(monthKey(Date.UTC(2026, 1, 1)), '2026-02');
  });

  test('qualifying spend is month(t) and the 11 months before it', () => {
    const buckets = { '2025-01': 1, '2025-02': 10, '2025-12': 100, '2026-01': 1000, '2026-02': 10000 };
    assert.equal(qualifyingSpend(buckets, Date.UTC(2026, 0, 15)), 1110);
    assert.equal(qualifyingSpend(buckets, Date.UTC(2026, 1, 1)), 11100);
    assert.equal(qualifyingSpend(buckets, Date.UTC(2025, 11, 31)), 111);
  });

  test('the highest tier whose minimum is reached', () => {
    assert.equal(tierFor(PROGRAM, 29999).name, 'BRONZE');
    assert.equal(tierFor(PROGRAM, 30000).name, 'SILVER');
    assert.equal(tierFor(PROGRAM, 99999).name, 'SILVER');
    assert.equal(tierFor(PROGRAM, 100000).name, 'GOLD');
  });
});
