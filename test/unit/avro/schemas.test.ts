// The .avsc contracts: they match avro/records.ts field for field, every field has a doc, every
// record fixture round-trips plain JSON -> Avro bytes -> plain JSON, and exported schema text is
// self-contained with its logical types.
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import type * as R from '../../../avro/records.ts';
import { fromPlainJsonText, toPlainJson } from '../../../avro/json.ts';
import { RECORD_FILES, RECORD_NAMES, parseSchema, schemaFor, schemaText } from '../../../avro/schemas.ts';

/** Every key of T, checked by the compiler: a key missing here or unknown to T fails typecheck. */
type AllKeys<T> = { [K in keyof T]-?: true };
const keys = <T>(all: AllKeys<T>): string[] => Object.keys(all);

const RECORD_KEYS: Record<string, string[]> = {
  'loyalty.orders.OrderEvent': keys<R.OrderEvent>({ eventId: true, type: true, orderId: true, memberId: true, storeId: true, storeTimeZone: true, channel: true, occurredAt: true, currency: true, lines: true, discountCents: true, taxCents: true, tipCents: true, totalCents: true, refundCents: true, redemptions: true, payment: true, deviceId: true, employee: true }),
  'loyalty.orders.OrderLine': keys<R.OrderLine>({ sku: true, category: true, quantity: true, unitPriceCents: true, lineTotalCents: true }),
  'loyalty.orders.Redemption': keys<R.Redemption>({ rewardId: true, points: true }),
  'loyalty.orders.Payment': keys<R.Payment>({ method: true, cardFingerprint: true }),
  'loyalty.ledger.LedgerEntry': keys<R.LedgerEntry>({ entryId: true, memberId: true, kind: true, orderId: true, campaignId: true, pendingDelta: true, availableDelta: true, heldDelta: true, occurredAt: true, programVersion: true }),
  'loyalty.members.MemberSnapshot': keys<R.MemberSnapshot>({ memberId: true, tier: true, pendingPoints: true, availablePoints: true, heldPoints: true, lifetimeEarnedPoints: true, qualifyingSpendCents: true, orderCount: true, lastActivityAt: true, updatedAt: true }),
  'loyalty.promotions.PromotionDecision': keys<R.PromotionDecision>({ decisionId: true, orderId: true, memberId: true, occurredAt: true, evaluations: true }),
  'loyalty.promotions.CampaignEvaluation': keys<R.CampaignEvaluation>({ campaignId: true, campaignVersion: true, outcome: true, reason: true, bonusPoints: true, progress: true }),
  'loyalty.fraud.FraudSignal': keys<R.FraudSignal>({ signalId: true, rule: true, action: true, score: true, orderId: true, memberId: true, storeId: true, cardFingerprint: true, details: true, occurredAt: true }),
  'loyalty.commands.Command': keys<R.Command>({ commandId: true, type: true, memberId: true, orderId: true, reason: true, issuedBy: true, issuedAt: true }),
  'loyalty.promotions.Campaign': keys<R.Campaign>({ campaignId: true, version: true, type: true, startsAt: true, endsAt: true, channels: true, stores: true, tiers: true, daypart: true, minEligibleCents: true, controlGroupBp: true, maxAwardsPerMember: true, exclusiveGroup: true, params: true }),
  'loyalty.promotions.Daypart': keys<R.Daypart>({ days: true, startMinute: true, endMinute: true }),
  'loyalty.promotions.CampaignParams': keys<R.CampaignParams>({ extraMultiplierBp: true, categories: true, bonusPoints: true, every: true }),
};

const ENUM_SYMBOLS: Record<string, string[]> = {
  'loyalty.orders.OrderEventType': ['COMPLETED', 'REFUNDED'] satisfies R.OrderEventType[],
  'loyalty.orders.Channel': ['IN_STORE', 'DRIVE_THRU', 'KIOSK', 'WEB', 'APP', 'DELIVERY'] satisfies R.Channel[],
  'loyalty.orders.PaymentMethod': ['CARD', 'CASH', 'GIFT_CARD', 'WALLET'] satisfies R.PaymentMethod[],
  'loyalty.ledger.LedgerKind': ['EARN', 'BONUS', 'REDEEM', 'ACTIVATE', 'REVERSAL', 'EXPIRE', 'HOLD', 'RELEASE'] satisfies R.LedgerKind[],
  'loyalty.promotions.DecisionOutcome': ['AWARDED', 'NOT_ELIGIBLE', 'CONTROL'] satisfies R.DecisionOutcome[],
  'loyalty.fraud.FraudRule': ['VELOCITY', 'LARGE_ORDER', 'REDEMPTION_OVERDRAFT', 'REFUND_ABUSE', 'SHARED_CARD'] satisfies R.FraudRule[],
  'loyalty.fraud.FraudAction': ['REVIEW', 'HOLD'] satisfies R.FraudAction[],
  'loyalty.commands.CommandType': ['RELEASE'] satisfies R.CommandType[],
  'loyalty.promotions.CampaignType': ['MULTIPLIER', 'SPEND_THRESHOLD', 'NTH_VISIT', 'FIRST_ORDER'] satisfies R.CampaignType[],
  'loyalty.promotions.Weekday': ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] satisfies R.Weekday[],
};

