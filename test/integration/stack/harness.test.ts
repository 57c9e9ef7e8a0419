// The integration test harness itself, on the real stack: topics are created with their
// partitions and deleted, and a Redis scope deletes its own keys and nothing else.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopic, deleteTopics, getStack, kafkaClient, redisScope, uniqueName } from '../harness.ts';

describe('integration harness', () => {
  test('getStack gives brokers, Redis and a private chDB folder, the same on every call', async () => {
    const a = await getStack();
    const b = await getStack();
    assert.equal(a, b);
    assert.ok(a.brokers.length > 0);
    assert.match(a.redisUrl, /^redis:\/\//);
    assert.match(a.chdbPath, /chdb-\d+-/);
  });

  test('uniqueName never repeats', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName('t')));
    assert.equal(names.size, 1000);
  });

  test('createTopic makes the partitions asked for; deleteTopics removes them and ignores unknown ones', async () => {
    const topic = uniqueName('harness');
    await createTopic(topic, 3);
    const admin = (await kafkaClient()).admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      assert.equal(metadata.topics[0]?.partitions.length, 3);
      await deleteTopics([topic, uniqueName('never-created')]);
      assert.ok(!(await admin.listTopics()).includes(topic));
    } finally {
      await admin.disconnect();
    }
  });

  test('a Redis scope deletes exactly its own keys', async () => {
    const mine = await redisScope('mine');
    const other = await redisScope('other');
    try {
      for (let i = 0; i < 2500; i++) await mine.redis.set(mine.key(`k${i}`), '1');
      await other.redis.set(other.key('keep'), '1');
      assert.equal(await mine.cleanup(), 2500);
      assert.equal(await other.redis.exists(other.key('keep')), 1);
    } finally {
      assert.equal(await other.cleanup(), 1);
    }
  });
});
