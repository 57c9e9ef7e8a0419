// Applying an accepted order event to its key's state (RULES.md 3, 5, 6.5): member COMPLETED
// (redemptions, EARN, promotions, lot, spend, activity, VELOCITY HOLD), employee and guest
// orders, and refunds. Validation, dedup and order checks happened before; so did due timers.
import type { Campaign, OrderEvent, Program, PromotionDecision } from '../../avro/records.ts';
import type { KeyState } from '../../engine/types.ts';
import { evaluatePromotions } from '../promotions/evaluate.ts';
import { addToBucket, basePoints, eligibleSpend, tierAt } from './accrual.ts';
import type { LedgerWriter, SignalDraft } from './effects.ts';
import { largeOrderSignal, overdraftSignal, refundAbuseSignal, velocitySignal, velocityWindowStart } from './fraud.ts';
import { decisionId } from './ids.ts';
import { holdLot } from './lots.ts';
import { applyRefund, type RefundPlan } from './refund.ts';
import { allOrders, ordersAfter, readOrder, writeOrder, type MemberCore, type OrderRecord } from './state.ts';

export interface OrderEffects {
  ledger: LedgerWriter;
  signal(draft: SignalDraft): void;
  decision(decision: PromotionDecision): void;
}

export interface AcceptedOrder {
  order: OrderEvent;
  /** The eventId-derived source of the ids of its outputs. */
  source: string;
  program: Program;
  campaigns: Campaign[];
}

/** What the caller must do next: schedule timers for a member order that created a lot / activity. */
export interface CompletedOutcome {
  activationDueAt: number | null;
  expiryDueAt: number | null;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

function newOrderRecord(order: OrderEvent, fields: Partial<OrderRecord>): OrderRecord {
  return {
    occurredAt: order.occurredAt, totalCents: order.totalCents, eligibleCents: 0, basePoints: 0, bonusPoints: 0,
    employee: order.employee, guest: order.memberId === null, lot: 'none', lotPoints: 0,
    refundedCents: 0, reversedBasePoints: 0, bonusReversed: false, refundTimes: [], ...fields,
  };
}

/** A guest order: kept for its refunds, LARGE_ORDER only; no loyalty effect. */
export function applyGuestCompleted(state: KeyState, input: AcceptedOrder, effects: OrderEffects): void {
  writeOrder(state, input.order.orderId, newOrderRecord(input.order, {}));
  const large = largeOrderSignal(input.order, input.program);
  if (large !== null) effects.signal(large);
}

/** A member's COMPLETED order, employee or not. */
export function applyMemberCompleted(
  state: KeyState, core: MemberCore, input: AcceptedOrder, effects: OrderEffects,
): CompletedOutcome {
  const { order, program } = input;
  const t = order.occurredAt;
  const signals: SignalDraft[] = [];
  for (const { rewardId, points } of order.redemptions) {
    if (points === 0) continue;
    const availableBefore = core.available;
    effects.ledger.write('REDEEM', order.orderId, null, { available: -points }, t);
    if (availableBefore < points) signals.push(overdraftSignal(order, rewardId, points, availableBefore));
  }

  let outcome: CompletedOutcome = { activationDueAt: null, expiryDueAt: null };
  let record: OrderRecord;
  if (order.employee) {
    record = newOrderRecord(order, {});
  } else {
    record = earn(core, input, effects);
    // RULES.md 3 literally: lastActivityAt = t and the expiry moves to t + days, also for a late order.
    core.lastActivityAt = t;
    outcome = { activationDueAt: t + program.pendingHours * HOUR, expiryDueAt: t + program.inactivityExpiryDays * DAY };
  }
  writeOrder(state, order.orderId, record);

  const velocity = velocitySignal(order, ordersAfter(state, velocityWindowStart(order, program)), program);
  if (velocity !== null) {
    if (holdLot(effects.ledger, order.orderId, record, t)) {
      writeOrder(state, order.orderId, record);
      outcome.activationDueAt = null;
    }
    signals.push(velocity);
  }
  const large = largeOrderSignal(order, program);
  if (large !== null) signals.push(large);
  for (const signal of signals) effects.signal(signal);
  return outcome;
}

/** EARN, promotions and BONUS entries, spend and counters of a non-employee member order. */
function earn(core: MemberCore, input: AcceptedOrder, effects: OrderEffects): OrderRecord {
  const { order, program } = input;
  const t = order.occurredAt;
  const memberId = order.memberId ?? order.orderId;
  const eligibleCents = eligibleSpend(order, program);
  const tier = tierAt(program, core, t);
  const base = basePoints(eligibleCents, program, tier.multiplierBp);
  effects.ledger.write('EARN', order.orderId, null, { pending: base }, t);

  const promotions = evaluatePromotions({
    order, memberId, tier: tier.name, eligibleCents, orderCountBefore: core.orderCount, program,
    campaigns: input.campaigns, counters: core.promotions,
  });
  let bonus = 0;
  for (const award of promotions.bonuses) {
    effects.ledger.write('BONUS', order.orderId, award.campaignId, { pending: award.points }, t);
    bonus += award.points;
  }
  core.promotions = promotions.counters;
  if (promotions.evaluations.length > 0) {
    effects.decision({
      decisionId: decisionId(input.source), orderId: order.orderId, memberId, occurredAt: t,
      evaluations: promotions.evaluations,
    });
  }

  addToBucket(core, t, eligibleCents);
  core.orderCount += 1;
  core.lifetimeEarned += base + bonus;
  return newOrderRecord(order, {
    eligibleCents, basePoints: base, bonusPoints: bonus, lot: 'pending', lotPoints: base + bonus,
  });
}

/** An accepted refund (member, employee or guest order): REVERSAL and spend, then REFUND_ABUSE. */
export function applyRefunded(
  state: KeyState, core: MemberCore, input: AcceptedOrder, plan: RefundPlan, effects: OrderEffects,
): void {
  const { order } = input;
  const record = readOrder(state, order.orderId);
  if (record === undefined) throw new Error(`order ${order.orderId} vanished between its check and its refund`);
  applyRefund(effects.ledger, core, order.orderId, record, plan, order.occurredAt);
  writeOrder(state, order.orderId, record);
  if (record.guest) return;
  const abuse = refundAbuseSignal(order, allOrders(state), input.program);
  if (abuse !== null) effects.signal(abuse);
}
