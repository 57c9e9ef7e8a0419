// On a real broker: two transactions interleaved in one partition, aborted in the opposite order
// of their beginnings (the broker then lists the one that began first second). kafkajs 2.2.4's own
// filter hands the first one's records to a read_committed consumer; through engine/kafka.ts,
// which installs engine/aborted-filter.ts, only committed records are read.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin } from 'kafkajs';
import { Kafka, logLevel } from '../../../engine/kafka.ts';
import { createTopic, deleteTopics, getStack, uniqueName } from '../harness.ts';
import { readTopic } from './io.ts';

describe('read_committed with interleaved aborted transactions', () => {
  const topic = uniqueName('aborted');
  let kafka: Kafka;
  let admin: Admin;

  before(async () => {
    const stack = await getStack();
    kafka = new Kafka({ brokers: stack.brokers, clientId: topic, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await createTopic(topic, 1);
  });

  after(async () => {
    await admin.disconnect();
    await deleteTopics([topic]);
  });

  test('no record of an aborted transaction is read', async () => {
    const producer = (name: string): ReturnType<Kafka['producer']> => kafka.producer({ transactionalId: `${topic}-${name}`, idempotent: true, maxInFlightRequests: 1 });
    const [a, b, c] = [producer('a'), producer('b'), producer('c')];
    for (const p of [a, b, c]) await p.connect();
    try {
      const ta = await a.transaction();
      await ta.send({ topic, messages: [{ value: 'a-aborted-1' }, { value: 'a-aborted-2' }] });
      const tb = await b.transaction();
      await tb.send({ topic, messages: [{ value: 'b-aborted' }] });
      await tb.abort();
      await ta.abort();
      const tc = await c.transaction();
      await tc.send({ topic, messages: [{ value: 'c-committed' }] });
      await tc.commit();
    } finally {
      for (const p of [a, b, c]) await p.disconnect();
    }
    const read = await readTopic(kafka, topic, 1, 20_000, 1500);
    assert.deepEqual(read.map(({ message }) => message.value?.toString()), ['c-committed']);
  });
});
