// An order's lot (its base points + bonuses) moving between balances (RULES.md 3, 5 and 6.8):
// activation after pendingHours, HOLD from pending or available, RELEASE to available, expiry.
// No zero-delta entries are written (RULES.md 6.4).
import type { LedgerWriter } from './effects.ts';
import type { MemberCore, OrderRecord } from './state.ts';

/** ACTIVATE: a pending lot's remaining points move to available. A held lot never activates. */
export function activateLot(ledger: LedgerWriter, orderId: string, order: OrderRecord, t: number): boolean {
  if (order.lot !== 'pending') return false;
  order.lot = 'available';
  if (order.lotPoints > 0) ledger.write('ACTIVATE', orderId, null, { pending: -order.lotPoints, available: order.lotPoints }, t);
  return true;
}

/**
 * HOLD: the lot's remaining points move to held, from pending, or from available when already
 * activated (available may go negative). A lot already held, expired, fully reversed or empty,
 * or an order with no lot (employee, guest), is untouched.
 */
export function holdLot(ledger: LedgerWriter, orderId: string, order: OrderRecord, t: number): boolean {
  if ((order.lot !== 'pending' && order.lot !== 'available') || order.lotPoints <= 0) return false;
  const points = order.lotPoints;
  const from = order.lot === 'pending' ? { pending: -points } : { available: -points };
  ledger.write('HOLD', orderId, null, { ...from, held: points }, t);
  order.lot = 'held';
  return true;
}

/** RELEASE: a held lot's points move to available, at once (even before its activation time). */
export function releaseLot(ledger: LedgerWriter, orderId: string, order: OrderRecord, t: number): boolean {
  if (order.lot !== 'held') return false;
  order.lot = 'available';
  if (order.lotPoints > 0) ledger.write('RELEASE', orderId, null, { held: -order.lotPoints, available: order.lotPoints }, t);
  return true;
}

/**
 * EXPIRE at the expiry timer: all of a positive available balance goes. The activated lots it
 * consumed become `expired` (a later HOLD leaves them alone; a later refund still reverses from
 * available). Pending and held stay. With available ≤ 0 nothing expires and lots stay as they are.
 */
export function expireAvailable(
  ledger: LedgerWriter, core: MemberCore, orders: [string, OrderRecord][], t: number,
): [string, OrderRecord][] {
  if (core.available <= 0) return [];
  ledger.write('EXPIRE', null, null, { available: -core.available }, t);
  const changed = orders.filter(([, order]) => order.lot === 'available');
  for (const [, order] of changed) order.lot = 'expired';
  return changed;
}
