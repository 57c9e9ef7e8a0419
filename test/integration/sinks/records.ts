// Deterministic sample records for the sink tests (no clock, no randomness).
import type { CampaignEvaluation, DecisionOutcome, LedgerEntry, LedgerKind, OrderEvent, PromotionDecision } from '../../../avro/records.ts';

const BASE_TIME = Date.UTC(2025, 0, 6, 12, 0, 0);
const KINDS: LedgerKind[] = ['EARN', 'BONUS', 'REDEEM', 'REVERSAL', 'HOLD'];
const OUTCOMES: DecisionOutcome[] = ['AWARDED', 'NOT_ELIGIBLE', 'CONTROL'];

export function sampleLedger(i: number): LedgerEntry {
  const kind = KINDS[i % KINDS.length] ?? 'EARN';
  return {
    entryId: `le-${i}`, memberId: `m-${i % 17}`, kind, orderId: `o-${i}`, campaignId: kind === 'BONUS' ? 'c-breakfast' : null,
    pendingDelta: kind === 'EARN' ? 10 + (i % 7) : kind === 'REVERSAL' ? -(i % 5) : 0,
    availableDelta: kind === 'REDEEM' ? -(i % 11) : kind === 'BONUS' ? 25 : 0,
    heldDelta: kind === 'HOLD' ? i % 3 : 0,
    occurredAt: BASE_TIME + i * 61_000, programVersion: 1,
  };
}

export function sampleDecision(i: number): PromotionDecision {
  const evaluations: CampaignEvaluation[] = [];
  for (let c = 0; c < i % 4; c++) {
    const outcome = OUTCOMES[(i + c) % OUTCOMES.length] ?? 'AWARDED';
    evaluations.push({
      campaignId: `c-${c}`, campaignVersion: 1, outcome,
      reason: outcome === 'AWARDED' ? null : outcome === 'CONTROL' ? 'CONTROL_GROUP' : 'MIN_SPEND',
      bonusPoints: outcome === 'AWARDED' ? 50 : 0, progress: null,
    });
  }
  return { decisionId: `d-${i}`, orderId: `o-${i}`, memberId: `m-${i % 17}`, occurredAt: BASE_TIME + i * 60_000, evaluations };
}

export function sampleOrder(i: number): OrderEvent {
  return {
    eventId: `ev-${i}`, type: 'COMPLETED', orderId: `o-${i}`, memberId: i % 5 === 0 ? null : `m-${i % 17}`,
    storeId: `s-${i % 3}`, storeTimeZone: 'America/New_York', channel: i % 2 === 0 ? 'APP' : 'KIOSK', occurredAt: BASE_TIME + i * 60_000,
    currency: 'USD',
    lines: Array.from({ length: 1 + (i % 3) }, (_, l) => ({ sku: `sku-${l}`, category: 'ENTREE', quantity: 1, unitPriceCents: 500, lineTotalCents: 500 })),
    discountCents: 0, taxCents: 40, tipCents: 0, totalCents: 540 + 500 * (i % 3), refundCents: 0,
    redemptions: i % 10 === 0 ? [{ rewardId: 'free-coffee', points: 300 }] : [],
    payment: { method: 'CARD', cardFingerprint: `fp-${i % 4}` }, deviceId: null, employee: false,
  };
}

/** The rows the samples make: ledger entries, evaluations (one row each) and order lines. */
export function expectedSampleRows(counts: { ledger: number; decisions: number; orders: number }): { ledger: number; evaluations: number; lines: number } {
  const sum = (n: number, f: (i: number) => number): number => Array.from({ length: n }, (_, i) => f(i)).reduce((a, b) => a + b, 0);
  return {
    ledger: counts.ledger,
    evaluations: sum(counts.decisions, (i) => sampleDecision(i).evaluations.length),
    lines: sum(counts.orders, (i) => sampleOrder(i).lines.length),
  };
}
