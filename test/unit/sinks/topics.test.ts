import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sinkTopics } from '../../../sinks/clickhouse/topics.ts';

describe('sinkTopics', () => {
  test('the five record topics and the dead-letter topics, under the prefix', () => {
    const topics = sinkTopics('t1');
    const byKind = (kind: string): string[] => topics.filter((t) => t.kind === kind).map((t) => t.topic).sort();
    assert.deepEqual(byKind('order'), ['t1.orders.v1']);
    assert.deepEqual(byKind('ledger'), ['t1.loyalty.ledger.v1']);
    assert.deepEqual(byKind('member'), ['t1.loyalty.members.v1']);
    assert.deepEqual(byKind('decision'), ['t1.promotions.decisions.v1']);
    assert.deepEqual(byKind('signal'), ['t1.fraud.signals.v1']);
    assert.ok(byKind('dlq').includes('t1.orders.v1.dlq'));
    assert.ok(byKind('dlq').every((t) => t.startsWith('t1.') && t.endsWith('.dlq')));
    assert.ok(!topics.some((t) => t.topic.includes('by-card.v1') && t.kind !== 'dlq'));
  });
  test('no prefix: the base names', () => {
    assert.ok(sinkTopics(undefined).some((t) => t.topic === 'orders.v1'));
  });
});
