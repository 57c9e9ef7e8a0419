// Reads the cluster's topics and applies a plan (create, add partitions, set configs) with kafkajs.
import type { Admin, KafkaConfig } from 'kafkajs';
import { ConfigResourceTypes, Kafka } from '../engine/kafka.ts';
import { UnreachableError } from '../engine/errors.ts';
import { TOPICS, topicName, type TopicSpec } from './catalog.ts';
import { planTopics, wantedTopics, type ExistingTopic, type TopicPlan } from './plan.ts';

export async function withAdmin<T>(kafkaConfig: KafkaConfig, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka(kafkaConfig).admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new UnreachableError('Kafka', `cannot connect to ${String(kafkaConfig.brokers)}: ${(err as Error).message}`, err);
  }
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Partitions, replication and managed configs of the named topics that exist. */
export async function describeTopics(admin: Admin, names: string[]): Promise<Map<string, ExistingTopic>> {
  const all = new Set(await admin.listTopics());
  const present = names.filter((n) => all.has(n));
  const existing = new Map<string, ExistingTopic>();
  if (present.length === 0) return existing;
  const { topics } = await admin.fetchTopicMetadata({ topics: present });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy', 'retention.ms'] })),
  });
  for (const topic of topics) {
    const entries = resources.find((r) => r.resourceName === topic.name)?.configEntries ?? [];
    const configs: ExistingTopic['configs'] = {};
    for (const entry of entries) {
      if (entry.configName === 'cleanup.policy' || entry.configName === 'retention.ms') configs[entry.configName] = entry.configValue;
    }
    existing.set(topic.name, { partitions: topic.partitions.length, replication: topic.partitions[0]?.replicas.length ?? 0, configs });
  }
  return existing;
}

export interface PlanRequest { prefix?: string; force: boolean; specs?: readonly TopicSpec[] }

export async function planCluster(admin: Admin, request: PlanRequest): Promise<TopicPlan> {
  const { brokers } = await admin.describeCluster();
  const wanted = wantedTopics(request.specs ?? TOPICS, (base) => topicName(base, request.prefix), brokers.length);
  const existing = await describeTopics(admin, wanted.map((w) => w.name));
  return planTopics(wanted, existing, { force: request.force });
}

/** Applies the changes of a plan that has no refusals. */
export async function applyPlan(admin: Admin, plan: TopicPlan): Promise<void> {
  const creates = plan.changes.flatMap((c) => (c.kind === 'create' ? [c] : []));
  if (creates.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: creates.map((c) => ({
        topic: c.name,
        numPartitions: c.partitions,
        replicationFactor: c.replication,
        configEntries: Object.entries(c.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  const growth = plan.changes.flatMap((c) => (c.kind === 'partitions' ? [c] : []));
  if (growth.length > 0) await admin.createPartitions({ topicPartitions: growth.map((c) => ({ topic: c.name, count: c.to })) });
  const configs = plan.changes.flatMap((c) => (c.kind === 'config' ? [c] : []));
  if (configs.length > 0) {
    // AlterConfigs (non-incremental) replaces a topic's dynamic configs, so both managed ones are always sent.
    await admin.alterConfigs({
      validateOnly: false,
      resources: configs.map((c) => ({
        type: ConfigResourceTypes.TOPIC,
        name: c.name,
        configEntries: Object.entries(c.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }
}
