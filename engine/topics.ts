// The topics the engine itself needs besides the processor's inputs and outputs: the task
// changelog (compacted, one partition per task) and the inputs' dead-letter topics.

import type { Admin } from 'kafkajs';
import { ConfigError } from './errors.ts';
import { dlqTopic, type ProcessorDefinition } from './types.ts';

export async function partitionCounts(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(topics)];
  const counts = new Map<string, number>();
  if (unique.length === 0) return counts;
  const existing = new Set(await admin.listTopics());
  const missing = unique.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    throw new ConfigError(`topics ${missing.join(', ')} do not exist: run \`loyalty topics apply\` first`);
  }
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: unique });
  for (const topic of metadata) counts.set(topic.name, topic.partitions.length);
  return counts;
}

/** Creates the changelog and the dead-letter topics when missing, with the inputs' partition count. */
export async function ensureEngineTopics(admin: Admin, definition: ProcessorDefinition, changelog: string): Promise<void> {
  const inputs = await partitionCounts(admin, definition.inputs.map((input) => input.topic));
  const sizes = new Set(inputs.values());
  if (sizes.size !== 1) {
    throw new ConfigError(`inputs of ${definition.name} are not co-partitioned: ${[...inputs].map(([t, n]) => `${t}=${n}`).join(', ')}`);
  }
  const [numPartitions = 1] = sizes;
  const existing = new Set(await admin.listTopics());
  const wanted = [
    { topic: changelog, numPartitions, replicationFactor: -1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ...definition.inputs.map((input) => ({ topic: dlqTopic(input.topic), numPartitions, replicationFactor: -1, configEntries: [] })),
  ].filter((spec) => !existing.has(spec.topic));
  if (wanted.length > 0) await admin.createTopics({ topics: wanted, waitForLeaders: true });
}
