// A readable view of one key's stored member state (for `loyalty state get member` and
// `loyalty fraud release`): balances and the snapshot as of a given stream time, every
// remembered order with where its lot is, month buckets and promotion counters.
import type { MemberSnapshot, Program } from '../../avro/records.ts';
import type { KeyState } from '../../engine/types.ts';
import type { PromotionCounters } from '../promotions/evaluate.ts';
import { snapshotAt } from './snapshot.ts';
import { allOrders, readCore, type OrderRecord } from './state.ts';

/** A stored order as shown to an operator: its record's amounts and lot, and how many refunds it had. */
export type OrderView = Pick<OrderRecord,
  'occurredAt' | 'totalCents' | 'eligibleCents' | 'basePoints' | 'bonusPoints' | 'employee' | 'guest' | 'lot' | 'lotPoints' | 'refundedCents'>
  & { orderId: string; refunds: number };

export interface MemberView {
  key: string;
  /** The member's snapshot as of `asOf` (null for a guest order's key). */
  snapshot: MemberSnapshot | null;
  buckets: Record<string, number>;
  promotions: PromotionCounters;
  orders: OrderView[];
  /** How many eventIds, signalIds and commandIds are remembered for deduplication. */
  rememberedIds: number;
}

/** A read-only KeyState over stored fields. */
export function storedState(fields: Record<string, string>): KeyState {
  return {
    get: (field) => fields[field],
    set: () => { throw new Error('stored state is read-only'); },
    delete: () => { throw new Error('stored state is read-only'); },
    entries: () => Object.entries(fields),
  };
}

/**
 * The view of a key's fields, or null when the key has no state at all. `asOf` is the task's
 * stream time; null (nothing recorded) means the member's latest order.
 */
export function describeMember(key: string, fields: Record<string, string>, program: Program, asOf: number | null): MemberView | null {
  if (Object.keys(fields).length === 0) return null;
  const state = storedState(fields);
  const orders = allOrders(state);
  const guest = orders.length > 0 && orders.every(([, order]) => order.guest);
  const core = readCore(state);
  const at = asOf ?? Math.max(0, core.lastActivityAt ?? 0, ...orders.map(([, order]) => order.occurredAt));
  return {
    key,
    snapshot: guest ? null : snapshotAt(key, core, program, at),
    buckets: core.buckets,
    promotions: core.promotions,
    orders: orders.map(([orderId, o]) => ({
      orderId, occurredAt: o.occurredAt, totalCents: o.totalCents, eligibleCents: o.eligibleCents, basePoints: o.basePoints,
      bonusPoints: o.bonusPoints, employee: o.employee, guest: o.guest, lot: o.lot, lotPoints: o.lotPoints,
      refundedCents: o.refundedCents, refunds: o.refundTimes.length,
    })),
    rememberedIds: Object.keys(fields).filter((field) => field.startsWith('e:')).length,
  };
}
