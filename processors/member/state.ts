// The member's state in its KeyState hash (one hash per Kafka key: a memberId, or an orderId for
// a guest order). Fields: `m` the member core (balances, counters, month buckets) as compact
// JSON, `o:<orderId>` one per accepted COMPLETED order (its lot and refunds), `e:<id>` one per
// accepted eventId / signalId / commandId (its event time, for dedup and pruning).
import type { KeyState } from '../../engine/types.ts';
import type { PromotionCounters } from '../promotions/evaluate.ts';

/** Where an order's lot of points (base + bonuses) is now. `none`: employee or guest order. */
export type LotPlace = 'pending' | 'available' | 'held' | 'expired' | 'none';

export interface MemberCore {
  pending: number;
  available: number;
  held: number;
  lifetimeEarned: number;
  orderCount: number;
  lastActivityAt: number | null;
  /** Eligible spend per UTC calendar month, key `YYYY-MM`. */
  buckets: Record<string, number>;
  promotions: PromotionCounters;
}

export interface OrderRecord {
  occurredAt: number;
  totalCents: number;
  eligibleCents: number;
  basePoints: number;
  bonusPoints: number;
  employee: boolean;
  guest: boolean;
  lot: LotPlace;
  /** Points of the lot still in its place (base + bonuses − reversed). */
  lotPoints: number;
  refundedCents: number;
  reversedBasePoints: number;
  bonusReversed: boolean;
  /** occurredAt of each accepted refund (REFUND_ABUSE counts them). */
  refundTimes: number[];
}

const CORE = 'm';
const ORDER_PREFIX = 'o:';
const SEEN_PREFIX = 'e:';
/** Orders and eventIds older than this (event time) are forgotten, so state stays small. */
export const RETENTION_MILLIS = 400 * 86_400_000;

export function emptyCore(): MemberCore {
  return {
    pending: 0, available: 0, held: 0, lifetimeEarned: 0, orderCount: 0,
    lastActivityAt: null, buckets: {}, promotions: {},
  };
}

export function readCore(state: KeyState): MemberCore {
  const text = state.get(CORE);
  return text === undefined ? emptyCore() : (JSON.parse(text) as MemberCore);
}

export function writeCore(state: KeyState, core: MemberCore): void {
  state.set(CORE, JSON.stringify(core));
}

/**
 * An order is stored as a positional JSON array (a third of the size of named fields; a member
 * keeps up to 400 days of orders and the engine rewrites a field whenever it changes):
 * [occurredAt, totalCents, eligibleCents, basePoints, bonusPoints, flags, lot, lotPoints,
 *  refundedCents, reversedBasePoints, refundTimes], flags = employee 1 | guest 2 | bonusReversed 4.
 */
type StoredOrder = [number, number, number, number, number, number, string, number, number, number, number[]];

const LOT_CODES: Record<LotPlace, string> = { pending: 'P', available: 'A', held: 'H', expired: 'X', none: '-' };
const LOT_PLACES = new Map(Object.entries(LOT_CODES).map(([place, code]) => [code, place as LotPlace]));

function encodeOrder(o: OrderRecord): string {
  const flags = (o.employee ? 1 : 0) | (o.guest ? 2 : 0) | (o.bonusReversed ? 4 : 0);
  const stored: StoredOrder = [o.occurredAt, o.totalCents, o.eligibleCents, o.basePoints, o.bonusPoints, flags,
    LOT_CODES[o.lot], o.lotPoints, o.refundedCents, o.reversedBasePoints, o.refundTimes];
  return JSON.stringify(stored);
}

function decodeOrder(text: string): OrderRecord {
  const [occurredAt, totalCents, eligibleCents, basePoints, bonusPoints, flags, lot, lotPoints, refundedCents,
    reversedBasePoints, refundTimes] = JSON.parse(text) as StoredOrder;
  const place = LOT_PLACES.get(lot);
  if (place === undefined) throw new Error(`stored order has an unknown lot code ${JSON.stringify(lot)}`);
  return {
    occurredAt, totalCents, eligibleCents, basePoints, bonusPoints, employee: (flags & 1) !== 0, guest: (flags & 2) !== 0,
    lot: place, lotPoints, refundedCents, reversedBasePoints, bonusReversed: (flags & 4) !== 0, refundTimes,
  };
}

export function readOrder(state: KeyState, orderId: string): OrderRecord | undefined {
  const text = state.get(ORDER_PREFIX + orderId);
  return text === undefined ? undefined : decodeOrder(text);
}

export function writeOrder(state: KeyState, orderId: string, order: OrderRecord): void {
  state.set(ORDER_PREFIX + orderId, encodeOrder(order));
}

/**
 * A stored order's occurredAt without decoding the rest: the encoding starts with `[occurredAt,`.
 * Pruning and window queries look at every order of the key per event, and most are skipped.
 */
function storedOrderTime(text: string): number {
  return Number(text.slice(1, text.indexOf(',')));
}

/** Every order of the key, sorted by orderId so that iteration is deterministic. */
export function allOrders(state: KeyState): [orderId: string, order: OrderRecord][] {
  return ordersAfter(state, -Infinity);
}

/** The orders of the key with occurredAt > `time`, sorted by orderId (window queries: VELOCITY). */
export function ordersAfter(state: KeyState, time: number): [orderId: string, order: OrderRecord][] {
  const found: [string, OrderRecord][] = [];
  for (const [field, text] of state.entries()) {
    if (field.startsWith(ORDER_PREFIX) && storedOrderTime(text) > time) found.push([field.slice(ORDER_PREFIX.length), decodeOrder(text)]);
  }
  return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function isSeen(state: KeyState, id: string): boolean {
  return state.get(SEEN_PREFIX + id) !== undefined;
}

export function markSeen(state: KeyState, id: string, time: number): void {
  state.set(SEEN_PREFIX + id, String(time));
}

/**
 * Forgets eventIds and orders older than RETENTION_MILLIS before `now` (event time). A held lot
 * is kept until an operator releases it. A refund of a forgotten order is UNKNOWN_ORDER.
 */
export function pruneOld(state: KeyState, now: number): void {
  const horizon = now - RETENTION_MILLIS;
  for (const [field, text] of state.entries()) {
    if (field.startsWith(SEEN_PREFIX) && Number(text) < horizon) state.delete(field);
    if (field.startsWith(ORDER_PREFIX) && storedOrderTime(text) < horizon && decodeOrder(text).lot !== 'held') state.delete(field);
  }
}
