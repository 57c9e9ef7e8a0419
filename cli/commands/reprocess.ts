// `loyalty reprocess <processor> --to-time T`: run a processor again from time T. With the
// processor stopped (the group must have no live members), it resets the group's committed
// offsets on every input topic to the first record at or after T, drops the processor's Redis
// state, timers, outbox and watermarks (every key of each task but its fence epoch, which must
// only ever grow so a zombie stays fenced) and recreates its changelog topic, so nothing of the
// old state is restored. Without --yes it only reports what it would do.
import type { Command } from 'commander';
import type { Admin } from 'kafkajs';
import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, type SecuredConfig } from '../../engine/client-options.ts';
import { UnreachableError } from '../../engine/errors.ts';
import { taskKeys } from '../../engine/keys.ts';
import { scanTaskKeys } from '../../engine/store/redis-store.ts';
import { kafkaFor, partitionsOf, securedConfig, topicPrefix, withAdmin, withConnectionOptions, type ConnectionFlags } from '../ops/connect.ts';
import { parseTime } from '../ops/position.ts';
import { processorByName, processorChangelog, processorGroup } from '../ops/processors.ts';
import { CliError, EXIT, printJson } from '../output.ts';

/** kafkajs ConfigResourceTypes.TOPIC; the enum is not exported under ESM. */
const TOPIC_RESOURCE = 2;

interface ReprocessFlags extends ConnectionFlags {
  toTime: string;
  yes?: boolean;
  json?: boolean;
}

interface OffsetMove { topic: string; partition: number; committed: string | null; target: string }

interface ReprocessPlan {
  processor: string;
  group: string;
  toTime: number;
  applied: boolean;
  offsets: OffsetMove[];
  tasks: { partition: number; keys: number }[];
  changelog: { topic: string; exists: boolean; records: string };
}

export function register(program: Command): void {
  const command = program
    .command('reprocess')
    .description('reset a stopped processor to a time: its offsets, Redis state and changelog')
    .argument('<processor>', 'processor name, e.g. member or card-fraud')
    .requiredOption('--to-time <time>', 'reprocess from the first input record at or after this Kafka record time (RFC 3339 or epoch millis)')
    .option('--yes', 'apply the plan (without it, only the plan is shown)')
    .option('--json', 'print the plan as JSON');
  withConnectionOptions(command).addHelpText('after', `
The processor must be stopped: the command refuses while its consumer group <appId>-<processor>
has live members. Outputs written after the time are produced again with the same ids, so
downstream readers deduplicate them (the ClickHouse sink does).

Examples:
  loyalty reprocess member --to-time 2026-01-05T00:00:00Z
  loyalty reprocess member --to-time 2026-01-05T00:00:00Z --yes --json

Exit codes: 0 done (or plan shown), 1 refused (live group members) or failed, 2 bad flags or unknown
processor, 3 Kafka or Redis unreachable.`)
    .action(async (processor: string, flags: ReprocessFlags) => reprocess(processor, flags));
}

