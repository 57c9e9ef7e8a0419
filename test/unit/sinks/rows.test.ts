import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FraudSignal, LedgerEntry, MemberSnapshot, OrderEvent, PromotionDecision } from '../../../avro/records.ts';
import { DLQ_HEADERS } from '../../../engine/types.ts';
import {
  appendRows, clickhouseTime, decisionRows, dlqRows, fraudRows, ledgerRows, memberRows, orderRows, type TableRows,
} from '../../../sinks/clickhouse/rows.ts';

const source = { partition: 2, offset: '41' };
const T = Date.UTC(2025, 0, 6, 12, 43, 24, 634);

const order: OrderEvent = {
  eventId: 'ev-1', type: 'COMPLETED', orderId: 'o-1', memberId: 'm-1', storeId: 's-1', storeTimeZone: 'America/New_York',
  channel: 'APP', occurredAt: T, currency: 'USD',
  lines: [
    { sku: 'COFFEE-M', category: 'COFFEE', quantity: 3, unitPriceCents: 250, lineTotalCents: 750 },
    { sku: 'OJ', category: 'BEVERAGE', quantity: 1, unitPriceCents: 300, lineTotalCents: 300 },
  ],
  discountCents: 100, taxCents: 80, tipCents: 0, totalCents: 1030, refundCents: 0,
  redemptions: [{ rewardId: 'free-coffee', points: 500 }],
  payment: { method: 'CARD', cardFingerprint: 'fp-1' }, deviceId: null, employee: false,
};

describe('clickhouseTime', () => {
  const cases: [number, string][] = [
    [0, '1970-01-01 00:00:00.000'],
    [T, '2025-01-06 12:43:24.634'],
    [Date.UTC(2024, 1, 29, 23, 59, 59, 999), '2024-02-29 23:59:59.999'],
  ];
  for (const [millis, text] of cases) {
    test(`${millis} -> ${text}`, () => assert.equal(clickhouseTime(millis), text));
  }
  test('refuses a non-integer', () => assert.throws(() => clickhouseTime(1.5), RangeError));
});

describe('orderRows', () => {
  test('one order row with the subtotal and redemptions, one row per line with its index', () => {
    const rows = orderRows(order, source);
    assert.equal(rows.orders?.length, 1);
    assert.deepEqual(rows.orders?.[0], {
      eventId: 'ev-1', type: 'COMPLETED', orderId: 'o-1', memberId: 'm-1', storeId: 's-1', storeTimeZone: 'America/New_York',
      channel: 'APP', occurredAt: '2025-01-06 12:43:24.634', currency: 'USD', subtotalCents: 1050, discountCents: 100,
      taxCents: 80, tipCents: 0, totalCents: 1030, refundCents: 0, redemptionRewardIds: ['free-coffee'], redemptionPoints: [500],
      paymentMethod: 'CARD', cardFingerprint: 'fp-1', deviceId: null, employee: false, sourcePartition: 2, sourceOffset: '41',
    });
    assert.deepEqual(rows.order_lines?.map((l) => [l.lineNo, l.sku, l.quantity, l.lineTotalCents, l.storeId, l.memberId]),
      [[0, 'COFFEE-M', 3, 750, 's-1', 'm-1'], [1, 'OJ', 1, 300, 's-1', 'm-1']]);
  });

  test('a guest order keeps a null memberId', () => {
    const rows = orderRows({ ...order, memberId: null }, source);
    assert.equal(rows.orders?.[0]?.memberId, null);
    assert.equal(rows.order_lines?.[0]?.memberId, null);
  });
});

describe('ledgerRows', () => {
  test('maps every field, deltas stay signed integers', () => {
    const entry: LedgerEntry = {
      entryId: 'le-1', memberId: 'm-1', kind: 'REVERSAL', orderId: 'o-1', campaignId: null,
      pendingDelta: -120, availableDelta: 0, heldDelta: 0, occurredAt: T, programVersion: 3,
    };
    assert.deepEqual(ledgerRows(entry, source).ledger_entries, [{
      entryId: 'le-1', memberId: 'm-1', kind: 'REVERSAL', orderId: 'o-1', campaignId: null, pendingDelta: -120,
      availableDelta: 0, heldDelta: 0, occurredAt: '2025-01-06 12:43:24.634', programVersion: 3, sourcePartition: 2, sourceOffset: '41',
    }]);
  });
});

describe('memberRows', () => {
  const snapshot: MemberSnapshot = {
    memberId: 'm-1', tier: 'GOLD', pendingPoints: 10, availablePoints: 20, heldPoints: 0, lifetimeEarnedPoints: 30,
    qualifyingSpendCents: 4000, orderCount: 2, lastActivityAt: T, updatedAt: T + 1,
  };
  test('times as text, lastActivityAt may be null', () => {
    assert.equal(memberRows(snapshot, source).member_snapshots?.[0]?.lastActivityAt, '2025-01-06 12:43:24.634');
    assert.equal(memberRows(snapshot, source).member_snapshots?.[0]?.updatedAt, '2025-01-06 12:43:24.635');
    assert.equal(memberRows({ ...snapshot, lastActivityAt: null }, source).member_snapshots?.[0]?.lastActivityAt, null);
  });
});

