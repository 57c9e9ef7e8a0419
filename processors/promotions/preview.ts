// What a campaign would have done over historical orders (`loyalty campaigns preview`), computed
// with the same evaluatePromotions as the member processor and the member processor's own pure
// accrual, validation and refund functions, without writing anything anywhere.
//
// Assumptions, printed with the report:
// - Members start empty at the first input order: tiers, first orders and NTH_VISIT counters come
//   from the input only (feed a longer history for exact tiers).
// - Only the campaigns given as `others` run beside it (as the published table would): without
//   them, stacking against other campaigns of its exclusiveGroup is not modelled and the result is
//   the campaign's upper bound.
// - Points cost `pointCostCents` each (a decimal, e.g. 0.5: a $5 reward for 1,000 points); the
//   cost is rounded half up to whole cents.
import type { Campaign, DecisionOutcome, DecisionReason, OrderEvent, Program } from '../../avro/records.ts';
import { ValidationError } from '../../engine/errors.ts';
import { addToBucket, eligibleSpend, removeFromBucket, tierAt } from '../member/accrual.ts';
import { planRefund } from '../member/refund.ts';
import { emptyCore, type MemberCore, type OrderRecord } from '../member/state.ts';
import { validateOrderEvent } from '../member/validate.ts';
import { evaluatePromotions } from './evaluate.ts';

export interface PreviewOptions {
  program: Program;
  campaign: Campaign;
  /** Campaigns in force beside it, so exclusive-group stacking is modelled (default none). */
  others?: Campaign[];
  /** Evaluate every order as if the campaign's window covered it (preview a future campaign on past orders). */
  ignoreWindow: boolean;
  /** Cost of one point in cents, a decimal string with at most 4 decimals. */
  pointCostCents: string;
  /**
   * Only orders with from ≤ occurredAt < to are evaluated and counted (null: unbounded). Earlier
   * orders still build the members' tiers and order counts, so feed history from before `from`.
   */
  from?: number | null;
  to?: number | null;
}

export interface PreviewReport {
  campaignId: string;
  campaignVersion: number;
  window: { startsAt: number; endsAt: number; ignored: boolean };
  range: { from: number | null; to: number | null };
  orders: {
    read: number;
    /** Input the member processor would dead-letter, per reason. */
    rejected: Record<string, number>;
    duplicates: number;
    guest: number;
    employee: number;
    refunds: number;
    /** Member COMPLETED orders before `from` or from `to` on: they only build member state. */
    outsideRange: number;
    /** Member COMPLETED orders in range but outside the campaign's window (no evaluation). */
    outsideWindow: number;
    /** Member COMPLETED orders the campaign was evaluated on. */
    evaluated: number;
  };
  members: { evaluated: number; reached: number; control: number };
  outcomes: { outcome: DecisionOutcome; reason: DecisionReason | null; count: number }[];
  awards: number;
  bonusPoints: number;
  pointCostCents: string;
  costCents: number;
  assumptions: string[];
}

interface MemberReplay {
  core: MemberCore;
  orders: Map<string, OrderRecord>;
  evaluated: boolean;
  reached: boolean;
  control: boolean;
}

const POINT_COST = /^(\d{1,9})(?:\.(\d{1,4}))?$/;
const COST_SCALE = 10_000n; // pointCostCents is kept in ten-thousandths of a cent

export class CampaignPreview {
  private readonly campaign: Campaign;
  /** The previewed campaign and the others, as evaluatePromotions receives the table. */
  private readonly table: Campaign[];
  private readonly costUnits: bigint;
  private readonly members = new Map<string, MemberReplay>();
  private readonly seenEvents = new Set<string>();
  private readonly outcomeCounts = new Map<string, number>();
  private readonly report: PreviewReport;

  constructor(private readonly options: PreviewOptions) {
    this.costUnits = parsePointCost(options.pointCostCents);
    this.campaign = options.ignoreWindow
      ? { ...options.campaign, startsAt: Number.MIN_SAFE_INTEGER, endsAt: Number.MAX_SAFE_INTEGER }
      : options.campaign;
    const others = (options.others ?? []).filter((c) => c.campaignId !== options.campaign.campaignId);
    this.table = [this.campaign, ...others];
    this.report = {
      campaignId: options.campaign.campaignId,
      campaignVersion: options.campaign.version,
      window: { startsAt: options.campaign.startsAt, endsAt: options.campaign.endsAt, ignored: options.ignoreWindow },
      range: { from: options.from ?? null, to: options.to ?? null },
      orders: { read: 0, rejected: {}, duplicates: 0, guest: 0, employee: 0, refunds: 0, outsideRange: 0, outsideWindow: 0, evaluated: 0 },
      members: { evaluated: 0, reached: 0, control: 0 },
      outcomes: [],
      awards: 0,
      bonusPoints: 0,
      pointCostCents: options.pointCostCents,
      costCents: 0,
      assumptions: [
        'members start empty at the first input order (tier, first order and visit counts come from the input only)',
        others.length === 0
          ? 'the campaign is evaluated alone: stacking with other campaigns of its exclusive group is not modelled'
          : `evaluated beside ${others.length} other campaign(s) (${others.map((c) => `${c.campaignId} v${c.version}`).join(', ')}), stacking included`,
        `a point costs ${options.pointCostCents} cents; the cost is rounded half up to whole cents`,
      ],
    };
  }

