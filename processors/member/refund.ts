// A refund of a member order (RULES.md 3, REFUNDED; 6.3, 6.8, 6.12): points reversed
// proportionally to the cumulative refund, rounded up, plus the bonuses on a full refund; spend
// removed from the original month, rounded down. T and E come from the original order.
import type { LedgerWriter } from './effects.ts';
import type { Deltas } from './effects.ts';
import { removeFromBucket } from './accrual.ts';
import type { MemberCore, OrderRecord } from './state.ts';

export interface RefundPlan {
  /** Cumulative refund C after this one. */
  refundedCents: number;
  /** ceil(P × C / T): base points reversed in total after this refund. */
  reversedBasePoints: number;
  /** Points this refund reverses (base increment, plus B when C = T). */
  reversal: number;
  reversesBonus: boolean;
  /** floor(E × R / T). */
  bucketDecrease: number;
}

/** The refund's effect, or null when C would exceed T (REFUND_EXCEEDS_TOTAL). */
export function planRefund(order: OrderRecord, refundCents: number): RefundPlan | null {
  const refunded = order.refundedCents + refundCents;
  if (refunded > order.totalCents) return null;
  const total = BigInt(order.totalCents);
  const target = Number((BigInt(order.basePoints) * BigInt(refunded) + total - 1n) / total);
  const reversesBonus = refunded === order.totalCents && !order.bonusReversed;
  return {
    refundedCents: refunded,
    reversedBasePoints: target,
    reversal: target - order.reversedBasePoints + (reversesBonus ? order.bonusPoints : 0),
    reversesBonus,
    bucketDecrease: Number((BigInt(order.eligibleCents) * BigInt(refundCents)) / total),
  };
}

/** Applies an accepted refund: one REVERSAL from where the lot is now, and the bucket decrease. */
export function applyRefund(
  ledger: LedgerWriter, core: MemberCore, orderId: string, order: OrderRecord, plan: RefundPlan, t: number,
): void {
  order.refundedCents = plan.refundedCents;
  order.reversedBasePoints = plan.reversedBasePoints;
  order.bonusReversed ||= plan.reversesBonus;
  order.refundTimes.push(t);
  const deltas = reversalDeltas(order, plan.reversal);
  if (deltas !== null) {
    ledger.write('REVERSAL', orderId, null, deltas, t);
    order.lotPoints -= plan.reversal;
  }
  removeFromBucket(core, order.occurredAt, plan.bucketDecrease);
}

function reversalDeltas(order: OrderRecord, points: number): Deltas | null {
  if (points <= 0) return null;
  switch (order.lot) {
    case 'pending': return { pending: -points };
    case 'held': return { held: -points };
    case 'available':
    case 'expired': return { available: -points };
    case 'none': return null;
  }
}
