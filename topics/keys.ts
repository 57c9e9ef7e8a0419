// The Kafka key of a record on each catalog topic (ARCHITECTURE.md, Topics): the one place that
// says which field partitions a topic, so producers and re-keying agree.
import { ValidationError } from '../engine/errors.ts';

type Value = Record<string, unknown>;

function field(value: Value, name: string): string | null {
  const v = value[name];
  return typeof v === 'string' ? v : null;
}

const KEY_OF: Record<string, (value: Value) => string | null> = {
  'orders.v1': (v) => field(v, 'memberId') ?? field(v, 'orderId'),
  'orders.by-card.v1': (v) => field((v.payment ?? {}) as Value, 'cardFingerprint'),
  'loyalty.ledger.v1': (v) => field(v, 'memberId'),
  'loyalty.members.v1': (v) => field(v, 'memberId'),
  'promotions.decisions.v1': (v) => field(v, 'memberId'),
  'fraud.signals.v1': (v) => field(v, 'memberId') ?? field(v, 'orderId'),
  'loyalty.commands.v1': (v) => field(v, 'memberId'),
  'campaigns.v1': (v) => field(v, 'campaignId'),
};

/** Whether the catalog says how to key records of this topic. */
export function hasKeyRule(base: string): boolean {
  return Object.hasOwn(KEY_OF, base);
}

/** The key of a record on a catalog topic (base name); a record without its key field is refused. */
export function keyFor(base: string, value: Value): string {
  const rule = KEY_OF[base];
  if (!rule) throw new ValidationError('', `a catalog topic with a key rule`, `topic ${base} has no key rule in topics/keys.ts`);
  const key = rule(value);
  if (key === null) {
    const path = base === 'orders.by-card.v1' ? 'payment.cardFingerprint' : base === 'campaigns.v1' ? 'campaignId' : 'memberId';
    throw new ValidationError(path, 'string', `${path}: expected string (the Kafka key of ${base}), got null`);
  }
  return key;
}

/** The event time a record carries (its Kafka timestamp), or null when it has none. */
export function eventTimeOf(value: Value): number | null {
  for (const name of ['occurredAt', 'issuedAt', 'updatedAt']) {
    const v = value[name];
    if (typeof v === 'number') return v;
  }
  return null;
}
