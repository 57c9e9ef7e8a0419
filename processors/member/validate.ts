// Validation of a decoded order event (RULES.md 1 and 6.1, 6.16). Values arrive as plain
// objects, from Avro or, in tests and the CLI, from JSON, so every field is checked for presence
// and type before any value check. The first failure decides the dead-letter reason.
import type { Channel, OrderEvent, OrderLine, OrderEventType, Payment, PaymentMethod, Redemption } from '../../avro/records.ts';
import { ValidationError } from '../../engine/errors.ts';
import { parseRfc3339 } from '../promotions/rfc3339.ts';
import { isIanaZoneName } from './iana-zones.ts';

export type OrderRejectReason =
  | 'SCHEMA_VIOLATION' | 'NEGATIVE_AMOUNT' | 'NON_POSITIVE_REFUND'
  | 'LINE_TOTAL_MISMATCH' | 'TOTAL_MISMATCH' | 'CURRENCY_MISMATCH';

export type OrderValidation =
  | { ok: true; order: OrderEvent }
  | { ok: false; reason: OrderRejectReason; message: string };

const EVENT_TYPES: readonly OrderEventType[] = ['COMPLETED', 'REFUNDED'];
const CHANNELS: readonly Channel[] = ['IN_STORE', 'DRIVE_THRU', 'KIOSK', 'WEB', 'APP', 'DELIVERY'];
const PAYMENT_METHODS: readonly PaymentMethod[] = ['CARD', 'CASH', 'GIFT_CARD', 'WALLET'];
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Schema checks, then value checks in RULES.md 6.1 order. `currency` is the program's. */
export function validateOrderEvent(value: unknown, currency: string): OrderValidation {
  let order: OrderEvent;
  try {
    order = decodeOrderEvent(value);
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, reason: 'SCHEMA_VIOLATION', message: error.message };
    throw error;
  }
  const valueFault = firstValueFault(order, currency);
  return valueFault === null ? { ok: true, order } : { ok: false, ...valueFault };
}

/** The typed order, or a ValidationError naming the first missing or ill-typed field. */
export function decodeOrderEvent(value: unknown): OrderEvent {
  const obj = record(value, '');
  const employee = obj.employee === undefined ? false : bool(obj.employee, 'employee');
  return {
    eventId: str(obj.eventId, 'eventId'),
    type: oneOf(obj.type, 'type', EVENT_TYPES),
    orderId: str(obj.orderId, 'orderId'),
    memberId: nullable(obj.memberId, 'memberId', str),
    storeId: str(obj.storeId, 'storeId'),
    storeTimeZone: timeZone(obj.storeTimeZone, 'storeTimeZone'),
    channel: oneOf(obj.channel, 'channel', CHANNELS),
    occurredAt: timestamp(obj.occurredAt, 'occurredAt'),
    currency: str(obj.currency, 'currency'),
    lines: array(obj.lines, 'lines', line),
    discountCents: long(obj.discountCents, 'discountCents'),
    taxCents: long(obj.taxCents, 'taxCents'),
    tipCents: long(obj.tipCents, 'tipCents'),
    totalCents: long(obj.totalCents, 'totalCents'),
    refundCents: long(obj.refundCents, 'refundCents'),
    redemptions: array(obj.redemptions, 'redemptions', redemption),
    payment: payment(obj.payment, 'payment'),
    deviceId: nullable(obj.deviceId, 'deviceId', str),
    employee,
  };
}

function firstValueFault(order: OrderEvent, currency: string): { reason: OrderRejectReason; message: string } | null {
  const negative = negativeField(order);
  if (negative !== null) return { reason: 'NEGATIVE_AMOUNT', message: `${negative} is negative` };
  if (order.type === 'REFUNDED' && order.refundCents === 0) {
    return { reason: 'NON_POSITIVE_REFUND', message: 'refundCents is 0 on a REFUNDED event' };
  }
  for (const [i, l] of order.lines.entries()) {
    if (BigInt(l.quantity) * BigInt(l.unitPriceCents) !== BigInt(l.lineTotalCents)) {
      return {
        reason: 'LINE_TOTAL_MISMATCH',
        message: `lines[${i}].lineTotalCents ${l.lineTotalCents} != quantity ${l.quantity} x unitPriceCents ${l.unitPriceCents}`,
      };
    }
  }
  if (order.type === 'COMPLETED') {
    const expected = order.lines.reduce((sum, l) => sum + BigInt(l.lineTotalCents), 0n)
      - BigInt(order.discountCents) + BigInt(order.taxCents) + BigInt(order.tipCents);
    if (expected !== BigInt(order.totalCents)) {
      return {
        reason: 'TOTAL_MISMATCH',
        message: `totalCents ${order.totalCents} != lines - discount + tax + tip = ${expected}`,
      };
    }
  }
  if (order.currency !== currency) {
    return { reason: 'CURRENCY_MISMATCH', message: `currency ${order.currency} is not the program currency ${currency}` };
  }
  return null;
}

