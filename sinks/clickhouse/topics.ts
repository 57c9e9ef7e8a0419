// Which topics the sink reads and what each holds, from the topic catalog (topics/catalog.ts).
import { TOPICS, topicName } from '../../topics/catalog.ts';
import type { SinkRecordKind, SinkTopic } from './sink.ts';

/** The base topics the sink stores; orders.by-card.v1 repeats orders.v1 and is left out. */
const KIND_OF_BASE: Record<string, Exclude<SinkRecordKind, 'dlq'>> = {
  'orders.v1': 'order',
  'loyalty.ledger.v1': 'ledger',
  'loyalty.members.v1': 'member',
  'promotions.decisions.v1': 'decision',
  'fraud.signals.v1': 'signal',
};

/** The sink's topics under a prefix: the five record topics and every dead-letter topic. */
export function sinkTopics(prefix: string | undefined): SinkTopic[] {
  const topics: SinkTopic[] = [];
  for (const spec of TOPICS) {
    const kind = KIND_OF_BASE[spec.base];
    if (kind) topics.push({ topic: topicName(spec.base, prefix), kind });
    if (spec.dlq) topics.push({ topic: topicName(spec.dlq, prefix), kind: 'dlq' });
  }
  return topics;
}
