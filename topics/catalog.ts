// Every topic of the system as code (ARCHITECTURE.md, Topics). `loyalty topics apply` makes the
// cluster match this file. The engine's changelog topics are not here: the engine creates them.
import { dlqTopic } from '../engine/types.ts';
import type { RecordName } from '../avro/schemas.ts';

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec {
  /** Name without any prefix, e.g. `orders.v1`. */
  base: string;
  description: string;
  partitions: number;
  /** Wanted replication; capped to the number of brokers of a smaller (local) cluster. */
  replication: number;
  cleanupPolicy: CleanupPolicy;
  /** `retention.ms`; -1 keeps records forever. */
  retentionMs: number;
  /** What the Kafka key is. */
  key: string;
  /**
   * Whether records are partitioned by key. Adding partitions to a keyed topic moves keys to other
   * partitions, which breaks per-key order and the per-partition state built from it.
   */
  keyed: boolean;
  /** The Avro record of the value (subject `<topic>-value`), or null for raw bytes (DLQs, registry log). */
  valueRecord: RecordName | null;
  /** The dead-letter topic of a processor input, or null. */
  dlq: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const FOREVER = -1;
const KEYED_PARTITIONS = 4;
const REPLICATION = 3;

function keyedTopic(spec: Omit<TopicSpec, 'partitions' | 'replication' | 'keyed' | 'dlq'> & { processorInput?: boolean; partitions?: number }): TopicSpec[] {
  const { processorInput, partitions, ...rest } = spec;
  const topic: TopicSpec = { ...rest, partitions: partitions ?? KEYED_PARTITIONS, replication: REPLICATION, keyed: true, dlq: processorInput ? dlqTopic(rest.base) : null };
  if (!processorInput) return [topic];
  const dead: TopicSpec = {
    base: dlqTopic(rest.base),
    description: `dead letters of ${rest.base}: original bytes with x-dlq-* reason headers`,
    partitions: topic.partitions,
    replication: REPLICATION,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: `as ${rest.base}`,
    keyed: true,
    valueRecord: null,
    dlq: null,
  };
  return [topic, dead];
}

export const TOPICS: readonly TopicSpec[] = [
  ...keyedTopic({
    base: 'orders.v1', description: 'order events from ordering systems (input)', cleanupPolicy: 'delete', retentionMs: FOREVER,
    key: 'memberId, or orderId for guest orders', valueRecord: 'loyalty.orders.OrderEvent', processorInput: true,
  }),
  ...keyedTopic({
    base: 'orders.by-card.v1', description: 'accepted orders with a card, re-keyed for the card fraud rule', cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS,
    key: 'cardFingerprint', valueRecord: 'loyalty.orders.OrderEvent', processorInput: true,
  }),
  ...keyedTopic({
    base: 'loyalty.ledger.v1', description: 'every balance change, append-only: the source of truth', cleanupPolicy: 'delete', retentionMs: FOREVER,
    key: 'memberId', valueRecord: 'loyalty.ledger.LedgerEntry',
  }),
  ...keyedTopic({
    base: 'loyalty.members.v1', description: 'latest member snapshot per member', cleanupPolicy: 'compact', retentionMs: FOREVER,
    key: 'memberId', valueRecord: 'loyalty.members.MemberSnapshot',
  }),
  ...keyedTopic({
    base: 'promotions.decisions.v1', description: 'campaign evaluations, one record per evaluated order', cleanupPolicy: 'delete', retentionMs: 90 * DAY_MS,
    key: 'memberId', valueRecord: 'loyalty.promotions.PromotionDecision',
  }),
  ...keyedTopic({
    base: 'fraud.signals.v1', description: 'fraud signals; HOLDs are read back by the member processor', cleanupPolicy: 'delete', retentionMs: 90 * DAY_MS,
    key: 'memberId, or orderId for guest orders', valueRecord: 'loyalty.fraud.FraudSignal', processorInput: true,
  }),
  ...keyedTopic({
    base: 'loyalty.commands.v1', description: 'operator commands (RELEASE) from the CLI', cleanupPolicy: 'delete', retentionMs: FOREVER,
    key: 'memberId', valueRecord: 'loyalty.commands.Command', processorInput: true,
  }),
  // A global table read whole by every instance: one partition keeps every campaign's versions in order.
  ...keyedTopic({
    base: 'campaigns.v1', description: 'campaign definitions, read as a global table', cleanupPolicy: 'compact', retentionMs: FOREVER,
    key: 'campaignId', valueRecord: 'loyalty.promotions.Campaign', processorInput: true, partitions: 1,
  }),
  {
    base: '_schemas', description: 'schema registry log (loyalty registry serve)', partitions: 1, replication: REPLICATION,
    cleanupPolicy: 'compact', retentionMs: FOREVER, key: 'registry key (JSON)', keyed: true, valueRecord: null, dlq: null,
  },
];

/** Env variable naming the topic prefix when no `--prefix` is given. */
export const TOPIC_PREFIX_ENV = 'LOYALTY_TOPIC_PREFIX';

/**
 * The real name of a topic under a prefix, for isolated topic sets (tests, side-by-side runs):
 * `topicName('orders.v1', 't1')` is `t1.orders.v1`; a prefix ending in `.`, `-` or `_` is used as is.
 */
export function topicName(base: string, prefix: string | undefined = process.env[TOPIC_PREFIX_ENV]): string {
  if (!prefix) return base;
  return /[.\-_]$/.test(prefix) ? `${prefix}${base}` : `${prefix}.${base}`;
}

/** The spec of a topic by base name, e.g. `topicSpec('orders.v1')`. */
export function topicSpec(base: string): TopicSpec | undefined {
  return TOPICS.find((t) => t.base === base);
}

/** The spec of a real topic name under a prefix (e.g. `t1.orders.v1` with prefix `t1`). */
export function specOfTopic(name: string, prefix?: string): TopicSpec | undefined {
  return TOPICS.find((t) => topicName(t.base, prefix) === name) ?? topicSpec(name);
}

export interface ResolvedTopic { name: string; spec: TopicSpec | undefined }

/**
 * A topic given on the command line: a catalog base name (then the prefix applies) or a real name
 * (e.g. `t1.orders.v1` with prefix `t1`); topics outside the catalog keep their name and no spec.
 */
export function resolveTopic(arg: string, prefix: string | undefined = process.env[TOPIC_PREFIX_ENV]): ResolvedTopic {
  const byBase = topicSpec(arg);
  if (byBase) return { name: topicName(arg, prefix), spec: byBase };
  return { name: arg, spec: specOfTopic(arg, prefix) };
}
