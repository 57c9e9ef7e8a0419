// `loyalty clock tick`, `loyalty lag` and `loyalty reprocess` on the real stack, with a topic
// prefix and an app id of their own (so groups, changelogs and Redis keys are the test's only).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { taskKeys } from '../../../engine/keys.ts';
import { WATERMARK_HEADER } from '../../../engine/types.ts';
import { createTopic, deleteTopics, getStack, kafkaClient, uniqueName } from '../../integration/harness.ts';
import { assertRefused, cli, jsonLines, okJson, produce, recordCount } from './run-cli.ts';

const prefix = uniqueName('e2e-ops');
const appId = uniqueName('e2eapp');
const env = { LOYALTY_TOPIC_PREFIX: prefix, LOYALTY_APP_ID: appId };
const orders = `${prefix}.orders.v1`;
const inputs = [orders, `${prefix}.fraud.signals.v1`, `${prefix}.loyalty.commands.v1`, `${prefix}.orders.by-card.v1`];
const group = `${appId}-member`;
const changelog = `${appId}-member-changelog`;
const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
let redis: Redis;

async function redisKeys(): Promise<string[]> {
  return (await redis.keys(`{${appId}:*`)).sort();
}

describe('loyalty clock, lag and reprocess (real stack)', () => {
  before(async () => {
    const stack = await getStack();
    redis = new Redis(stack.redisUrl);
    for (const topic of inputs) await createTopic(topic, 2);
    await createTopic(changelog, 2, [{ name: 'cleanup.policy', value: 'compact' }]);
    const kafka = await kafkaClient();
    await produce(kafka, orders, Array.from({ length: 10 }, (_, i) => ({ key: `m-${i}`, value: `v${i}`, partition: 0, timestamp: String(t0 + i * 1000) })));
    await produce(kafka, changelog, [0, 1, 2].map((i) => ({ key: `s\u0000m-${i}\u0000f`, value: 'x', partition: i % 2 })));
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: group, topic: orders, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '0' }] });
    await admin.disconnect();
    for (const partition of [0, 1]) {
      const keys = taskKeys(appId, 'member', partition);
      await redis.set(keys.fence, '3');
      await redis.hset(keys.meta, 'st', String(t0), `w:${orders}:${partition}`, '9');
      await redis.zadd(keys.timers, t0 + 1000, 'activate\u0000m-1');
      await redis.rpush(keys.outbox, 'pending');
      await redis.set(`${keys.statePrefix}m-${partition}`, '[{"available":"10"},{}]');
    }
  });

  after(async () => {
    const keys = await redisKeys();
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await deleteTopics([...inputs, changelog]);
    const admin = (await kafkaClient()).admin();
    await admin.connect();
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.disconnect();
  });

  test('clock tick writes a watermark to every partition of every input topic', async () => {
    const kafka = await kafkaClient();
    const before = await Promise.all(inputs.map((t) => recordCount(kafka, t)));
    const tick = okJson<{ time: number; topics: { topic: string; partitions: number }[] }>(await cli(['clock', 'tick', '--to', '2026-02-01T00:00:00Z', '--json'], env));
    assert.equal(tick.time, Date.parse('2026-02-01T00:00:00Z'));
    assert.deepEqual(tick.topics.map((t) => t.topic).sort(), [...inputs].sort());
    assert.ok(tick.topics.every((t) => t.partitions === 2));
    const afterCounts = await Promise.all(inputs.map((t) => recordCount(kafka, t)));
    assert.deepEqual(afterCounts.map((n, i) => n - (before[i] ?? 0)), [2, 2, 2, 2]);
    const marks = jsonLines<{ partition: number; value: unknown; headers: Record<string, string> }>(
      await cli(['replay', '--topic', `${prefix}.fraud.signals.v1`, '--from', 'earliest', '--to', 'latest']));
    assert.deepEqual(marks.map((m) => [m.partition, m.value, m.headers[WATERMARK_HEADER]]).sort(), [[0, null, String(tick.time)], [1, null, String(tick.time)]]);
    assertRefused(await cli(['clock', 'tick', '--to', 'tomorrow'], env), 2, /--to "tomorrow" is not a time/);
  });

  test('lag shows end, committed, lag and time lag per partition', async () => {
    const rows = okJson<{ topic: string; partition: number; endOffset: string; committedOffset: string | null; lag: string; timeLagMs: number | null }[]>(
      await cli(['lag', '--group', group, '--json'], env));
    const p0 = rows.find((r) => r.topic === orders && r.partition === 0);
    // The clock test added one watermark record to each partition: end 11, committed 4.
    assert.deepEqual([p0?.endOffset, p0?.committedOffset, p0?.lag], ['11', '4', '7']);
    assert.ok(p0?.timeLagMs !== null && (p0?.timeLagMs ?? 0) >= 5000, `time lag ${p0?.timeLagMs}`);
    assertRefused(await cli(['lag', '--group', uniqueName('nogroup')], env), 2, /consumer group .* does not exist/);
  });

  test('reprocess refuses while the group has live members', async () => {
    const kafka = await kafkaClient();
    const consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic: orders });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    await joined;
    try {
      assertRefused(await cli(['reprocess', 'member', '--to-time', new Date(t0 + 2000).toISOString(), '--yes'], env), 1,
        new RegExp(`consumer group ${group} has 1 live member\\(s\\).*stop the processor`));
    } finally {
      await consumer.disconnect();
    }
    assert.equal((await redisKeys()).length, 10, 'nothing dropped');
  });

  test('reprocess shows its plan, then resets offsets, drops task keys but the fence, and empties the changelog', async () => {
    const toTime = new Date(t0 + 2000).toISOString();
    type Plan = { applied: boolean; offsets: { topic: string; partition: number; committed: string | null; target: string }[]; tasks: { partition: number; keys: number }[]; changelog: { exists: boolean; records: string } };
    const plan = okJson<Plan>(await cli(['reprocess', 'member', '--to-time', toTime, '--json'], env));
    assert.equal(plan.applied, false);
    assert.deepEqual(plan.offsets.find((o) => o.topic === orders && o.partition === 0), { topic: orders, partition: 0, committed: '4', target: '2' });
    assert.deepEqual(plan.tasks, [{ partition: 0, keys: 4 }, { partition: 1, keys: 4 }]);
    assert.deepEqual(plan.changelog, { topic: changelog, exists: true, records: '3' });
    assert.equal((await redisKeys()).length, 10, 'the plan changes nothing');

    const applied = okJson<Plan>(await cli(['reprocess', 'member', '--to-time', toTime, '--yes', '--json'], env));
    assert.equal(applied.applied, true);
    assert.deepEqual(await redisKeys(), [taskKeys(appId, 'member', 0).fence, taskKeys(appId, 'member', 1).fence].sort());
    const kafka = await kafkaClient();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: group, topics: [orders] });
      // Partition 1 holds only the watermark of the clock test, stamped after the target time.
      assert.deepEqual(committed[0]?.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset), ['2', '0']);
      assert.ok((await admin.listTopics()).includes(changelog), 'changelog recreated');
    } finally {
      await admin.disconnect();
    }
    assert.equal(await recordCount(kafka, changelog), 0);
    assertRefused(await cli(['reprocess', 'nobody', '--to-time', toTime], env), 2, /unknown processor "nobody"/);
  });
});
