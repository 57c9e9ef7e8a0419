// The contract commands on the real broker and our registry, spawned as a user runs them:
// topics apply (diff, refusal), schemas register/check, produce -> consume returns the input.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TOPICS, topicName } from '../../../topics/catalog.ts';
import { createTopic, deleteTopics, getStack, uniqueName } from '../harness.ts';
import { http, startTestRegistry, stopTestRegistry, type TestRegistry } from '../registry/helpers.ts';

const BIN = fileURLToPath(new URL('../../../bin/loyalty.js', import.meta.url));
const fixture = (path: string): string => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));
const prefix = uniqueName('clitest');
let registry: TestRegistry | undefined;
let brokers = '';

interface Run { code: number; stdout: string; stderr: string }

function loyalty(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LOYALTY_TOPIC_PREFIX: '' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}
const kafkaFlags = (): string[] => ['--brokers', brokers];
const registryFlags = (): string[] => ['--registry', (registry as TestRegistry).url];

before(async () => {
  brokers = (await getStack()).brokers.join(',');
  registry = await startTestRegistry();
});
after(async () => {
  await deleteTopics(TOPICS.map((t) => topicName(t.base, prefix)));
  await stopTestRegistry(registry);
});

describe('topics apply', () => {
  test('refuses to add partitions to a keyed topic without --force, then creates the rest', async () => {
    await createTopic(topicName('loyalty.ledger.v1', prefix), 2);
    const dry = await loyalty('topics', 'apply', '--dry-run', '--prefix', prefix, ...kafkaFlags());
    assert.equal(dry.code, 1, dry.stderr);
    assert.match(dry.stdout, new RegExp(`\\+ ${prefix}\\.orders\\.v1: create, partitions=4`));
    assert.match(dry.stdout, new RegExp(`! ${prefix}\\.loyalty\\.ledger\\.v1: partitions 2 -> 4 refused: the topic is keyed`));
    assert.match(dry.stderr, /keys would move to other partitions/);
    const forced = await loyalty('topics', 'apply', '--force', '--prefix', prefix, ...kafkaFlags());
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, new RegExp(`~ ${prefix}\\.loyalty\\.ledger\\.v1: partitions 2 -> 4`));
    const again = await loyalty('topics', 'apply', '--json', '--prefix', prefix, ...kafkaFlags());
    assert.equal(again.code, 0, again.stderr);
    const plan = JSON.parse(again.stdout) as { changes: unknown[]; unchanged: string[] };
    assert.deepEqual(plan.changes, []);
    assert.equal(plan.unchanged.length, TOPICS.length);
  });
});

