// Builders and a small wrapper over the TestDriver for member-processor tests: orders with
// consistent totals, the default program, and typed views of the outputs.
import type { Campaign, Command, FraudSignal, LedgerEntry, MemberSnapshot, OrderEvent, Program, PromotionDecision } from '../../../../avro/records.ts';
import { TestDriver } from '../../../../engine/test-driver.ts';
import { createMemberProcessor } from '../../../../processors/member/processor.ts';
import { loadProgram } from '../../../../processors/program.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2026-01-05T00:00:00Z, a Monday. */
export const T0 = Date.UTC(2026, 0, 5);

export const PROGRAM: Program = loadProgram();

let counter = 0;

export interface OrderSpec {
  memberId?: string | null;
  orderId?: string;
  eventId?: string;
  at?: number;
  /** Line totals by category, one unit each; default one ENTREE line of `cents`. */
  lines?: { category: string; cents: number }[];
  cents?: number;
  discountCents?: number;
  redemptions?: number[];
  card?: string | null;
  employee?: boolean;
  channel?: OrderEvent['channel'];
}

export function completed(spec: OrderSpec = {}): OrderEvent {
  counter += 1;
  const lines = (spec.lines ?? [{ category: 'ENTREE', cents: spec.cents ?? 1000 }]).map((line, i) => ({
    sku: `SKU-${i}`, category: line.category, quantity: 1, unitPriceCents: line.cents, lineTotalCents: line.cents,
  }));
  const discountCents = spec.discountCents ?? 0;
  const sum = lines.reduce((s, l) => s + l.lineTotalCents, 0);
  return {
    eventId: spec.eventId ?? `evt-${counter}`,
    type: 'COMPLETED',
    orderId: spec.orderId ?? `ord-${counter}`,
    memberId: spec.memberId === undefined ? 'm-1' : spec.memberId,
    storeId: 's-1',
    storeTimeZone: 'America/Chicago',
    channel: spec.channel ?? 'IN_STORE',
    occurredAt: spec.at ?? T0,
    currency: 'USD',
    lines,
    discountCents,
    taxCents: 0,
    tipCents: 0,
    totalCents: sum - discountCents,
    refundCents: 0,
    redemptions: (spec.redemptions ?? []).map((points, i) => ({ rewardId: `rw-${i}`, points })),
    payment: { method: spec.card ? 'CARD' : 'CASH', cardFingerprint: spec.card ?? null },
    deviceId: null,
    employee: spec.employee ?? false,
  };
}

export function refunded(of: OrderEvent, refundCents: number, at: number, eventId?: string): OrderEvent {
  counter += 1;
  return {
    ...of, eventId: eventId ?? `evt-${counter}`, type: 'REFUNDED', occurredAt: at, lines: [], redemptions: [],
    refundCents,
  };
}

export function releaseCommand(memberId: string, orderId: string, issuedAt: number, commandId = `cmd-${orderId}`): Command {
  return { commandId, type: 'RELEASE', memberId, orderId, reason: 'checked by support', issuedBy: 'ops@example.com', issuedAt };
}

export function sharedCardSignal(order: OrderEvent, signalId = `${order.eventId}/SHARED_CARD`): FraudSignal {
  return {
    signalId, rule: 'SHARED_CARD', action: 'HOLD', score: 90, orderId: order.orderId, memberId: order.memberId,
    storeId: order.storeId, cardFingerprint: order.payment.cardFingerprint, details: '{}', occurredAt: order.occurredAt,
  };
}

export function campaign(overrides: Partial<Campaign> & Pick<Campaign, 'campaignId' | 'type' | 'params'>): Campaign {
  return {
    version: 1, startsAt: T0 - 365 * DAY, endsAt: T0 + 365 * DAY, channels: null, stores: null, tiers: null, daypart: null,
    minEligibleCents: 0, controlGroupBp: 0, maxAwardsPerMember: null, exclusiveGroup: null, ...overrides,
  };
}

/** A member processor on the TestDriver with typed accessors. */
export class MemberHarness {
  readonly driver: TestDriver;
  duplicates = 0;

  constructor(program: Program = PROGRAM) {
    this.driver = new TestDriver(createMemberProcessor({ program, onDuplicate: () => { this.duplicates += 1; } }));
  }

  order(event: OrderEvent | Record<string, unknown>, key?: string | null): this {
    const e = event as Partial<OrderEvent>;
    this.driver.pipe('orders.v1', key === undefined ? (e.memberId ?? e.orderId ?? null) : key, event);
    return this;
  }

  signal(signal: FraudSignal, key: string | null = signal.memberId ?? signal.orderId): this {
    this.driver.pipe('fraud.signals.v1', key, signal);
    return this;
  }

  command(command: Command | Record<string, unknown>, key: string | null = (command as Command).memberId): this {
    this.driver.pipe('loyalty.commands.v1', key, command);
    return this;
  }

  tick(time: number): this {
    this.driver.tick(time);
    return this;
  }

  ledger(): LedgerEntry[] {
    return this.driver.outputs('ledger').map((o) => o.value as LedgerEntry);
  }

  /** Ledger as compact tuples [kind, orderId, pending, available, held, occurredAt] for readable assertions. */
  moves(): [string, string | null, number, number, number, number][] {
    return this.ledger().map((e) => [e.kind, e.orderId, e.pendingDelta, e.availableDelta, e.heldDelta, e.occurredAt]);
  }

  snapshots(): MemberSnapshot[] {
    return this.driver.outputs('members').map((o) => o.value as MemberSnapshot);
  }

  last(memberId = 'm-1'): MemberSnapshot {
    const found = this.snapshots().filter((s) => s.memberId === memberId).at(-1);
    if (found === undefined) throw new Error(`no snapshot of ${memberId}`);
    return found;
  }

  balances(memberId = 'm-1'): { pending: number; available: number; held: number } {
    const s = this.last(memberId);
    return { pending: s.pendingPoints, available: s.availablePoints, held: s.heldPoints };
  }

  signals(): FraudSignal[] {
    return this.driver.outputs('signals').map((o) => o.value as FraudSignal);
  }

  rules(): string[] {
    return this.signals().map((s) => s.rule);
  }

  decisions(): PromotionDecision[] {
    return this.driver.outputs('decisions').map((o) => o.value as PromotionDecision);
  }

  dlq(): string[] {
    return this.driver.deadLetters().map((d) => d.reason);
  }
}
