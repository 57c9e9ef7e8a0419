// The `member` processor: one task per partition of orders.v1 (key memberId, or orderId for a
// guest), co-partitioned with fraud.signals.v1 and loyalty.commands.v1. It validates and
// deduplicates order events, applies RULES.md sections 3 and 5 through the pure modules of this
// folder, fires activation and expiry timers on stream time, and routes accepted COMPLETED
// orders with a card to orders.by-card.v1 for the card-fraud processor.
//
// Stream time: only accepted order events advance it (a dead-lettered or duplicate event changes
// nothing, RULES.md 1); signals and commands never do (a command's issuedAt is an operator's
// clock, which must not fire timers of the order stream); watermarks do, through the engine.
import type { Campaign, Program } from '../../avro/records.ts';
import type { KeyState, ProcessorContext, ProcessorDefinition, SourceRecord, Timer } from '../../engine/types.ts';
import { ValidationError } from '../../engine/errors.ts';
import { mergeCampaign } from '../promotions/evaluate.ts';
import { parseRfc3339 } from '../promotions/rfc3339.ts';
import { applyGuestCompleted, applyMemberCompleted, applyRefunded, type AcceptedOrder, type OrderEffects } from './apply-order.ts';
import { LedgerWriter, SignalWriter } from './effects.ts';
import { MEMBER_RULES } from './fraud.ts';
import {
  ACTIVATION_TIMER_PREFIX, EXPIRY_TIMER, activationSource, activationTimerName, eventSource, expirySource,
} from './ids.ts';
import { decodeCommand, decodeSignal } from './inputs.ts';
import { activateLot, expireAvailable, holdLot, releaseLot } from './lots.ts';
import { planRefund } from './refund.ts';
import { changedSnapshot, snapshotAt } from './snapshot.ts';
import { allOrders, isSeen, markSeen, pruneOld, readCore, readOrder, writeCore, writeOrder, type MemberCore } from './state.ts';
import { validateOrderEvent } from './validate.ts';

export interface MemberTopics {
  orders: string;
  signals: string;
  commands: string;
  ledger: string;
  members: string;
  decisions: string;
  byCard: string;
  campaigns: string;
}

export const DEFAULT_MEMBER_TOPICS: MemberTopics = {
  orders: 'orders.v1',
  signals: 'fraud.signals.v1',
  commands: 'loyalty.commands.v1',
  ledger: 'loyalty.ledger.v1',
  members: 'loyalty.members.v1',
  decisions: 'promotions.decisions.v1',
  byCard: 'orders.by-card.v1',
  campaigns: 'campaigns.v1',
};

export interface MemberProcessorOptions {
  program: Program;
  topics?: Partial<MemberTopics>;
  /** Called for each dropped duplicate (a repeated eventId, signalId or commandId), e.g. to count it. */
  onDuplicate?: (id: string, topic: string) => void;
}

/** Reason for a RELEASE command whose order's lot is not held. */
export const NOT_HELD = 'NOT_HELD';

