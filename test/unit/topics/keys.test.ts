// Keys per topic and the positions of `loyalty consume`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventTimeOf, hasKeyRule, keyFor } from '../../../topics/keys.ts';
import { TOPICS } from '../../../topics/catalog.ts';
import { parsePosition } from '../../../topics/read-topic.ts';
import { ValidationError } from '../../../engine/errors.ts';

test('every catalog topic with an Avro value has a key rule', () => {
  for (const t of TOPICS.filter((s) => s.valueRecord !== null)) assert.ok(hasKeyRule(t.base), t.base);
});

test('orders are keyed by member, guests by order; cards by fingerprint; campaigns by id', () => {
  assert.equal(keyFor('orders.v1', { memberId: 'm-1', orderId: 'o-1' }), 'm-1');
  assert.equal(keyFor('orders.v1', { memberId: null, orderId: 'o-1' }), 'o-1');
  assert.equal(keyFor('fraud.signals.v1', { memberId: null, orderId: 'o-2' }), 'o-2');
  assert.equal(keyFor('orders.by-card.v1', { payment: { method: 'CARD', cardFingerprint: 'fp-1' } }), 'fp-1');
  assert.equal(keyFor('campaigns.v1', { campaignId: 'c-1' }), 'c-1');
  assert.equal(keyFor('loyalty.ledger.v1', { memberId: 'm-2' }), 'm-2');
});

test('a record without its key is refused, naming the field', () => {
  assert.throws(() => keyFor('orders.by-card.v1', { payment: { method: 'CASH', cardFingerprint: null } }),
    (err: unknown) => err instanceof ValidationError && err.path === 'payment.cardFingerprint');
  assert.throws(() => keyFor('loyalty.commands.v1', {}), (err: unknown) => err instanceof ValidationError && err.path === 'memberId');
  assert.throws(() => keyFor('nope.v1', {}), /no key rule/);
});

test('event time: occurredAt, issuedAt or updatedAt', () => {
  assert.equal(eventTimeOf({ occurredAt: 5 }), 5);
  assert.equal(eventTimeOf({ issuedAt: 6 }), 6);
  assert.equal(eventTimeOf({ updatedAt: 7 }), 7);
  assert.equal(eventTimeOf({ startsAt: 8 }), null);
});

test('consume positions', () => {
  assert.deepEqual(parsePosition('beginning', '--from'), { kind: 'beginning' });
  assert.deepEqual(parsePosition('end', '--to'), { kind: 'end' });
  assert.deepEqual(parsePosition('offset:42', '--from'), { kind: 'offset', offset: 42 });
  assert.deepEqual(parsePosition('1769860800000', '--from'), { kind: 'time', millis: 1769860800000 });
  assert.deepEqual(parsePosition('2026-01-31T12:00:00.5+01:00', '--from'), { kind: 'time', millis: Date.UTC(2026, 0, 31, 11, 0, 0, 500) });
  for (const bad of ['yesterday', 'offset:-1', '2026-01-31', '']) {
    assert.throws(() => parsePosition(bad, '--from'), (err: unknown) => err instanceof ValidationError && /^--from: expected/.test(err.message), bad);
  }
});
