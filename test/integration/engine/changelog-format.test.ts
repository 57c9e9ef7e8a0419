// A changelog written by builds before whole-key state values (timers as records of their own)
// is refused with what to do, on the real broker: the restore read ends with the image's error
// instead of kafkajs retrying the batch.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FirstFormatChangelogError } from '../../../engine/changelog.ts';
import type { Kafka } from '../../../engine/kafka.ts';
import { readChangelogPartition } from '../../../engine/restore.ts';
import { createTopic, deleteTopics, kafkaClient, uniqueName } from '../harness.ts';

describe('changelog of the first state format', () => {
  const topic = `${uniqueName('fmt')}-running-sum-changelog`;
  let kafka: Kafka;

  before(async () => {
    kafka = await kafkaClient();
    await createTopic(topic, 1);
  });
  after(async () => {
    await deleteTopics([topic]);
  });

  test('a restore that meets a timer record fails with FirstFormatChangelogError', { timeout: 60_000 }, async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { partition: 0, key: 'k\u0000m1', value: '{"sum":"4"}' },
        { partition: 0, key: 't\u0000idle\u0000m1', value: '50' },
      ],
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await assert.rejects(readChangelogPartition(kafka, admin, topic, 0), (error: unknown) => error instanceof FirstFormatChangelogError && /loyalty reprocess/.test(error.message));
    } finally {
      await admin.disconnect();
    }
  });
});