describe('schemas', () => {
  test('register is idempotent and check passes; an incompatible registered version fails check naming the field', async () => {
    const first = await loyalty('schemas', 'register', '--json', '--prefix', prefix, ...registryFlags());
    assert.equal(first.code, 0, first.stderr);
    const again = await loyalty('schemas', 'register', '--json', '--prefix', prefix, ...registryFlags());
    assert.deepEqual(JSON.parse(again.stdout), JSON.parse(first.stdout));
    const ok = await loyalty('schemas', 'check', '--prefix', prefix, ...registryFlags());
    assert.equal(ok.code, 0, ok.stderr);
    const subject = `${topicName('loyalty.commands.v1', prefix)}-value`;
    const changed = JSON.parse(readFileSync(new URL('../../../avro/Command.avsc', import.meta.url), 'utf8')) as { fields: { name: string; type: unknown }[] };
    changed.fields = changed.fields.map((f) => (f.name === 'issuedBy' ? { ...f, type: 'long' } : f));
    await http(registry?.url ?? '', 'PUT', `/config/${subject}`, { compatibility: 'NONE' });
    assert.equal((await http(registry?.url ?? '', 'POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(changed) })).status, 200);
    await http(registry?.url ?? '', 'PUT', `/config/${subject}`, { compatibility: 'BACKWARD' });
    const broken = await loyalty('schemas', 'check', '--prefix', prefix, ...registryFlags());
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /loyalty\.commands\.v1-value: loyalty\.commands\.Command INCOMPATIBLE/);
    assert.match(broken.stderr, /field 'issuedBy'/);
  });
});

describe('produce and consume', () => {
  const events = readFileSync(fixture('conformance/scenario-101/events.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');

  test('an invalid line stops with its number and field and exit 2; nothing is sent', async () => {
    const run = await loyalty('produce', fixture('conformance/scenario-101/bad.jsonl'), '--topic', 'orders.v1', '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^loyalty: line 1: orderId: expected string, but the field is missing/);
    const skipped = await loyalty('produce', fixture('conformance/scenario-101/bad.jsonl'), '--topic', 'orders.v1', '--skip-invalid', '--json', '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    assert.equal(skipped.code, 0, skipped.stderr);
    const summary = JSON.parse(skipped.stdout) as { produced: number; skipped: number; invalid: { line: number; path: string }[] };
    assert.equal(summary.produced, 0);
    assert.equal(summary.skipped, 14);
    assert.equal(summary.invalid[6]?.path, 'lines[0].quantity');
  });

  test('consume returns exactly the produced records, keyed and in per-key order', async () => {
    const produced = await loyalty('produce', fixture('conformance/scenario-101/events.jsonl'), '--topic', 'orders.v1', '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    assert.equal(produced.code, 0, produced.stderr);
    assert.match(produced.stdout, new RegExp(`^produced ${events.length} records to ${prefix}\\.orders\\.v1`));
    const consumed = await loyalty('consume', 'orders.v1', '--json', '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    assert.equal(consumed.code, 0, consumed.stderr);
    const records = consumed.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { key: string; partition: number; offset: number; timestamp: number; value: { memberId: string | null; orderId: string; occurredAt: number } });
    assert.equal(records.length, events.length);
    const byKey = (lines: { key: string; text: string }[]): Map<string, string[]> => {
      const map = new Map<string, string[]>();
      for (const { key, text } of lines) map.set(key, [...(map.get(key) ?? []), text]);
      return map;
    };
    const expected = byKey(events.map((text) => {
      const value = JSON.parse(text) as { memberId: string | null; orderId: string };
      return { key: value.memberId ?? value.orderId, text: JSON.stringify(JSON.parse(text)) };
    }));
    const sorted = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    const actual = byKey(sorted.map((r) => ({ key: r.key, text: JSON.stringify(r.value) })));
    assert.deepEqual(actual, expected);
    for (const r of records) assert.equal(r.timestamp, r.value.occurredAt);

    const limited = await loyalty('consume', 'orders.v1', '--json', '--max', '5', '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    assert.equal(limited.stdout.split('\n').filter((l) => l !== '').length, 5);

    const times = records.map((r) => r.timestamp).sort((a, b) => a - b);
    const from = times[1000] as number;
    const to = times[2000] as number;
    const window = await loyalty('consume', 'orders.v1', '--json', '--from', new Date(from).toISOString(), '--to', String(to), '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    const inWindow = window.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { timestamp: number }).timestamp);
    assert.equal(inWindow.length, times.filter((t) => t >= from && t < to).length);
    assert.ok(inWindow.every((t) => t >= from && t < to));
  });

  test('--follow prints records produced after it started', async () => {
    const following = loyalty('consume', 'campaigns.v1', '--follow', '--json', '--max', '1', '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const produced = await loyalty('produce', fixture('avro/Campaign.json'), '--topic', 'campaigns.v1', '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    assert.equal(produced.code, 0, produced.stderr);
    const run = await following;
    assert.equal(run.code, 0, run.stderr);
    const record = JSON.parse(run.stdout) as { key: string; value: unknown };
    assert.equal(record.key, 'breakfast-2x');
    assert.deepEqual(record.value, JSON.parse(readFileSync(fixture('avro/Campaign.json'), 'utf8')));
  });

  test('a bad --from is a usage error', async () => {
    const run = await loyalty('consume', 'orders.v1', '--from', 'yesterday', '--prefix', prefix, ...kafkaFlags(), ...registryFlags());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--from: expected an RFC 3339 date-time/);
  });
});