async function reprocess(processor: string, flags: ReprocessFlags): Promise<void> {
  const definition = processorByName(processor, topicPrefix(flags));
  const toTime = parseTime(flags.toTime, '--to-time');
  const config = securedConfig(flags);
  const kafka = kafkaFor(config, 'loyalty-cli-reprocess');
  const group = processorGroup(config.appId, definition.name);
  const changelog = processorChangelog(config.appId, definition.name);
  const inputs = definition.inputs.map((input) => input.topic);

  const plan = await withAdmin(kafka, async (admin): Promise<ReprocessPlan> => {
    await refuseLiveMembers(admin, group);
    const offsets: OffsetMove[] = [];
    let taskCount = 0;
    for (const topic of inputs) {
      taskCount = Math.max(taskCount, (await partitionsOf(admin, topic)).length);
      const committed = new Map((await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions.map((p) => [p.partition, p.offset]) ?? []);
      for (const target of await admin.fetchTopicOffsetsByTimestamp(topic, toTime)) {
        const now = committed.get(target.partition);
        offsets.push({ topic, partition: target.partition, committed: now === undefined || now === '-1' ? null : now, target: target.offset });
      }
    }
    offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    const existing = (await admin.listTopics()).includes(changelog);
    const records = existing
      ? (await admin.fetchTopicOffsets(changelog)).reduce((sum, o) => sum + BigInt(o.high) - BigInt(o.low), 0n)
      : 0n;
    return {
      processor: definition.name, group, toTime, applied: false, offsets,
      tasks: Array.from({ length: taskCount }, (_, partition) => ({ partition, keys: 0 })),
      changelog: { topic: changelog, exists: existing, records: records.toString() },
    };
  });

  await withRedis(config, async (redis) => {
    for (const task of plan.tasks) task.keys = (await taskStateKeys(redis, config.appId, definition.name, task.partition)).length;
  });

  if (flags.yes) {
    await withAdmin(kafka, async (admin) => {
      // Checked again right before writing: the plan may have taken a while.
      await refuseLiveMembers(admin, group);
      for (const topic of inputs) {
        const partitions = plan.offsets.filter((o) => o.topic === topic).map((o) => ({ partition: o.partition, offset: o.target }));
        await admin.setOffsets({ groupId: group, topic, partitions });
      }
      if (plan.changelog.exists) await recreateTopic(admin, changelog);
    });
    await withRedis(config, async (redis) => {
      for (const task of plan.tasks) {
        const keys = await taskStateKeys(redis, config.appId, definition.name, task.partition);
        for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
      }
    });
    plan.applied = true;
  }
  report(plan, flags.json === true);
}

async function refuseLiveMembers(admin: Admin, group: string): Promise<void> {
  const { groups } = await admin.describeGroups([group]);
  const members = groups[0]?.members ?? [];
  if (members.length > 0) {
    const who = members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ');
    throw new CliError(`consumer group ${group} has ${members.length} live member(s) (${who}): stop the processor before reprocessing`, EXIT.FAILED);
  }
}

async function withRedis<T>(config: SecuredConfig, work: (redis: Redis | Cluster) => Promise<T>): Promise<T> {
  const redis = createRedisClient(config, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new UnreachableError('Redis', (err as Error).message, err);
  }
  try {
    return await work(redis);
  } finally {
    await redis.quit().catch(() => undefined);
  }
}

/** Every key of the task (state, timers, outbox, meta/watermarks) except its fence. */
async function taskStateKeys(redis: Redis | Cluster, appId: string, processor: string, partition: number): Promise<string[]> {
  const keys = taskKeys(appId, processor, partition);
  return (await scanTaskKeys(redis, keys)).filter((key) => key !== keys.fence);
}

/** Deletes a topic and creates it again with the same partitions and explicit configs. */
async function recreateTopic(admin: Admin, topic: string): Promise<void> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const numPartitions = topics[0]?.partitions.length ?? 1;
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: topic }] });
  const configEntries = (described.resources[0]?.configEntries ?? [])
    .filter((entry) => !entry.isDefault && !entry.readOnly && entry.configValue !== null)
    .map((entry) => ({ name: entry.configName, value: entry.configValue }));
  await admin.deleteTopics({ topics: [topic], timeout: 15_000 });
  // Deletion completes asynchronously on the broker: retry the creation until the name is free.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions, replicationFactor: -1, configEntries }] });
      return;
    } catch (err) {
      if (attempt >= 30 || !/already exists|marked for deletion/i.test((err as Error).message)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function report(plan: ReprocessPlan, json: boolean): void {
  if (json) {
    printJson(plan);
    return;
  }
  const at = new Date(plan.toTime).toISOString();
  process.stdout.write(`${plan.applied ? 'Reprocessing set up' : 'Plan (nothing changed; re-run with --yes to apply)'}: ${plan.processor} from ${at}, group ${plan.group}\n`);
  process.stdout.write('offsets (committed now -> target):\n');
  for (const o of plan.offsets) process.stdout.write(`  ${o.topic}[${o.partition}]  ${o.committed ?? 'none'} -> ${o.target}\n`);
  const keys = plan.tasks.reduce((sum, t) => sum + t.keys, 0);
  process.stdout.write(`Redis keys ${plan.applied ? 'dropped' : 'to drop'}: ${keys} over ${plan.tasks.length} tasks (${plan.tasks.map((t) => `p${t.partition}=${t.keys}`).join(', ')})\n`);
  process.stdout.write(plan.changelog.exists
    ? `changelog ${plan.changelog.topic}: ${plan.changelog.records} records ${plan.applied ? 'dropped (topic recreated)' : 'to drop (topic recreated)'}\n`
    : `changelog ${plan.changelog.topic}: does not exist\n`);
}
