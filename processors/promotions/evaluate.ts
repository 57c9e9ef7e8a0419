// Campaign evaluation of one COMPLETED member order, exactly per RULES.md section 4 and 6.9,
// 6.10, 6.14. Pure: the caller (the member processor, `loyalty campaigns preview`) owns state
// and I/O and passes the member's counters in; nothing here reads the clock.
//
// Decisions not fixed by RULES.md (also in docs/rules.md):
// - Campaigns are ordered by campaignId in UTF-16 code unit order (plain `<`), never by locale.
// - Every evaluation that is not AWARDED carries bonusPoints 0, STACKING and LIMIT_REACHED
//   losers included: the decision stream's bonusPoints then always sums to the BONUS entries.
import type { Campaign, CampaignEvaluation, DecisionReason, OrderEvent, Program } from '../../avro/records.ts';
import { LoyaltyError } from '../../engine/errors.ts';
import { controlBucket } from './fnv1a.ts';
import { localTime, type LocalTime } from './local-time.ts';
import { multiplierBonus } from './points-math.ts';

/**
 * Per campaignId: [counted NTH_VISIT visits, AWARDED count]. A tuple keeps the member's state
 * small (it is stored with every member); campaigns with nothing counted have no entry.
 */
export type PromotionCounters = Record<string, [visits: number, awards: number]>;

export interface PromotionInput {
  /** A COMPLETED, non-employee member order (validated). */
  order: OrderEvent;
  memberId: string;
  /** The member's tier before this order. */
  tier: string;
  /** E = max(0, Σ non-excluded lineTotalCents − discountCents). */
  eligibleCents: number;
  /** The member's orderCount before this order (FIRST_ORDER when 0). */
  orderCountBefore: number;
  program: Program;
  /** The campaign table's values (highest version per id), in any order, any window. */
  campaigns: Campaign[];
  /** The member's counters before this order. */
  counters: PromotionCounters;
}

export interface PromotionResult {
  /** One per campaign whose window contains the order, in campaignId order. */
  evaluations: CampaignEvaluation[];
  /** The AWARDED bonuses, in campaignId order: one BONUS ledger entry each. */
  bonuses: { campaignId: string; points: number }[];
  /** The member's counters after this order. */
  counters: PromotionCounters;
}

export function emptyCounters(): PromotionCounters {
  return {};
}

/** An evaluation still being decided: `candidate` ones may yet lose to STACKING. */
interface Draft {
  campaign: Campaign;
  reason: DecisionReason | null;
  control: boolean;
  bonus: number;
  progress: number | null;
}

export function evaluatePromotions(input: PromotionInput): PromotionResult {
  const { order, campaigns } = input;
  const t = order.occurredAt;
  // A table row can be empty: the engine stores merge's result even when mergeCampaign refused
  // the first record of a key (an invalid campaign), and one bad row must not fail every order.
  const active = (campaigns as (Campaign | null | undefined)[])
    .filter((c): c is Campaign => c !== null && c !== undefined && c.startsAt <= t && t < c.endsAt)
    .sort((a, b) => (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0));

  const counters: PromotionCounters = { ...input.counters };
  let storeTime: LocalTime | undefined;
  // The zone lookup is the costly part of an evaluation: only done once, and only if a daypart needs it.
  const store = (): LocalTime => (storeTime ??= localTime(t, order.storeTimeZone));

  const drafts = active.map((campaign) => decide(campaign, input, counters, store));
  applyStacking(drafts);

  const evaluations: CampaignEvaluation[] = [];
  const bonuses: { campaignId: string; points: number }[] = [];
  for (const d of drafts) {
    const awarded = d.reason === null && !d.control;
    evaluations.push({
      campaignId: d.campaign.campaignId,
      campaignVersion: d.campaign.version,
      outcome: awarded ? 'AWARDED' : d.control ? 'CONTROL' : 'NOT_ELIGIBLE',
      reason: d.reason,
      bonusPoints: awarded ? d.bonus : 0,
      progress: d.progress,
    });
    if (awarded) {
      bonuses.push({ campaignId: d.campaign.campaignId, points: d.bonus });
      const [visits, awards] = counters[d.campaign.campaignId] ?? [0, 0];
      counters[d.campaign.campaignId] = [visits, awards + 1];
    }
  }
  return { evaluations, bonuses, counters: sortedCounters(counters) };
}