  /** One order event (decoded plain JSON or Avro value), in the order the stream has them. */
  add(value: unknown): void {
    const orders = this.report.orders;
    orders.read += 1;
    const validation = validateOrderEvent(value, this.options.program.currency);
    if (!validation.ok) return this.reject(validation.reason);
    const order = validation.order;
    if (this.seenEvents.has(order.eventId)) {
      orders.duplicates += 1;
      return;
    }
    if (order.memberId === null) {
      this.seenEvents.add(order.eventId);
      orders.guest += 1;
      return;
    }
    const member = this.memberOf(order.memberId);
    if (order.type === 'REFUNDED') return this.refund(member, order);
    if (member.orders.has(order.orderId)) return this.reject('DUPLICATE_ORDER');
    this.seenEvents.add(order.eventId);
    this.complete(member, order.memberId, order);
  }

  /** Counts an input the caller could not even decode (not JSON, not Avro) under `reason`. */
  skip(reason: string): void {
    this.report.orders.read += 1;
    this.reject(reason);
  }

  result(): PreviewReport {
    // Most frequent first; equal counts in key order, so the report is the same on every run.
    const outcomes = [...this.outcomeCounts.entries()]
      .sort(([keyA, a], [keyB, b]) => b - a || (keyA < keyB ? -1 : 1))
      .map(([key, count]) => {
        const [outcome, reason] = JSON.parse(key) as [DecisionOutcome, DecisionReason | null];
        return { outcome, reason, count };
      });
    const members = [...this.members.values()];
    const costCents = (BigInt(this.report.bonusPoints) * this.costUnits + COST_SCALE / 2n) / COST_SCALE;
    return {
      ...this.report,
      orders: { ...this.report.orders, rejected: Object.fromEntries(Object.entries(this.report.orders.rejected).sort()) },
      members: {
        evaluated: members.filter((m) => m.evaluated).length,
        reached: members.filter((m) => m.reached).length,
        control: members.filter((m) => m.control).length,
      },
      outcomes,
      costCents: Number(costCents),
    };
  }

  private complete(member: MemberReplay, memberId: string, order: OrderEvent): void {
    const program = this.options.program;
    const eligibleCents = eligibleSpend(order, program);
    member.orders.set(order.orderId, orderRecord(order, eligibleCents));
    if (order.employee) {
      this.report.orders.employee += 1;
      return;
    }
    const t = order.occurredAt;
    const { from, to } = this.report.range;
    if ((from !== null && t < from) || (to !== null && t >= to)) {
      this.report.orders.outsideRange += 1;
      addToBucket(member.core, t, eligibleCents);
      member.core.orderCount += 1;
      return;
    }
    const result = evaluatePromotions({
      order, memberId, tier: tierAt(program, member.core, t).name, eligibleCents,
      orderCountBefore: member.core.orderCount, program, campaigns: this.table, counters: member.core.promotions,
    });
    const ours = result.evaluations.filter((e) => e.campaignId === this.campaign.campaignId);
    member.core.promotions = result.counters;
    addToBucket(member.core, t, eligibleCents);
    member.core.orderCount += 1;
    if (ours.length === 0) this.report.orders.outsideWindow += 1;
    for (const evaluation of ours) {
      this.report.orders.evaluated += 1;
      member.evaluated = true;
      const key = JSON.stringify([evaluation.outcome, evaluation.reason]);
      this.outcomeCounts.set(key, (this.outcomeCounts.get(key) ?? 0) + 1);
      if (evaluation.outcome === 'CONTROL') member.control = true;
      if (evaluation.outcome === 'AWARDED') {
        member.reached = true;
        this.report.awards += 1;
        this.report.bonusPoints += evaluation.bonusPoints;
      }
    }
  }

  private refund(member: MemberReplay, order: OrderEvent): void {
    const original = member.orders.get(order.orderId);
    if (original === undefined) return this.reject('UNKNOWN_ORDER');
    const plan = planRefund(original, order.refundCents);
    if (plan === null) return this.reject('REFUND_EXCEEDS_TOTAL');
    this.seenEvents.add(order.eventId);
    this.report.orders.refunds += 1;
    original.refundedCents = plan.refundedCents;
    // Refunds lower the spend that decides the member's tier for later orders.
    removeFromBucket(member.core, original.occurredAt, plan.bucketDecrease);
  }

  private reject(reason: string): void {
    const rejected = this.report.orders.rejected;
    rejected[reason] = (rejected[reason] ?? 0) + 1;
  }

  private memberOf(memberId: string): MemberReplay {
    let member = this.members.get(memberId);
    if (member === undefined) {
      member = { core: emptyCore(), orders: new Map(), evaluated: false, reached: false, control: false };
      this.members.set(memberId, member);
    }
    return member;
  }
}

/** The refund arithmetic needs only the order's totals; the lot is not modelled (`none`). */
function orderRecord(order: OrderEvent, eligibleCents: number): OrderRecord {
  return {
    occurredAt: order.occurredAt, totalCents: order.totalCents, eligibleCents, basePoints: 0, bonusPoints: 0,
    employee: order.employee, guest: false, lot: 'none', lotPoints: 0, refundedCents: 0,
    reversedBasePoints: 0, bonusReversed: false, refundTimes: [],
  };
}

/** A point cost in cents ("0.5", "1", "0.25") as ten-thousandths of a cent, exactly. */
export function parsePointCost(text: string): bigint {
  const m = POINT_COST.exec(text);
  if (m === null) throw new ValidationError('--point-cost-cents', 'a non-negative decimal with at most 4 decimals, e.g. 0.5');
  return BigInt(m[1] ?? '0') * COST_SCALE + BigInt(((m[2] ?? '') + '0000').slice(0, 4));
}
