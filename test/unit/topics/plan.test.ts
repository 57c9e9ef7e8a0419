// topics/catalog.ts and the pure apply plan: names under a prefix, DLQ pairs, and which changes
// are made, refused or only reported.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TOPICS, specOfTopic, topicName, topicSpec, type TopicSpec } from '../../../topics/catalog.ts';
import { describePlan, managedConfigs, planTopics, wantedTopics, type ExistingTopic } from '../../../topics/plan.ts';

describe('catalog', () => {
  test('every topic of the architecture is there, with its value record', () => {
    const expected: Record<string, string | null> = {
      'orders.v1': 'loyalty.orders.OrderEvent',
      'orders.by-card.v1': 'loyalty.orders.OrderEvent',
      'loyalty.ledger.v1': 'loyalty.ledger.LedgerEntry',
      'loyalty.members.v1': 'loyalty.members.MemberSnapshot',
      'promotions.decisions.v1': 'loyalty.promotions.PromotionDecision',
      'fraud.signals.v1': 'loyalty.fraud.FraudSignal',
      'loyalty.commands.v1': 'loyalty.commands.Command',
      'campaigns.v1': 'loyalty.promotions.Campaign',
      _schemas: null,
    };
    for (const [base, record] of Object.entries(expected)) assert.equal(topicSpec(base)?.valueRecord, record, base);
  });
  test('compacted topics: members, campaigns and the registry log', () => {
    assert.deepEqual(TOPICS.filter((t) => t.cleanupPolicy === 'compact').map((t) => t.base).sort(), ['_schemas', 'campaigns.v1', 'loyalty.members.v1']);
    assert.equal(topicSpec('_schemas')?.partitions, 1);
  });
  test('processor inputs have a DLQ pair with the same partitions; co-partitioned member inputs agree', () => {
    for (const base of ['orders.v1', 'orders.by-card.v1', 'fraud.signals.v1', 'loyalty.commands.v1', 'campaigns.v1']) {
      const spec = topicSpec(base) as TopicSpec;
      assert.equal(spec.dlq, `${base}.dlq`);
      assert.equal(topicSpec(`${base}.dlq`)?.partitions, spec.partitions);
      assert.equal(topicSpec(`${base}.dlq`)?.valueRecord, null);
    }
    const memberInputs = ['orders.v1', 'fraud.signals.v1', 'loyalty.commands.v1'].map((b) => topicSpec(b)?.partitions);
    assert.deepEqual(memberInputs, [4, 4, 4]);
  });
  test('names are unique', () => assert.equal(new Set(TOPICS.map((t) => t.base)).size, TOPICS.length));
  test('topicName and specOfTopic under a prefix', () => {
    assert.equal(topicName('orders.v1', undefined), process.env.LOYALTY_TOPIC_PREFIX ? `${process.env.LOYALTY_TOPIC_PREFIX}.orders.v1` : 'orders.v1');
    assert.equal(topicName('orders.v1', ''), 'orders.v1');
    assert.equal(topicName('orders.v1', 't1'), 't1.orders.v1');
    assert.equal(topicName('orders.v1', 't1-'), 't1-orders.v1');
    assert.equal(specOfTopic('t1.fraud.signals.v1', 't1')?.base, 'fraud.signals.v1');
    assert.equal(specOfTopic('nope', 't1'), undefined);
  });
});

describe('plan', () => {
  const orders = topicSpec('orders.v1') as TopicSpec;
  const members = topicSpec('loyalty.members.v1') as TopicSpec;
  const dlq = topicSpec('orders.v1.dlq') as TopicSpec;
  const asIs = (spec: TopicSpec, changes: Partial<ExistingTopic> = {}): ExistingTopic =>
    ({ partitions: spec.partitions, replication: 1, configs: { ...managedConfigs(spec) }, ...changes });
  const wanted = (specs: TopicSpec[]) => wantedTopics(specs, (b) => `p.${b}`, 1);

  test('missing topics are created with replication capped to the brokers', () => {
    const plan = planTopics(wanted([orders]), new Map(), { force: false });
    assert.deepEqual(plan.changes, [{ kind: 'create', name: 'p.orders.v1', partitions: 4, replication: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1' } }]);
    assert.match(describePlan(plan)[0] ?? '', /^\+ p\.orders\.v1: create, partitions=4 replication=1/);
  });
  test('a matching topic is up to date', () => {
    const plan = planTopics(wanted([orders]), new Map([['p.orders.v1', asIs(orders)]]), { force: false });
    assert.deepEqual(plan, { changes: [], refusals: [], notes: [], unchanged: ['p.orders.v1'] });
  });
  test('a config difference is altered, sending every managed config', () => {
    const plan = planTopics(wanted([members]), new Map([['p.loyalty.members.v1', asIs(members, { configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1' } })]]), { force: false });
    assert.deepEqual(plan.changes, [{ kind: 'config', name: 'p.loyalty.members.v1', configs: { 'cleanup.policy': 'compact', 'retention.ms': '-1' }, diff: [{ config: 'cleanup.policy', from: 'delete', to: 'compact' }] }]);
    assert.deepEqual(describePlan(plan), ['~ p.loyalty.members.v1: cleanup.policy delete -> compact']);
  });
  test('adding partitions to a keyed topic is refused with the reason, unless forced', () => {
    const existing = new Map([['p.orders.v1', asIs(orders, { partitions: 2 })]]);
    const refused = planTopics(wanted([orders]), existing, { force: false });
    assert.equal(refused.changes.length, 0);
    assert.match(refused.refusals[0]?.message ?? '', /partitions 2 -> 4 refused: the topic is keyed .*keys would move to other partitions/);
    const forced = planTopics(wanted([orders]), existing, { force: true });
    assert.deepEqual(forced.changes, [{ kind: 'partitions', name: 'p.orders.v1', from: 2, to: 4 }]);
  });
  test('an unkeyed topic may grow without --force; no topic may shrink', () => {
    const unkeyed = { ...dlq, keyed: false };
    assert.deepEqual(planTopics(wanted([unkeyed]), new Map([['p.orders.v1.dlq', asIs(dlq, { partitions: 1 })]]), { force: false }).changes,
      [{ kind: 'partitions', name: 'p.orders.v1.dlq', from: 1, to: 4 }]);
    const shrink = planTopics(wanted([orders]), new Map([['p.orders.v1', asIs(orders, { partitions: 8 })]]), { force: true });
    assert.match(shrink.refusals[0]?.message ?? '', /cannot remove partitions/);
  });
  test('a replication difference is a note, not a change', () => {
    const plan = planTopics(wantedTopics([orders], (b) => b, 3), new Map([['orders.v1', asIs(orders)]]), { force: false });
    assert.equal(plan.changes.length, 0);
    assert.match(plan.notes[0]?.message ?? '', /replication is 1, the catalog wants 3/);
  });
});