export function createMemberProcessor(options: MemberProcessorOptions): ProcessorDefinition {
  const topics = { ...DEFAULT_MEMBER_TOPICS, ...options.topics };
  const { program } = options;
  const onDuplicate = options.onDuplicate ?? ((): void => {});

  /**
   * Emits the member's snapshot when the work in `change` altered one of its fields. The core is
   * parsed once and handed to `change`, which writes it back whenever it changes it.
   */
  const withSnapshot = (ctx: ProcessorContext, memberId: string, t: number, change: (state: KeyState, core: MemberCore) => void): void => {
    const state = ctx.state(memberId);
    const core = readCore(state);
    const before = snapshotAt(memberId, core, program, t);
    change(state, core);
    const after = changedSnapshot(before, snapshotAt(memberId, core, program, t));
    if (after !== null) ctx.forward('members', memberId, after);
  };

  const ledgerFor = (ctx: ProcessorContext, memberId: string, source: string, core: ReturnType<typeof readCore>): LedgerWriter =>
    new LedgerWriter(memberId, source, program.version, core, (entry) => ctx.forward('ledger', memberId, entry));

  function processOrder(ctx: ProcessorContext, record: SourceRecord): void {
    const validation = validateOrderEvent(record.value, program.currency);
    if (!validation.ok) {
      ctx.deadLetter(validation.reason, validation.message);
      return;
    }
    const order = validation.order;
    const key = order.memberId ?? order.orderId;
    if (record.key !== key) {
      ctx.deadLetter('SCHEMA_VIOLATION', `Kafka key ${JSON.stringify(record.key)} is not the order's ${order.memberId === null ? 'orderId (guest order)' : 'memberId'} ${key}`);
      return;
    }
    const state = ctx.state(key);
    if (isSeen(state, order.eventId)) {
      onDuplicate(order.eventId, record.topic);
      return;
    }
    const existing = readOrder(state, order.orderId);
    let refundPlan = null;
    if (order.type === 'COMPLETED' && existing !== undefined) {
      ctx.deadLetter('DUPLICATE_ORDER', `order ${order.orderId} was already completed by another event`);
      return;
    }
    if (order.type === 'REFUNDED') {
      if (existing === undefined) {
        ctx.deadLetter('UNKNOWN_ORDER', `order ${order.orderId} was never completed under key ${key}`);
        return;
      }
      refundPlan = planRefund(existing, order.refundCents);
      if (refundPlan === null) {
        ctx.deadLetter('REFUND_EXCEEDS_TOTAL', `cumulative refund ${existing.refundedCents + order.refundCents} of order ${order.orderId} exceeds its total ${existing.totalCents}`);
        return;
      }
    }

    // Accepted: due timers of every member fire before the event is applied (RULES.md 3, 6.15).
    ctx.advanceTo(order.occurredAt);
    markSeen(state, order.eventId, order.occurredAt);
    const input: AcceptedOrder = { order, source: eventSource(order.eventId), program, campaigns: campaigns(ctx) };
    if (order.memberId === null) applyGuest(ctx, state, input, refundPlan);
    else applyMember(ctx, order.memberId, input, refundPlan);
    // After applying, so that the order a refund names is still there when the refund is applied.
    pruneOld(state, order.occurredAt);
    if (order.type === 'COMPLETED' && order.payment.cardFingerprint !== null) {
      ctx.forward('byCard', order.payment.cardFingerprint, order);
    }
  }

  function effectsFor(ctx: ProcessorContext, key: string, input: AcceptedOrder, ledger: LedgerWriter): OrderEffects {
    const signals = new SignalWriter(input.source, (signal) => ctx.forward('signals', key, signal));
    return {
      ledger,
      signal: (draft) => signals.write(draft),
      decision: (decision) => ctx.forward('decisions', key, decision),
    };
  }

  function applyGuest(ctx: ProcessorContext, state: KeyState, input: AcceptedOrder, refundPlan: ReturnType<typeof planRefund>): void {
    const key = input.order.orderId;
    const core = readCore(state);
    const effects = effectsFor(ctx, key, input, ledgerFor(ctx, key, input.source, core));
    if (refundPlan === null) applyGuestCompleted(state, input, effects);
    else applyRefunded(state, core, input, refundPlan, effects);
  }

  function applyMember(ctx: ProcessorContext, memberId: string, input: AcceptedOrder, refundPlan: ReturnType<typeof planRefund>): void {
    withSnapshot(ctx, memberId, input.order.occurredAt, (state, core) => {
      const effects = effectsFor(ctx, memberId, input, ledgerFor(ctx, memberId, input.source, core));
      if (refundPlan !== null) {
        applyRefunded(state, core, input, refundPlan, effects);
        writeCore(state, core);
        return;
      }
      const outcome = applyMemberCompleted(state, core, input, effects);
      writeCore(state, core);
      if (outcome.activationDueAt !== null) {
        ctx.schedule({ key: memberId, name: activationTimerName(input.order.orderId), dueAt: outcome.activationDueAt });
      }
      if (outcome.expiryDueAt !== null) ctx.schedule({ key: memberId, name: EXPIRY_TIMER, dueAt: outcome.expiryDueAt });
    });
    // A late event's timers may already be due: fire them now, in the engine's order.
    ctx.advanceTo(ctx.streamTime());
  }

  function processSignal(ctx: ProcessorContext, record: SourceRecord): void {
    const signal = decodeOrDeadLetter(ctx, () => decodeSignal(record.value));
    if (signal === null) return;
    if (MEMBER_RULES.includes(signal.rule) || signal.action !== 'HOLD' || signal.orderId === null || record.key === null) return;
    const { orderId } = signal;
    const memberId = record.key;
    const state = ctx.state(memberId);
    if (isSeen(state, signal.signalId)) {
      onDuplicate(signal.signalId, record.topic);
      return;
    }
    markSeen(state, signal.signalId, signal.occurredAt);
    const order = readOrder(state, orderId);
    if (order === undefined || order.guest) return;
    withSnapshot(ctx, memberId, signal.occurredAt, (_state, core) => {
      if (holdLot(ledgerFor(ctx, memberId, signal.signalId, core), orderId, order, signal.occurredAt)) {
        writeOrder(state, orderId, order);
        writeCore(state, core);
        ctx.cancel(memberId, activationTimerName(orderId));
      }
    });
  }

  function processCommand(ctx: ProcessorContext, record: SourceRecord): void {
    const command = decodeOrDeadLetter(ctx, () => decodeCommand(record.value));
    if (command === null) return;
    if (record.key !== command.memberId) {
      ctx.deadLetter('SCHEMA_VIOLATION', `Kafka key ${JSON.stringify(record.key)} is not the command's memberId ${command.memberId}`);
      return;
    }
    const state = ctx.state(command.memberId);
    if (isSeen(state, command.commandId)) {
      onDuplicate(command.commandId, record.topic);
      return;
    }
    const order = readOrder(state, command.orderId);
    if (order === undefined || order.guest) {
      ctx.deadLetter('UNKNOWN_ORDER', `member ${command.memberId} has no order ${command.orderId}`);
      return;
    }
    if (order.lot !== 'held') {
      ctx.deadLetter(NOT_HELD, `the points of order ${command.orderId} are not held (they are ${order.lot})`);
      return;
    }
    markSeen(state, command.commandId, command.issuedAt);
    withSnapshot(ctx, command.memberId, command.issuedAt, (_state, core) => {
      releaseLot(ledgerFor(ctx, command.memberId, command.commandId, core), command.orderId, order, command.issuedAt);
      writeOrder(state, command.orderId, order);
      writeCore(state, core);
    });
  }

  function fireTimer(ctx: ProcessorContext, timer: Timer): void {
    const memberId = timer.key;
    withSnapshot(ctx, memberId, timer.dueAt, (state, core) => {
      if (timer.name.startsWith(ACTIVATION_TIMER_PREFIX)) {
        const orderId = timer.name.slice(ACTIVATION_TIMER_PREFIX.length);
        const order = readOrder(state, orderId);
        if (order === undefined) return;
        if (activateLot(ledgerFor(ctx, memberId, activationSource(memberId, orderId), core), orderId, order, timer.dueAt)) {
          writeOrder(state, orderId, order);
        }
      } else if (timer.name === EXPIRY_TIMER) {
        const ledger = ledgerFor(ctx, memberId, expirySource(memberId, timer.dueAt), core);
        for (const [orderId, order] of expireAvailable(ledger, core, allOrders(state), timer.dueAt)) writeOrder(state, orderId, order);
      }
      writeCore(state, core);
    });
  }

  return {
    name: 'member',
    inputs: [{ topic: topics.orders }, { topic: topics.signals }, { topic: topics.commands }],
    outputs: {
      ledger: { topic: topics.ledger, schema: 'loyalty.ledger.LedgerEntry' },
      members: { topic: topics.members, schema: 'loyalty.members.MemberSnapshot' },
      decisions: { topic: topics.decisions, schema: 'loyalty.promotions.PromotionDecision' },
      signals: { topic: topics.signals, schema: 'loyalty.fraud.FraudSignal' },
      byCard: { topic: topics.byCard, schema: 'loyalty.orders.OrderEvent' },
    },
    globals: { campaigns: { topic: topics.campaigns, merge: mergeCampaign } },
    eventTime: (record) => (record.topic === topics.orders ? orderTime(record.value) : null),
    process(ctx, record) {
      if (record.topic === topics.orders) processOrder(ctx, record);
      else if (record.topic === topics.signals) processSignal(ctx, record);
      else if (record.topic === topics.commands) processCommand(ctx, record);
    },
    onTimer: fireTimer,
  };
}

/** The decoded value, or null after sending the record to the DLQ as a SCHEMA_VIOLATION. */
function decodeOrDeadLetter<T>(ctx: ProcessorContext, decode: () => T): T | null {
  try {
    return decode();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    ctx.deadLetter('SCHEMA_VIOLATION', error.message);
    return null;
  }
}

function campaigns(ctx: ProcessorContext): Campaign[] {
  return [...ctx.global<Campaign>('campaigns').values()];
}

/** A cheap bound of an order's event time for preloading; validation decides the real one. */
function orderTime(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const time: unknown = (value as Record<string, unknown>).occurredAt;
  if (typeof time === 'string') return parseRfc3339(time);
  return typeof time === 'number' && Number.isSafeInteger(time) ? time : null;
}
