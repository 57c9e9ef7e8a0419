// `loyalty simulate` spawned as a user runs it: deterministic files, valid orders, and the same
// traffic through Kafka (Avro, keys per RULES.md 1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OrderEvent } from '../../../avro/records.ts';
import { orderKey } from '../../../cli/simulate/generator.ts';
import { loadConfig } from '../../../engine/config.ts';
import { validateOrderEvent } from '../../../processors/member/validate.ts';
import { createTopic, deleteTopics, getStack, uniqueName } from '../../integration/harness.ts';
import { assertRefused, cli, jsonLines, okJson } from './run-cli.ts';

const work = join(loadConfig().home, 'tmp', uniqueName('e2e-simulate'));
const topic = uniqueName('e2e-simulate-orders');

describe('loyalty simulate', () => {
  before(async () => {
    await getStack();
    mkdirSync(work, { recursive: true });
    await createTopic(topic, 3);
  });

  after(async () => {
    await deleteTopics([topic]);
    rmSync(work, { recursive: true, force: true });
  });

  test('the same seed writes byte-identical files of valid orders; another seed does not', async () => {
    const args = ['simulate', '--members', '80', '--orders', '1500', '--start', '2026-03-02T00:00:00Z'];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(work, `${n}.jsonl`)) as [string, string, string];
    const summary = okJson<{ events: number; completed: number; refunded: number }>(await cli([...args, '--seed', 's1', '--out', a, '--json']));
    assert.equal(summary.events, 1500);
    assert.equal(summary.completed + summary.refunded, 1500);
    assert.equal((await cli([...args, '--seed', 's1', '--out', b])).code, 0);
    assert.equal((await cli([...args, '--seed', 's2', '--out', c])).code, 0);
    const textA = readFileSync(a, 'utf8');
    assert.equal(textA, readFileSync(b, 'utf8'));
    assert.notEqual(textA, readFileSync(c, 'utf8'));
    const events = textA.trim().split('\n').map((line) => JSON.parse(line) as OrderEvent);
    assert.equal(events.length, 1500);
    for (const event of events) {
      const result = validateOrderEvent(event, 'USD');
      assert.ok(result.ok, result.ok ? '' : `${event.eventId}: ${result.reason} ${result.message}`);
    }
  });

  test('produced to Kafka, the same seed gives the same events, keyed by member (or order for guests)', async () => {
    const file = join(work, 'kafka.jsonl');
    const args = ['--members', '30', '--orders', '200', '--seed', 'kafka', '--start', '2026-03-02T00:00:00Z'];
    assert.equal((await cli(['simulate', ...args, '--out', file])).code, 0);
    const produced = okJson<{ events: number; target: string }>(await cli(['simulate', ...args, '--rate', '400/s', '--topic', topic, '--json']));
    assert.deepEqual([produced.events, produced.target], [200, topic]);
    const read = jsonLines<{ key: string; value: OrderEvent }>(await cli(['replay', '--topic', topic, '--from', 'earliest', '--to', 'latest']));
    const expected = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as OrderEvent);
    assert.equal(read.length, 200);
    const byId = new Map(read.map((r) => [r.value.eventId, r]));
    for (const event of expected) {
      const record = byId.get(event.eventId);
      assert.ok(record, `event ${event.eventId} on the topic`);
      assert.deepEqual(record.value, event);
      assert.equal(record.key, orderKey(event));
    }
  });

  test('bad flags and unknown topics are refused with exit 2', async () => {
    assertRefused(await cli(['simulate', '--members', '0', '--orders', '5', '--out', join(work, 'x.jsonl')]), 2, /--members "0" must be an integer ≥ 1/);
    assertRefused(await cli(['simulate', '--orders', '5', '--duration', '1m', '--out', join(work, 'x.jsonl')]), 2, /give --orders or --duration, not both/);
    assertRefused(await cli(['simulate', '--out', join(work, 'x.jsonl')]), 2, /--out needs --orders or --duration/);
    assertRefused(await cli(['simulate', '--rate', 'fast', '--orders', '5']), 2, /--rate "fast" is not a rate/);
    assertRefused(await cli(['simulate', '--orders', '5', '--topic', uniqueName('missing')]), 2, /does not exist/);
  });
});
