// Every processor definition of the project, by name, built for one program and one topic set.
import type { Program } from '../avro/records.ts';
import type { ProcessorDefinition } from '../engine/types.ts';
import { topicName } from '../topics/catalog.ts';
import { createCardFraudProcessor, DEFAULT_CARD_FRAUD_TOPICS, type CardFraudTopics } from './card-fraud/processor.ts';
import { createMemberProcessor, DEFAULT_MEMBER_TOPICS, type MemberTopics } from './member/processor.ts';

export { createCardFraudProcessor, DEFAULT_CARD_FRAUD_TOPICS } from './card-fraud/processor.ts';
export { createMemberProcessor, DEFAULT_MEMBER_TOPICS } from './member/processor.ts';

export const PROCESSOR_NAMES = ['member', 'card-fraud'] as const;
export type ProcessorName = (typeof PROCESSOR_NAMES)[number];

export interface ProcessorsOptions {
  program: Program;
  /** Prefix of every topic (topics/catalog.ts topicName); default: the LOYALTY_TOPIC_PREFIX environment variable. */
  topicPrefix?: string;
  /** Explicit topic names by role, over the prefixed defaults. */
  topics?: Partial<MemberTopics & CardFraudTopics>;
  onDuplicate?: (id: string, topic: string) => void;
}

function prefixed<T extends object>(defaults: T, prefix: string | undefined): T {
  return Object.fromEntries(Object.entries(defaults).map(([role, base]) => [role, topicName(base as string, prefix)])) as T;
}

export function createProcessors(options: ProcessorsOptions): Record<ProcessorName, ProcessorDefinition> {
  const { program, onDuplicate } = options;
  const member = { ...prefixed(DEFAULT_MEMBER_TOPICS, options.topicPrefix), ...options.topics };
  const card = { ...prefixed(DEFAULT_CARD_FRAUD_TOPICS, options.topicPrefix), ...options.topics };
  return {
    'member': createMemberProcessor({ program, topics: member, ...(onDuplicate ? { onDuplicate } : {}) }),
    'card-fraud': createCardFraudProcessor({ program, topics: card }),
  };
}