/** The path of the first negative amount (cents, quantity, redemption points), or null. */
function negativeField(order: OrderEvent): string | null {
  for (const [i, l] of order.lines.entries()) {
    if (l.quantity < 0) return `lines[${i}].quantity`;
    if (l.unitPriceCents < 0) return `lines[${i}].unitPriceCents`;
    if (l.lineTotalCents < 0) return `lines[${i}].lineTotalCents`;
  }
  const amounts = ['discountCents', 'taxCents', 'tipCents', 'totalCents', 'refundCents'] as const;
  for (const field of amounts) if (order[field] < 0) return field;
  for (const [i, r] of order.redemptions.entries()) if (r.points < 0) return `redemptions[${i}].points`;
  return null;
}

function line(value: unknown, path: string): OrderLine {
  const obj = record(value, path);
  return {
    sku: str(obj.sku, `${path}.sku`),
    category: str(obj.category, `${path}.category`),
    quantity: int32(obj.quantity, `${path}.quantity`),
    unitPriceCents: long(obj.unitPriceCents, `${path}.unitPriceCents`),
    lineTotalCents: long(obj.lineTotalCents, `${path}.lineTotalCents`),
  };
}

function redemption(value: unknown, path: string): Redemption {
  const obj = record(value, path);
  return { rewardId: str(obj.rewardId, `${path}.rewardId`), points: long(obj.points, `${path}.points`) };
}

function payment(value: unknown, path: string): Payment {
  const obj = record(value, path);
  return {
    method: oneOf(obj.method, `${path}.method`, PAYMENT_METHODS),
    cardFingerprint: nullable(obj.cardFingerprint, `${path}.cardFingerprint`, str),
  };
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(path, 'an object', `${path || 'record'}: ${value === undefined ? 'missing' : 'expected an object'}`);
  }
  return value as Record<string, unknown>;
}

function fail(value: unknown, path: string, expected: string): never {
  throw new ValidationError(path, expected, value === undefined ? `${path}: missing (expected ${expected})` : undefined);
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(value, path, 'a string');
  return value;
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(value, path, 'a boolean');
  return value;
}

function nullable<T>(value: unknown, path: string, inner: (v: unknown, p: string) => T): T | null {
  if (value === null) return null;
  if (value === undefined) fail(value, path, 'a value or null');
  return inner(value, path);
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(value, path, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function array<T>(value: unknown, path: string, item: (v: unknown, p: string) => T): T[] {
  if (!Array.isArray(value)) fail(value, path, 'an array');
  return value.map((v, i) => item(v, `${path}[${i}]`));
}

/** An Avro long as a plain number: whole and within ±(2^53 − 1) (RULES.md 6.16). */
function long(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(value, path, 'an integer (long)');
  return value;
}

function int32(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    fail(value, path, 'a 32-bit integer (int)');
  }
  return value;
}

/** Epoch millis, or an RFC 3339 date-time with an offset (truncated to the millisecond). */
function timestamp(value: unknown, path: string): number {
  if (typeof value === 'string') {
    const millis = parseRfc3339(value);
    if (millis === null) fail(value, path, 'epoch millis or an RFC 3339 date-time with Z or an offset');
    return millis;
  }
  return long(value, path);
}

/**
 * An exact IANA name (links such as US/Central included) that this runtime can also convert with:
 * Intl accepts `us/central` and canonicalizes links, so the name list decides exactness.
 */
function timeZone(value: unknown, path: string): string {
  const name = str(value, path);
  if (!isIanaZoneName(name) || !intlAccepts(name)) fail(value, path, 'an exact IANA time zone name');
  return name;
}

/** Building a formatter is costly and the set of zones is small: each name is tried once. */
const intlVerdicts = new Map<string, boolean>();

function intlAccepts(zone: string): boolean {
  let verdict = intlVerdicts.get(zone);
  if (verdict === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      verdict = true;
    } catch {
      verdict = false;
    }
    intlVerdicts.set(zone, verdict);
  }
  return verdict;
}
