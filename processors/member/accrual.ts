// Accrual arithmetic (RULES.md 3, COMPLETED): eligible spend, tier from 12 UTC month buckets and
// base points. Integer-only: products that may pass 2^53 are computed in BigInt.
import type { OrderEvent, Program } from '../../avro/records.ts';
import type { MemberCore } from './state.ts';

export type Tier = Program['tiers'][number];

/** Months since year 0 of the UTC calendar month of `t`. */
function monthIndex(t: number): number {
  const date = new Date(t);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

function keyOfIndex(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The UTC calendar month of `t`, as the bucket key `YYYY-MM`. */
export function monthKey(t: number): string {
  return keyOfIndex(monthIndex(t));
}

/**
 * Month keys of month(t) and the 11 months before it. Every snapshot and tier needs them (several
 * times per event), and a stream spans few months: each window is built once.
 */
const windows = new Map<number, readonly string[]>();

function windowMonths(t: number): readonly string[] {
  const index = monthIndex(t);
  let months = windows.get(index);
  if (months === undefined) {
    months = Array.from({ length: 12 }, (_, back) => keyOfIndex(index - back));
    windows.set(index, months);
  }
  return months;
}

/** Σ of the member's month buckets for month(t) and the 11 months before it. */
export function qualifyingSpend(buckets: Record<string, number>, t: number): number {
  let sum = 0;
  for (const month of windowMonths(t)) sum += buckets[month] ?? 0;
  return sum;
}

/** The highest tier whose minQualifyingCents ≤ qualifying spend (tiers are validated ascending). */
export function tierFor(program: Program, qualifyingCents: number): Tier {
  let tier = program.tiers[0];
  for (const candidate of program.tiers) if (candidate.minQualifyingCents <= qualifyingCents) tier = candidate;
  if (tier === undefined) throw new Error('program has no tiers');
  return tier;
}

export function tierAt(program: Program, core: MemberCore, t: number): Tier {
  return tierFor(program, qualifyingSpend(core.buckets, t));
}

/** E = max(0, Σ lineTotalCents of non-excluded lines − discountCents). */
export function eligibleSpend(order: OrderEvent, program: Program): number {
  const lines = order.lines
    .filter((line) => !program.excludedCategories.includes(line.category))
    .reduce((sum, line) => sum + line.lineTotalCents, 0);
  return Math.max(0, lines - order.discountCents);
}

/** P = floor(E × pointsPerUnit × multiplierBp / 1,000,000). */
export function basePoints(eligibleCents: number, program: Program, multiplierBp: number): number {
  return Number((BigInt(eligibleCents) * BigInt(program.pointsPerUnit) * BigInt(multiplierBp)) / 1_000_000n);
}

/** Buckets older than this many months before the newest are dropped: refunds reach back 400 days at most. */
const BUCKET_MONTHS_KEPT = 24;

export function addToBucket(core: MemberCore, t: number, cents: number): void {
  const month = monthKey(t);
  core.buckets[month] = (core.buckets[month] ?? 0) + cents;
  const oldest = keyOfIndex(monthIndex(t) - BUCKET_MONTHS_KEPT);
  const kept: Record<string, number> = {};
  for (const key of Object.keys(core.buckets).sort()) {
    const value = core.buckets[key];
    if (key >= oldest && value !== undefined && value !== 0) kept[key] = value;
  }
  core.buckets = kept;
}

/** The original month's bucket decreases (RULES.md 6.12), even outside the 12-month window. */
export function removeFromBucket(core: MemberCore, orderTime: number, cents: number): void {
  const month = monthKey(orderTime);
  const current = core.buckets[month];
  if (current === undefined || cents === 0) return;
  const next = current - cents;
  if (next === 0) delete core.buckets[month];
  else core.buckets[month] = next;
}
