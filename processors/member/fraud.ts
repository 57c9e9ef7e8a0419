// Member-side fraud rules (RULES.md 5 and 6.7). Each fires on every qualifying event while its
// condition holds. Windows are (t − window, t] on event time. `details` is JSON a reviewer can
// act on: the rule's threshold, the count that tripped it and the orders involved.
import type { FraudAction, FraudRule, OrderEvent, Program } from '../../avro/records.ts';
import type { SignalDraft } from './effects.ts';
import type { OrderRecord } from './state.ts';

export const SCORES: Record<FraudRule, number> = {
  VELOCITY: 80, LARGE_ORDER: 40, REDEMPTION_OVERDRAFT: 60, REFUND_ABUSE: 50, SHARED_CARD: 90,
};
export const ACTIONS: Record<FraudRule, FraudAction> = {
  VELOCITY: 'HOLD', LARGE_ORDER: 'REVIEW', REDEMPTION_OVERDRAFT: 'REVIEW', REFUND_ABUSE: 'REVIEW', SHARED_CARD: 'HOLD',
};
/** The rules the member processor emits itself (it ignores them when they come back on the topic). */
export const MEMBER_RULES: readonly FraudRule[] = ['VELOCITY', 'LARGE_ORDER', 'REDEMPTION_OVERDRAFT', 'REFUND_ABUSE'];

const MINUTE = 60_000;
const DAY = 86_400_000;

function draft(rule: FraudRule, order: OrderEvent, details: Record<string, unknown>): SignalDraft {
  return {
    rule,
    action: ACTIONS[rule],
    score: SCORES[rule],
    orderId: order.orderId,
    memberId: order.memberId,
    storeId: order.storeId,
    cardFingerprint: order.payment.cardFingerprint,
    details: JSON.stringify({ rule, ...details }),
    occurredAt: order.occurredAt,
  };
}

const inWindow = (time: number, t: number, width: number): boolean => time > t - width && time <= t;

/** Orders at or before this time cannot count for VELOCITY at `order` (the window's open start). */
export function velocityWindowStart(order: OrderEvent, program: Program): number {
  return order.occurredAt - program.fraud.velocityWindowMinutes * MINUTE;
}

/** VELOCITY: more than velocityMaxOrders COMPLETED orders (employee ones too) in (t − window, t]. */
export function velocitySignal(order: OrderEvent, orders: [string, OrderRecord][], program: Program): SignalDraft | null {
  const { velocityMaxOrders, velocityWindowMinutes } = program.fraud;
  const t = order.occurredAt;
  const recent = orders.filter(([, o]) => !o.guest && inWindow(o.occurredAt, t, velocityWindowMinutes * MINUTE)).map(([id]) => id);
  if (recent.length <= velocityMaxOrders) return null;
  return draft('VELOCITY', order, {
    orders: recent.length, maxOrders: velocityMaxOrders, windowMinutes: velocityWindowMinutes, orderIds: recent,
  });
}

/** LARGE_ORDER: a COMPLETED order (member, employee or guest) with totalCents ≥ largeOrderCents. */
export function largeOrderSignal(order: OrderEvent, program: Program): SignalDraft | null {
  if (order.type !== 'COMPLETED' || order.totalCents < program.fraud.largeOrderCents) return null;
  return draft('LARGE_ORDER', order, { totalCents: order.totalCents, thresholdCents: program.fraud.largeOrderCents });
}

/** REDEMPTION_OVERDRAFT: one per redemption of more points than were available before it. */
export function overdraftSignal(order: OrderEvent, rewardId: string, points: number, availableBefore: number): SignalDraft {
  return draft('REDEMPTION_OVERDRAFT', order, { rewardId, points, availableBefore, availableAfter: availableBefore - points });
}

/** REFUND_ABUSE: at least refundAbuseCount accepted refunds (each partial counts) in (t − window, t]. */
export function refundAbuseSignal(order: OrderEvent, orders: [string, OrderRecord][], program: Program): SignalDraft | null {
  const { refundAbuseCount, refundAbuseWindowDays } = program.fraud;
  const t = order.occurredAt;
  const refunds: { orderId: string; at: number }[] = [];
  for (const [orderId, o] of orders) {
    for (const at of o.refundTimes) if (inWindow(at, t, refundAbuseWindowDays * DAY)) refunds.push({ orderId, at });
  }
  if (refunds.length < refundAbuseCount) return null;
  return draft('REFUND_ABUSE', order, {
    refunds: refunds.length, threshold: refundAbuseCount, windowDays: refundAbuseWindowDays,
    orderIds: [...new Set(refunds.map((r) => r.orderId))],
  });
}
