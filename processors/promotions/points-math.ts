// Integer points arithmetic of promotions. Products of cents, points per unit and basis points
// pass 2^53 long before a real order does anything odd (a $90M line × 10 × 10000 bp), so they
// are computed in BigInt and only the final, checked result becomes a number.
import { LoyaltyError } from '../../engine/errors.ts';
import type { OrderLine } from '../../avro/records.ts';

export interface MultiplierRule {
  /** Categories the campaign boosts; null boosts every category. */
  categories: string[] | null;
  /** The program's excluded categories (gift cards…): never boosted. */
  excludedCategories: string[];
  pointsPerUnit: number;
  extraMultiplierBp: number;
}

const BP_PER_UNIT = 1_000_000n; // basis points (10,000) × cents per currency unit (100)

/**
 * floor(Σ matching non-excluded lineTotalCents × pointsPerUnit × extraMultiplierBp / 1,000,000):
 * line totals before the order discount, without the tier multiplier (RULES.md 6.10).
 */
export function multiplierBonus(lines: OrderLine[], rule: MultiplierRule): number {
  let matchingCents = 0n;
  for (const line of lines) {
    if (rule.excludedCategories.includes(line.category)) continue;
    if (rule.categories !== null && !rule.categories.includes(line.category)) continue;
    matchingCents += BigInt(line.lineTotalCents);
  }
  // Every factor is a non-negative integer, so BigInt's truncating division is the floor.
  const bonus = (matchingCents * BigInt(rule.pointsPerUnit) * BigInt(rule.extraMultiplierBp)) / BP_PER_UNIT;
  return toSafePoints(bonus);
}

function toSafePoints(points: bigint): number {
  if (points > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new LoyaltyError('POINTS_OVERFLOW', `a bonus of ${points} points is beyond 2^53 − 1`);
  }
  return Number(points);
}
