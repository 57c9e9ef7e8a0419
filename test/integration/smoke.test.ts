// First vertical slice on the real stack: Kafka transactions (one aborted, one committed) →
// read_committed consumer → exact per-key counters in Redis (Lua) → summary row in chDB.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from '../../engine/kafka.ts';
import { runSmokePipeline, smokeKeyOf } from '../../stack/smoke/pipeline.ts';
import { getStack } from './harness.ts';

const RECORDS = 10_000;
const ABORTED = 1_000;
const KEYS = 50;

describe('smoke pipeline on the real stack', () => {
  let topic = '';

  after(async () => {
    // The pipeline removes its topic itself; this checks it really did.
    const { brokers } = await getStack();
    const admin = new Kafka({ clientId: 'smoke-check', brokers, logLevel: logLevel.ERROR }).admin();
    await admin.connect();
    try {
      assert.ok(!(await admin.listTopics()).includes(topic), `topic ${topic} was left behind`);
    } finally {
      await admin.disconnect();
    }
  });

  test('10k transactional records are counted exactly once per key, aborted ones never', async () => {
    const stack = await getStack();
    const result = await runSmokePipeline({ ...stack, records: RECORDS, abortedRecords: ABORTED, keys: KEYS });
    topic = result.topic;

    const expected: Record<string, number> = {};
    for (let i = 0; i < RECORDS; i++) expected[smokeKeyOf(i, KEYS)] = (expected[smokeKeyOf(i, KEYS)] ?? 0) + 1;

    assert.equal(result.consumed, RECORDS);
    assert.deepEqual(result.redisCounts, expected);
    assert.deepEqual(result.chdb, { keys: KEYS, records: RECORDS });
    assert.equal(result.keysLeftInRedis, 0);

    const redis = new Redis(stack.redisUrl);
    try {
      assert.equal((await redis.keys(`${result.topic}*`)).length, 0, 'Redis keys of the run were left behind');
    } finally {
      redis.disconnect();
    }
  });
});
