// Builders of the records promotion tests need: a valid default with the fields a test names.
import type { Campaign, CampaignParams, OrderEvent, OrderLine, Program } from '../../../../avro/records.ts';
import { evaluatePromotions, type PromotionCounters, type PromotionResult } from '../../../../processors/promotions/evaluate.ts';

export const program: Program = {
  programId: 'default', version: 1, currency: 'USD', pointsPerUnit: 10, excludedCategories: ['GIFT_CARD'],
  pendingHours: 72, inactivityExpiryDays: 180,
  tiers: [
    { name: 'BRONZE', minQualifyingCents: 0, multiplierBp: 10000 },
    { name: 'SILVER', minQualifyingCents: 30000, multiplierBp: 12500 },
    { name: 'GOLD', minQualifyingCents: 100000, multiplierBp: 15000 },
  ],
  fraud: {
    velocityMaxOrders: 5, velocityWindowMinutes: 60, largeOrderCents: 50000, refundAbuseCount: 3,
    refundAbuseWindowDays: 7, sharedCardMembers: 3, sharedCardWindowHours: 24,
  },
};

/** Wednesday 2026-01-14 12:00 UTC (06:00 in Chicago). */
export const NOON_UTC = Date.UTC(2026, 0, 14, 12, 0, 0);

export function line(category: string, lineTotalCents: number, sku = `${category}-1`): OrderLine {
  return { sku, category, quantity: 1, unitPriceCents: lineTotalCents, lineTotalCents };
}

export function order(overrides: Partial<OrderEvent> = {}): OrderEvent {
  const lines = overrides.lines ?? [line('ENTREE', 1000)];
  const sum = lines.reduce((s, l) => s + l.lineTotalCents, 0);
  const discountCents = overrides.discountCents ?? 0;
  return {
    eventId: 'e-1', type: 'COMPLETED', orderId: 'o-1', memberId: 'm-1', storeId: 's-chi-01',
    storeTimeZone: 'America/Chicago', channel: 'APP', occurredAt: NOON_UTC, currency: 'USD',
    discountCents, taxCents: 0, tipCents: 0, totalCents: sum - discountCents, refundCents: 0,
    redemptions: [], payment: { method: 'CARD', cardFingerprint: 'fp-1' }, deviceId: null, employee: false,
    ...overrides, lines,
  };
}

const NO_PARAMS: CampaignParams = { extraMultiplierBp: null, categories: null, bonusPoints: null, every: null };

export function campaign(overrides: Partial<Omit<Campaign, 'params'>> & { params?: Partial<CampaignParams> } = {}): Campaign {
  const { params, ...rest } = overrides;
  return {
    campaignId: 'c-1', version: 1, type: 'SPEND_THRESHOLD',
    startsAt: Date.UTC(2026, 0, 1), endsAt: Date.UTC(2027, 0, 1),
    channels: null, stores: null, tiers: null, daypart: null,
    minEligibleCents: 0, controlGroupBp: 0, maxAwardsPerMember: null, exclusiveGroup: null,
    ...rest,
    params: { ...NO_PARAMS, ...(rest.type === undefined || rest.type === 'SPEND_THRESHOLD' ? { bonusPoints: 100 } : {}), ...params },
  };
}

export interface EvalOptions {
  order?: OrderEvent;
  memberId?: string;
  tier?: string;
  eligibleCents?: number;
  orderCountBefore?: number;
  counters?: PromotionCounters;
}

/** Evaluates with defaults: member m-1, BRONZE, E = the order's line sum, not a first order. */
export function evaluate(campaigns: Campaign[], options: EvalOptions = {}): PromotionResult {
  const o = options.order ?? order();
  const lineSum = o.lines.reduce((s, l) => s + l.lineTotalCents, 0);
  return evaluatePromotions({
    order: o,
    memberId: options.memberId ?? o.memberId ?? 'm-1',
    tier: options.tier ?? 'BRONZE',
    eligibleCents: options.eligibleCents ?? Math.max(0, lineSum - o.discountCents),
    orderCountBefore: options.orderCountBefore ?? 3,
    program,
    campaigns,
    counters: options.counters ?? {},
  });
}

/** The only evaluation of a single-campaign run. */
export function only(result: PromotionResult): PromotionResult['evaluations'][number] {
  if (result.evaluations.length !== 1) throw new Error(`expected one evaluation, got ${result.evaluations.length}`);
  return result.evaluations[0] as PromotionResult['evaluations'][number];
}
