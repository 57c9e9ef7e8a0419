// Pure mapping of decoded records to the rows of the ClickHouse tables (migrations/001). Times go
// in as 'YYYY-MM-DD hh:mm:ss.mmm' UTC text, which DateTime64(3, 'UTC') parses exactly; money and
// points stay integers. Nothing here reads the clock: a replay maps to byte-identical rows.
import { DLQ_HEADERS } from '../../engine/types.ts';
import type { FraudSignal, LedgerEntry, MemberSnapshot, OrderEvent, PromotionDecision } from '../../avro/records.ts';

/** Where a row came from in Kafka. */
export interface Origin {
  partition: number;
  offset: string;
}

export type Row = Record<string, string | number | boolean | null | string[] | number[]>;

/** The tables the sink writes, in the order a batch's inserts are made. */
export const SINK_TABLES = [
  'orders', 'order_lines', 'ledger_entries', 'member_snapshots', 'promotion_evaluations', 'fraud_signals', 'dlq_events',
] as const;
export type SinkTable = typeof SINK_TABLES[number];

/** Rows of one record (or one batch), per table. */
export type TableRows = Partial<Record<SinkTable, Row[]>>;

/** Epoch millis as DateTime64(3) text in UTC. */
export function clickhouseTime(epochMillis: number): string {
  if (!Number.isSafeInteger(epochMillis)) throw new RangeError(`not an epoch-millis integer: ${epochMillis}`);
  return new Date(epochMillis).toISOString().replace('T', ' ').replace('Z', '');
}

function origin(source: Origin): Row {
  return { sourcePartition: source.partition, sourceOffset: source.offset };
}

export function orderRows(order: OrderEvent, source: Origin): TableRows {
  const occurredAt = clickhouseTime(order.occurredAt);
  const lines = order.lines.map((line, index): Row => ({
    eventId: order.eventId,
    lineNo: index,
    type: order.type,
    orderId: order.orderId,
    memberId: order.memberId,
    storeId: order.storeId,
    channel: order.channel,
    occurredAt,
    sku: line.sku,
    category: line.category,
    quantity: line.quantity,
    unitPriceCents: line.unitPriceCents,
    lineTotalCents: line.lineTotalCents,
    ...origin(source),
  }));
  const orderRow: Row = {
    eventId: order.eventId,
    type: order.type,
    orderId: order.orderId,
    memberId: order.memberId,
    storeId: order.storeId,
    storeTimeZone: order.storeTimeZone,
    channel: order.channel,
    occurredAt,
    currency: order.currency,
    subtotalCents: order.lines.reduce((sum, line) => sum + line.lineTotalCents, 0),
    discountCents: order.discountCents,
    taxCents: order.taxCents,
    tipCents: order.tipCents,
    totalCents: order.totalCents,
    refundCents: order.refundCents,
    redemptionRewardIds: order.redemptions.map((r) => r.rewardId),
    redemptionPoints: order.redemptions.map((r) => r.points),
    paymentMethod: order.payment.method,
    cardFingerprint: order.payment.cardFingerprint,
    deviceId: order.deviceId,
    employee: order.employee,
    ...origin(source),
  };
  return { orders: [orderRow], order_lines: lines };
}

export function ledgerRows(entry: LedgerEntry, source: Origin): TableRows {
  return {
    ledger_entries: [{
      entryId: entry.entryId,
      memberId: entry.memberId,
      kind: entry.kind,
      orderId: entry.orderId,
      campaignId: entry.campaignId,
      pendingDelta: entry.pendingDelta,
      availableDelta: entry.availableDelta,
      heldDelta: entry.heldDelta,
      occurredAt: clickhouseTime(entry.occurredAt),
      programVersion: entry.programVersion,
      ...origin(source),
    }],
  };
}

export function memberRows(snapshot: MemberSnapshot, source: Origin): TableRows {
  return {
    member_snapshots: [{
      memberId: snapshot.memberId,
      tier: snapshot.tier,
      pendingPoints: snapshot.pendingPoints,
      availablePoints: snapshot.availablePoints,
      heldPoints: snapshot.heldPoints,
      lifetimeEarnedPoints: snapshot.lifetimeEarnedPoints,
      qualifyingSpendCents: snapshot.qualifyingSpendCents,
      orderCount: snapshot.orderCount,
      lastActivityAt: snapshot.lastActivityAt === null ? null : clickhouseTime(snapshot.lastActivityAt),
      updatedAt: clickhouseTime(snapshot.updatedAt),
      ...origin(source),
    }],
  };
}

/** One row per campaign evaluated; a decision without evaluations has no rows. */
export function decisionRows(decision: PromotionDecision, source: Origin): TableRows {
  const occurredAt = clickhouseTime(decision.occurredAt);
  return {
    promotion_evaluations: decision.evaluations.map((evaluation): Row => ({
      decisionId: decision.decisionId,
      campaignId: evaluation.campaignId,
      campaignVersion: evaluation.campaignVersion,
      orderId: decision.orderId,
      memberId: decision.memberId,
      occurredAt,
      outcome: evaluation.outcome,
      reason: evaluation.reason,
      bonusPoints: evaluation.bonusPoints,
      progress: evaluation.progress,
      ...origin(source),
    })),
  };
}

export function fraudRows(signal: FraudSignal, source: Origin): TableRows {
  return {
    fraud_signals: [{
      signalId: signal.signalId,
      rule: signal.rule,
      action: signal.action,
      score: signal.score,
      orderId: signal.orderId,
      memberId: signal.memberId,
      storeId: signal.storeId,
      cardFingerprint: signal.cardFingerprint,
      details: signal.details,
      occurredAt: clickhouseTime(signal.occurredAt),
      ...origin(source),
    }],
  };
}

/** A dead letter as read from a `*.dlq` topic (or a record the sink itself could not decode). */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** The Kafka timestamp of the dead letter (epoch millis), used when the time header is absent. */
  timestamp: number;
}

function parseTime(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (/^\d+$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? fallback : parsed;
}

function optionalDigits(text: string | undefined): string | null {
  return text !== undefined && /^\d+$/.test(text) ? text : null;
}

export function dlqRows(letter: DeadLetter): TableRows {
  const h = letter.headers;
  return {
    dlq_events: [{
      dlqTopic: letter.topic,
      dlqPartition: letter.partition,
      dlqOffset: letter.offset,
      reason: h[DLQ_HEADERS.reason] ?? 'UNKNOWN',
      error: h[DLQ_HEADERS.error] ?? '',
      sourceTopic: h[DLQ_HEADERS.topic] ?? '',
      sourcePartition: optionalDigits(h[DLQ_HEADERS.partition]),
      sourceOffset: optionalDigits(h[DLQ_HEADERS.offset]),
      deadLetteredAt: clickhouseTime(parseTime(h[DLQ_HEADERS.time], letter.timestamp)),
      key: letter.key,
      valueBase64: letter.value ? letter.value.toString('base64') : '',
    }],
  };
}

/** Appends the rows of one record to a batch's rows, table by table. */
export function appendRows(target: TableRows, rows: TableRows): void {
  for (const table of SINK_TABLES) {
    const more = rows[table];
    if (!more || more.length === 0) continue;
    const existing = target[table];
    if (existing) existing.push(...more);
    else target[table] = [...more];
  }
}