describe('decisionRows', () => {
  const decision: PromotionDecision = {
    decisionId: 'd-1', orderId: 'o-1', memberId: 'm-1', occurredAt: T,
    evaluations: [
      { campaignId: 'c-a', campaignVersion: 1, outcome: 'AWARDED', reason: null, bonusPoints: 50, progress: null },
      { campaignId: 'c-b', campaignVersion: 2, outcome: 'NOT_ELIGIBLE', reason: 'PROGRESS', bonusPoints: 0, progress: 3 },
      { campaignId: 'c-c', campaignVersion: 1, outcome: 'CONTROL', reason: 'CONTROL_GROUP', bonusPoints: 0, progress: null },
    ],
  };
  test('one row per evaluation, carrying the decision id, order and member', () => {
    const rows = decisionRows(decision, source).promotion_evaluations ?? [];
    assert.deepEqual(rows.map((r) => [r.decisionId, r.campaignId, r.outcome, r.reason, r.bonusPoints, r.progress, r.orderId]), [
      ['d-1', 'c-a', 'AWARDED', null, 50, null, 'o-1'],
      ['d-1', 'c-b', 'NOT_ELIGIBLE', 'PROGRESS', 0, 3, 'o-1'],
      ['d-1', 'c-c', 'CONTROL', 'CONTROL_GROUP', 0, null, 'o-1'],
    ]);
  });
  test('a decision without evaluations has no rows', () => {
    assert.deepEqual(decisionRows({ ...decision, evaluations: [] }, source).promotion_evaluations, []);
  });
});

describe('fraudRows', () => {
  test('maps a guest signal with nulls', () => {
    const signal: FraudSignal = {
      signalId: 'f-1', rule: 'SHARED_CARD', action: 'HOLD', score: 90, orderId: 'o-1', memberId: null, storeId: null,
      cardFingerprint: 'fp-1', details: '{"members":3}', occurredAt: T,
    };
    const [row] = fraudRows(signal, source).fraud_signals ?? [];
    assert.equal(row?.memberId, null);
    assert.equal(row?.rule, 'SHARED_CARD');
    assert.equal(row?.score, 90);
    assert.equal(row?.details, '{"members":3}');
  });
});

describe('dlqRows', () => {
  const letter = {
    topic: 'orders.v1.dlq', partition: 0, offset: '7', key: 'm-1', value: Buffer.from([0, 1, 2]), timestamp: T,
    headers: {
      [DLQ_HEADERS.reason]: 'SCHEMA_VIOLATION', [DLQ_HEADERS.error]: 'lines[0].quantity: expected int',
      [DLQ_HEADERS.topic]: 'orders.v1', [DLQ_HEADERS.partition]: '3', [DLQ_HEADERS.offset]: '99', [DLQ_HEADERS.time]: String(T + 5),
    },
  };
  test('reads the reason headers and keeps the bytes as base64', () => {
    assert.deepEqual(dlqRows(letter).dlq_events, [{
      dlqTopic: 'orders.v1.dlq', dlqPartition: 0, dlqOffset: '7', reason: 'SCHEMA_VIOLATION', error: 'lines[0].quantity: expected int',
      sourceTopic: 'orders.v1', sourcePartition: '3', sourceOffset: '99', deadLetteredAt: '2025-01-06 12:43:24.639', key: 'm-1', valueBase64: 'AAEC',
    }]);
  });
  test('missing or odd headers fall back to the record timestamp and nulls', () => {
    const [row] = dlqRows({ ...letter, value: null, headers: { [DLQ_HEADERS.partition]: 'x', [DLQ_HEADERS.time]: '2025-01-06T12:43:24.000Z' } }).dlq_events ?? [];
    assert.equal(row?.reason, 'UNKNOWN');
    assert.equal(row?.sourcePartition, null);
    assert.equal(row?.deadLetteredAt, '2025-01-06 12:43:24.000');
    assert.equal(row?.valueBase64, '');
    const [fallback] = dlqRows({ ...letter, headers: {} }).dlq_events ?? [];
    assert.equal(fallback?.deadLetteredAt, '2025-01-06 12:43:24.634');
  });
});

describe('appendRows', () => {
  test('concatenates table by table', () => {
    const target: TableRows = {};
    appendRows(target, orderRows(order, source));
    appendRows(target, orderRows({ ...order, eventId: 'ev-2' }, { partition: 2, offset: '42' }));
    assert.deepEqual(target.orders?.map((r) => r.eventId), ['ev-1', 'ev-2']);
    assert.equal(target.order_lines?.length, 4);
    assert.equal(target.ledger_entries, undefined);
  });
});