/** Runs every check up to LIMIT_REACHED for one campaign; counts an NTH_VISIT visit in `counters`. */
function decide(campaign: Campaign, input: PromotionInput, counters: PromotionCounters, store: () => LocalTime): Draft {
  const [visits, awards] = counters[campaign.campaignId] ?? [0, 0];
  const draft: Draft = {
    campaign, reason: null, control: false, bonus: 0, progress: campaign.type === 'NTH_VISIT' ? visits : null,
  };
  const filterReason = failedFilter(campaign, input, store);
  if (filterReason !== null) return { ...draft, reason: filterReason };
  if (controlBucket(campaign.campaignId, input.memberId) < campaign.controlGroupBp) {
    return { ...draft, control: true, reason: 'CONTROL_GROUP' };
  }

  const p = campaign.params;
  switch (campaign.type) {
    case 'MULTIPLIER': {
      draft.bonus = multiplierBonus(input.order.lines, {
        categories: p.categories,
        excludedCategories: input.program.excludedCategories,
        pointsPerUnit: input.program.pointsPerUnit,
        extraMultiplierBp: requireParam(campaign, 'extraMultiplierBp', p.extraMultiplierBp),
      });
      if (draft.bonus === 0) return { ...draft, reason: 'NO_MATCHING_ITEMS' };
      break;
    }
    case 'SPEND_THRESHOLD':
      draft.bonus = requireParam(campaign, 'bonusPoints', p.bonusPoints);
      break;
    case 'NTH_VISIT': {
      // The visit passed every earlier check, so it counts, whatever LIMIT_REACHED/STACKING say.
      const counted = visits + 1;
      counters[campaign.campaignId] = [counted, awards];
      draft.progress = counted;
      if (counted % requireParam(campaign, 'every', p.every) !== 0) return { ...draft, reason: 'PROGRESS' };
      draft.bonus = requireParam(campaign, 'bonusPoints', p.bonusPoints);
      break;
    }
    case 'FIRST_ORDER':
      if (input.orderCountBefore !== 0) return { ...draft, reason: 'NOT_FIRST_ORDER' };
      draft.bonus = requireParam(campaign, 'bonusPoints', p.bonusPoints);
      break;
  }
  if (campaign.maxAwardsPerMember !== null && awards >= campaign.maxAwardsPerMember) {
    return { ...draft, bonus: 0, reason: 'LIMIT_REACHED' };
  }
  return draft;
}

/** The first failing audience filter, in RULES.md order, or null when all pass. */
function failedFilter(c: Campaign, input: PromotionInput, store: () => LocalTime): DecisionReason | null {
  if (c.channels !== null && !c.channels.includes(input.order.channel)) return 'CHANNEL';
  if (c.stores !== null && !c.stores.includes(input.order.storeId)) return 'STORE';
  if (c.tiers !== null && !c.tiers.includes(input.tier)) return 'TIER';
  if (c.daypart !== null) {
    const { weekday, minuteOfDay } = store();
    const inDaypart = c.daypart.days.includes(weekday)
      && c.daypart.startMinute <= minuteOfDay && minuteOfDay < c.daypart.endMinute;
    if (!inDaypart) return 'DAYPART';
  }
  if (input.eligibleCents < c.minEligibleCents) return 'MIN_SPEND';
  return null;
}

/** Within each exclusiveGroup only the largest bonus stays a candidate; ties go to the lower campaignId. */
function applyStacking(drafts: Draft[]): void {
  const winners = new Map<string, Draft>();
  for (const d of drafts) {
    const group = d.campaign.exclusiveGroup;
    if (group === null || d.reason !== null || d.control) continue;
    const best = winners.get(group);
    // Drafts are in campaignId order, so keeping the first of equal bonuses keeps the lower id.
    if (best === undefined || d.bonus > best.bonus) winners.set(group, d);
  }
  for (const d of drafts) {
    const group = d.campaign.exclusiveGroup;
    if (group === null || d.reason !== null || d.control) continue;
    if (winners.get(group) !== d) {
      d.reason = 'STACKING';
      d.bonus = 0;
    }
  }
}

/** Params are checked at publish and by mergeCampaign; a missing one here is a broken invariant. */
function requireParam(campaign: Campaign, name: string, value: number | null): number {
  if (value === null) {
    throw new LoyaltyError('CAMPAIGN_INVALID', `campaign ${campaign.campaignId} v${campaign.version} (${campaign.type}) has no params.${name}`);
  }
  return value;
}

/** Key order is part of the serialized state, so it is made canonical for byte-identical replays. */
function sortedCounters(counters: PromotionCounters): PromotionCounters {
  const sorted: PromotionCounters = {};
  for (const id of Object.keys(counters).sort()) {
    const entry = counters[id];
    if (entry !== undefined && (entry[0] !== 0 || entry[1] !== 0)) sorted[id] = entry;
  }
  return sorted;
}

export { mergeCampaign } from './merge-campaign.ts';
