// Building order events: a COMPLETED order from a basket, and REFUNDED events that reference a
// real earlier order of the same key with refundCents ≤ what is left to refund (RULES.md 1).
// Also keeps a conservative estimate of each member's spendable points so redemptions are
// mostly covered, as they are in real traffic.
import type { Channel, OrderEvent, Payment, Redemption } from '../../avro/records.ts';
import { eligibleCents, type Basket } from './basket.ts';
import type { Member } from './population.ts';
import { uuidFrom, type Rng } from './prng.ts';
import { PENDING_MS, POINTS_PER_DOLLAR, REWARDS, type Store } from './world.ts';

/** A completed order the simulation remembers so it can refund it later. */
export interface PlacedOrder {
  event: OrderEvent;
  refundedCents: number;
  /** The points estimate of the order, or null for guests and employees. */
  lot: PointsLot | null;
}

interface PointsLot {
  memberId: string;
  points: number;
  activatesAt: number;
  reversed: boolean;
  activated: boolean;
}

/** Per member: lots still pending (in event-time order) and the net of activated lots minus redemptions. */
interface PointsAccount {
  pending: PointsLot[];
  available: number;
}

export interface OrderSpec {
  store: Store;
  at: number;
  channel: Channel;
  member: Member | null;
  basket: Basket;
  payment: Payment;
  deviceId: string | null;
}

export class OrderBook {
  private orderSeq = 0;
  private readonly accounts = new Map<string, PointsAccount>();

  constructor(private readonly rng: Rng, private readonly orderPrefix: string) {}

  complete(spec: OrderSpec, redeem: boolean): PlacedOrder {
    this.orderSeq += 1;
    const member = spec.member;
    const redemptions = member && redeem ? this.redemptionFor(member.memberId, spec.at) : [];
    const event: OrderEvent = {
      eventId: uuidFrom(this.rng),
      type: 'COMPLETED',
      orderId: `${this.orderPrefix}-${String(this.orderSeq).padStart(7, '0')}`,
      memberId: member?.memberId ?? null,
      storeId: spec.store.storeId,
      storeTimeZone: spec.store.timeZone,
      channel: spec.channel,
      occurredAt: spec.at,
      currency: 'USD',
      lines: spec.basket.lines,
      discountCents: spec.basket.discountCents,
      taxCents: spec.basket.taxCents,
      tipCents: spec.basket.tipCents,
      totalCents: spec.basket.totalCents,
      refundCents: 0,
      redemptions,
      payment: spec.payment,
      deviceId: spec.deviceId,
      employee: member?.employee ?? false,
    };
    let lot: PointsLot | null = null;
    if (member && !member.employee) {
      // Base points at the lowest tier: tier multipliers and bonuses only add, so this underestimates.
      const points = Math.floor((eligibleCents(spec.basket) * POINTS_PER_DOLLAR) / 100);
      lot = { memberId: member.memberId, points, activatesAt: spec.at + PENDING_MS, reversed: false, activated: false };
      this.account(member.memberId).pending.push(lot);
    }
    return { event, refundedCents: 0, lot };
  }

  /** A refund of what is left (full) or of part of it; null when nothing is left to refund. */
  refund(order: PlacedOrder, at: number, full: boolean): OrderEvent | null {
    const remaining = order.event.totalCents - order.refundedCents;
    if (remaining <= 0) return null;
    const refundCents = full || remaining < 2 ? remaining : this.rng.int(1, remaining - 1);
    order.refundedCents += refundCents;
    if (order.lot && !order.lot.reversed) {
      // Any refund reverses at least part of the lot; dropping it all keeps the estimate low.
      order.lot.reversed = true;
      if (order.lot.activated) this.account(order.lot.memberId).available -= order.lot.points;
    }
    const o = order.event;
    return {
      ...o,
      eventId: uuidFrom(this.rng),
      type: 'REFUNDED',
      occurredAt: at,
      lines: [],
      refundCents,
      redemptions: [],
    };
  }

  private account(memberId: string): PointsAccount {
    let account = this.accounts.get(memberId);
    if (!account) {
      account = { pending: [], available: 0 };
      this.accounts.set(memberId, account);
    }
    return account;
  }

  private redemptionFor(memberId: string, at: number): Redemption[] {
    const account = this.account(memberId);
    let activatedCount = 0;
    for (const lot of account.pending) {
      if (lot.activatesAt > at) break;
      activatedCount += 1;
      lot.activated = true;
      if (!lot.reversed) account.available += lot.points;
    }
    account.pending.splice(0, activatedCount);
    const affordable = REWARDS.filter((r) => r.points <= account.available);
    if (affordable.length === 0) return [];
    const reward = this.rng.pick(affordable);
    account.available -= reward.points;
    return [{ rewardId: reward.rewardId, points: reward.points }];
  }
}