interface RawField { name: string; type: unknown; doc?: string }
interface RawNamed { type: string; name: string; namespace?: string; fields?: RawField[]; symbols?: string[] }

/** Every named type of the raw .avsc JSON, by full name. */
function namedTypes(node: unknown, namespace: string, out: Map<string, RawNamed>): void {
  if (Array.isArray(node)) {
    for (const item of node) namedTypes(item, namespace, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const named = node as RawNamed & { items?: unknown };
  let ns = namespace;
  if ((named.type === 'record' || named.type === 'enum') && typeof named.name === 'string') {
    ns = named.namespace ?? namespace;
    out.set(named.name.includes('.') ? named.name : `${ns}.${named.name}`, named);
  }
  for (const field of named.fields ?? []) namedTypes(field.type, ns, out);
  if (named.items !== undefined) namedTypes(named.items, ns, out);
}

const raw = new Map<string, RawNamed>();
for (const file of Object.values(RECORD_FILES)) {
  namedTypes(JSON.parse(readFileSync(new URL(`../../../avro/${file}`, import.meta.url), 'utf8')), '', raw);
}

describe('contracts match avro/records.ts', () => {
  for (const [name, fields] of Object.entries(RECORD_KEYS)) {
    test(`${name} has exactly the fields of its TS shape, each with a doc`, () => {
      const record = raw.get(name);
      assert.ok(record?.fields, `${name} is not defined in avro/`);
      assert.deepEqual(record.fields.map((f) => f.name).sort(), [...fields].sort());
      for (const field of record.fields) assert.ok(field.doc && field.doc.length > 3, `${name}.${field.name} has no doc`);
    });
  }
  for (const [name, symbols] of Object.entries(ENUM_SYMBOLS)) {
    test(`${name} has the symbols of its TS union`, () => assert.deepEqual(raw.get(name)?.symbols, symbols));
  }
  test('the only records are those listed', () => {
    const records = [...raw.values()].filter((t) => t.type === 'record').length;
    assert.equal(records, Object.keys(RECORD_KEYS).length);
  });
});

describe('fixture round trips: plain JSON -> Avro bytes -> plain JSON', () => {
  for (const name of RECORD_NAMES) {
    test(name, () => {
      const text = readFileSync(new URL(`../../fixtures/avro/${RECORD_FILES[name].replace('.avsc', '.json')}`, import.meta.url), 'utf8').trim();
      const value = fromPlainJsonText(name, text);
      const type = schemaFor(name);
      const bytes = type.toBuffer(value);
      const decoded: unknown = type.fromBuffer(bytes);
      assert.equal(JSON.stringify(toPlainJson(name, decoded)), JSON.stringify(JSON.parse(text)));
      const viaText = parseSchema(schemaText(name));
      assert.ok(bytes.equals(viaText.toBuffer(value)), 'the exported schema writes the same bytes');
    });
  }
});

describe('schemaText', () => {
  test('is self-contained: Campaign inlines loyalty.orders.Channel', () => {
    const text = schemaText('loyalty.promotions.Campaign');
    const standalone: Type = avro.Type.forSchema(JSON.parse(text) as Schema);
    assert.equal(standalone.name, 'loyalty.promotions.Campaign');
    assert.match(text, /"loyalty\.orders\.Channel"/);
  });
  test('keeps timestamp-millis and docs, and decoding keeps times as numbers', () => {
    const text = schemaText('loyalty.orders.OrderEvent');
    assert.match(text, /"occurredAt","type":\{"type":"long","logicalType":"timestamp-millis"\}/);
    assert.match(text, /"doc":"Unique per event/);
  });
  test('an unknown record name is a clear error', () => {
    assert.throws(() => schemaFor('loyalty.nope.Nope'), /unknown record loyalty\.nope\.Nope/);
  });
});
