// `loyalty dlq list|show|redrive` on the real stack, on a prefixed orders.v1.dlq / orders.v1 pair.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DLQ_HEADERS } from '../../../engine/types.ts';
import { createTopic, deleteTopics, getStack, kafkaClient, uniqueName } from '../../integration/harness.ts';
import { assertRefused, cli, jsonLines, okJson, produce, recordCount } from './run-cli.ts';

const prefix = uniqueName('e2e-dlq');
const input = `${prefix}.orders.v1`;
const dead = `${input}.dlq`;
const env = { LOYALTY_TOPIC_PREFIX: prefix };

function deadLetter(reason: string, offset: number, value: string): { key: string; value: Buffer; headers: Record<string, string> } {
  return {
    key: `m-${offset}`,
    value: Buffer.from(value),
    headers: {
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.error]: `${reason} at offset ${offset}`,
      [DLQ_HEADERS.topic]: input,
      [DLQ_HEADERS.partition]: '0',
      [DLQ_HEADERS.offset]: String(offset),
      [DLQ_HEADERS.time]: String(Date.now()),
      'x-trace': `t-${offset}`,
    },
  };
}

describe('loyalty dlq (real stack)', () => {
  before(async () => {
    await getStack();
    await createTopic(input, 2);
    await createTopic(dead, 2);
    await produce(await kafkaClient(), dead, [
      deadLetter('UNDECODABLE', 1, 'not avro'),
      deadLetter('UNDECODABLE', 2, 'still not avro'),
      deadLetter('PROCESSING_ERROR', 3, 'bytes-3'),
      deadLetter('UNDECODABLE', 4, 'nope'),
    ]);
  });

  after(async () => {
    await deleteTopics([input, dead]);
  });

  test('list counts by reason with samples', async () => {
    const listed = okJson<{ total: number; reasons: { reason: string; count: number; sources: Record<string, number>; samples: { source: string }[] }[] }>(
      await cli(['dlq', 'list', 'orders.v1.dlq', '--json'], env));
    assert.equal(listed.total, 4);
    assert.deepEqual(listed.reasons.map((r) => [r.reason, r.count]), [['UNDECODABLE', 3], ['PROCESSING_ERROR', 1]]);
    assert.deepEqual(listed.reasons[0]?.sources, { [input]: 3 });
    assert.equal(listed.reasons[1]?.samples[0]?.source, `${input}:0:3`);
    const since = okJson<{ total: number }>(await cli(['dlq', 'list', dead, '--since', new Date(Date.now() + 3_600_000).toISOString(), '--json']));
    assert.equal(since.total, 0);
  });

  test('show prints records with headers, filtered by reason', async () => {
    const shown = jsonLines<{ headers: Record<string, string>; undecodable?: string; valueBase64?: string }>(
      await cli(['dlq', 'show', dead, '--reason', 'PROCESSING_ERROR', '--json']));
    assert.equal(shown.length, 1);
    assert.equal(shown[0]?.headers[DLQ_HEADERS.error], 'PROCESSING_ERROR at offset 3');
    assert.equal(Buffer.from(shown[0]?.valueBase64 ?? '', 'base64').toString(), 'bytes-3');
    assert.match(shown[0]?.undecodable ?? '', /not Confluent-framed Avro/);
  });

  test('redrive shows what it would write and needs --yes; then writes the original bytes back', async () => {
    const kafka = await kafkaClient();
    const refused = await cli(['dlq', 'redrive', 'orders.v1.dlq', '--reason', 'UNDECODABLE'], env);
    assertRefused(refused, 2, /3 records would be written to .*orders\.v1 \(read by the processors\); re-run with --yes/);
    assert.match(refused.stdout, /3 dead letters of .* would be redriven: 3 to /);
    assert.equal(await recordCount(kafka, input), 0);
    const done = okJson<{ written: number; byTarget: Record<string, number> }>(
      await cli(['dlq', 'redrive', 'orders.v1.dlq', '--reason', 'UNDECODABLE', '--yes', '--json'], env));
    assert.equal(done.written, 3);
    assert.deepEqual(done.byTarget, { [input]: 3 });
    const back = jsonLines<{ key: string; headers: Record<string, string>; valueBase64: string }>(
      await cli(['replay', '--topic', input, '--from', 'earliest', '--to', 'latest']));
    assert.deepEqual(back.map((r) => Buffer.from(r.valueBase64, 'base64').toString()).sort(), ['nope', 'not avro', 'still not avro']);
    for (const record of back) {
      assert.ok(Object.keys(record.headers).every((h) => !h.startsWith('x-dlq-')), 'x-dlq-* headers dropped');
      assert.match(record.headers['x-redrive'] ?? '', new RegExp(`^${dead.replace(/\./g, '\\.')}:\\d:\\d+$`));
      assert.equal(record.headers['x-trace'], `t-${record.key.slice(2)}`);
    }
  });

  test('a topic that is not a dead-letter topic is refused', async () => {
    assertRefused(await cli(['dlq', 'list', input]), 2, /is not a dead-letter topic/);
    assertRefused(await cli(['dlq', 'list', `${uniqueName('missing')}.dlq`]), 2, /does not exist/);
  });
});
