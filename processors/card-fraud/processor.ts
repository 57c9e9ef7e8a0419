// The `card-fraud` processor: orders.by-card.v1 (key cardFingerprint, written by the member
// processor with only accepted COMPLETED orders) → SHARED_CARD HOLD signals on fraud.signals.v1,
// keyed like orders.v1 (memberId, or orderId for a guest) so the member task owning that key
// receives it. State per card: its uses inside the window, as JSON in field `u`.
import type { FraudSignal, OrderEvent, Program } from '../../avro/records.ts';
import type { ProcessorDefinition } from '../../engine/types.ts';
import { ValidationError } from '../../engine/errors.ts';
import { ACTIONS, SCORES } from '../member/fraud.ts';
import { decodeOrderEvent } from '../member/validate.ts';
import { recordUse, useOf, type CardUse } from './shared-card.ts';

export interface CardFraudTopics {
  byCard: string;
  signals: string;
}

export const DEFAULT_CARD_FRAUD_TOPICS: CardFraudTopics = { byCard: 'orders.by-card.v1', signals: 'fraud.signals.v1' };

export interface CardFraudOptions {
  program: Program;
  topics?: Partial<CardFraudTopics>;
}

const USES_FIELD = 'u';

export function createCardFraudProcessor(options: CardFraudOptions): ProcessorDefinition {
  const topics = { ...DEFAULT_CARD_FRAUD_TOPICS, ...options.topics };
  const { program } = options;
  return {
    name: 'card-fraud',
    inputs: [{ topic: topics.byCard }],
    outputs: { signals: { topic: topics.signals, schema: 'loyalty.fraud.FraudSignal' } },
    eventTime: (record) => {
      const time: unknown = typeof record.value === 'object' && record.value !== null
        ? (record.value as Record<string, unknown>).occurredAt : null;
      return typeof time === 'number' && Number.isSafeInteger(time) ? time : null;
    },
    process(ctx, record) {
      let order: OrderEvent;
      try {
        order = decodeOrderEvent(record.value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        ctx.deadLetter('SCHEMA_VIOLATION', error.message);
        return;
      }
      const card = order.payment.cardFingerprint;
      if (card === null || record.key !== card || order.type !== 'COMPLETED') {
        ctx.deadLetter('SCHEMA_VIOLATION', `orders.by-card.v1 carries COMPLETED orders keyed by their card fingerprint; got ${order.type} keyed ${JSON.stringify(record.key)}`);
        return;
      }
      ctx.advanceTo(order.occurredAt);
      const state = ctx.state(card);
      const stored = state.get(USES_FIELD);
      const result = recordUse(stored === undefined ? [] : (JSON.parse(stored) as CardUse[]), useOf(order), program);
      if (!result.counted) return;
      state.set(USES_FIELD, JSON.stringify(result.uses));
      for (const { use, members } of result.firings) {
        const signal: FraudSignal = {
          signalId: `${use.eventId}/SHARED_CARD`,
          rule: 'SHARED_CARD',
          action: ACTIONS.SHARED_CARD,
          score: SCORES.SHARED_CARD,
          orderId: use.orderId,
          memberId: use.memberId,
          storeId: use.storeId ?? null,
          cardFingerprint: card,
          details: JSON.stringify({
            rule: 'SHARED_CARD', members, distinctMembers: members.length,
            threshold: program.fraud.sharedCardMembers, windowHours: program.fraud.sharedCardWindowHours,
          }),
          occurredAt: use.occurredAt,
        };
        ctx.forward('signals', use.memberId ?? use.orderId, signal);
      }
    },
    onTimer: () => {},
  };
}
