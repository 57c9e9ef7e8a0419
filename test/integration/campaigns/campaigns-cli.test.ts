// `loyalty campaigns publish|list|preview` against the real stack: a random campaign topic and a
// random orders topic per run, the CLI spawned as a user runs it, everything deleted afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPlainJsonText } from '../../../avro/json.ts';
import type { Campaign, OrderEvent } from '../../../avro/records.ts';
import { Serde } from '../../../avro/serde.ts';
import { loadConfig, REPO_ROOT } from '../../../engine/config.ts';
import { createTopic, deleteTopics, getStack, kafkaClient, uniqueName } from '../harness.ts';

interface Run { code: number | null; stdout: string; stderr: string }

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/loyalty.js', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function json<T>(run: Run): T {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as T;
}

const campaignTopic = uniqueName('it-campaigns');
const ordersTopic = uniqueName('it-orders');
const prefix = uniqueName('it-p');
const work = join(loadConfig().home, 'tmp', uniqueName('campaigns-cli'));
const starters = join(REPO_ROOT, 'programs', 'campaigns');
const scenario = join(REPO_ROOT, 'test', 'fixtures', 'conformance', 'scenario-101');

describe('loyalty campaigns (real stack)', () => {
  before(async () => {
    const stack = await getStack();
    assert.ok(stack.registryUrl, 'the stack has a schema registry');
    mkdirSync(work, { recursive: true });
    await createTopic(campaignTopic, 1, [{ name: 'cleanup.policy', value: 'compact' }]);
    await createTopic(ordersTopic, 3);
    await createTopic(`${prefix}.campaigns.v1`, 1, [{ name: 'cleanup.policy', value: 'compact' }]);
  });

  after(async () => {
    await deleteTopics([campaignTopic, ordersTopic, `${prefix}.campaigns.v1`]);
    rmSync(work, { recursive: true, force: true });
  });

  test('list on an empty topic shows nothing', async () => {
    assert.deepEqual(json<Campaign[]>(await cli(['campaigns', 'list', '--topic', campaignTopic, '--json'])), []);
  });

  test('publish --dry-run validates and produces nothing', async () => {
    const plan = json<{ dryRun: boolean; campaigns: { campaignId: string; previousVersion: number | null }[] }>(
      await cli(['campaigns', 'publish', starters, '--dry-run', '--topic', campaignTopic, '--json']));
    assert.equal(plan.dryRun, true);
    assert.equal(plan.campaigns.length, 7);
    assert.ok(plan.campaigns.every((c) => c.previousVersion === null));
    assert.deepEqual(json<Campaign[]>(await cli(['campaigns', 'list', '--topic', campaignTopic, '--json'])), []);
  });

  test('publish a folder, then list reads back every campaign in wire form', async () => {
    const run = await cli(['campaigns', 'publish', starters, '--topic', campaignTopic]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /published fifth-visit v1 \(new\)/);
    const listed = json<Campaign[]>(await cli(['campaigns', 'list', '--topic', campaignTopic, '--json']));
    assert.deepEqual(listed.map((c) => c.campaignId), ['breakfast-app-2x', 'coffee-club', 'family-meal-bonus', 'fifth-visit', 'gold-weekend', 'summer-drinks', 'welcome-bonus']);
    const fifth = listed.find((c) => c.campaignId === 'fifth-visit');
    assert.deepEqual(fifth?.params, { extraMultiplierBp: null, categories: null, bonusPoints: 200, every: 5 });
    assert.equal(fifth?.startsAt, Date.parse('2026-01-05T00:00:00Z'));
  });

  test('a version not greater than the published one is refused with exit 2, naming the campaign', async () => {
    const run = await cli(['campaigns', 'publish', join(starters, 'fifth-visit.json'), '--topic', campaignTopic]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /fifth-visit version 1 is not greater than the published version 1/);
  });

  test('a higher version replaces; list shows the highest', async () => {
    const next = { ...JSON.parse(readFileSync(join(starters, 'fifth-visit.json'), 'utf8')) as Record<string, unknown>, version: 2, params: { every: 4, bonusPoints: 250 } };
    const file = join(work, 'fifth-visit-v2.json');
    writeFileSync(file, JSON.stringify(next));
    assert.equal((await cli(['campaigns', 'publish', file, '--topic', campaignTopic])).code, 0);
    const listed = json<Campaign[]>(await cli(['campaigns', 'list', '--topic', campaignTopic, '--json']));
    const fifth = listed.find((c) => c.campaignId === 'fifth-visit');
    assert.deepEqual([fifth?.version, fifth?.params.every, listed.length], [2, 4, 7]);
  });

  test('an invalid campaign file is refused with exit 2 naming the field, before anything is produced', async () => {
    const bad = join(work, 'bad');
    mkdirSync(bad);
    cpSync(join(starters, 'welcome-bonus.json'), join(bad, 'a.json'));
    writeFileSync(join(bad, 'b.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(starters, 'gold-weekend.json'), 'utf8')) as object, campaignId: 'late-night', daypart: { days: ['FRI'], startMinute: 1320, endMinute: 120 } }));
    const run = await cli(['campaigns', 'publish', bad, '--topic', campaignTopic]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /b\.json: daypart\.endMinute/);
    const listed = json<Campaign[]>(await cli(['campaigns', 'list', '--topic', campaignTopic, '--json']));
    assert.equal(listed.find((c) => c.campaignId === 'welcome-bonus')?.version, 1);
  });

  test('--prefix publishes to and lists the isolated topic set\'s campaigns.v1', async () => {
    const run = json<{ topic: string }>(await cli(['campaigns', 'publish', join(starters, 'welcome-bonus.json'), '--prefix', prefix, '--json']));
    assert.equal(run.topic, `${prefix}.campaigns.v1`);
    const listed = json<Campaign[]>(await cli(['campaigns', 'list', '--prefix', prefix, '--json']));
    assert.deepEqual(listed.map((c) => c.campaignId), ['welcome-bonus']);
  });

  test('preview over a topic equals preview over the same orders in a file, and writes nothing', async () => {
    const lines = readFileSync(join(scenario, 'events.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 1500);
    const file = join(work, 'orders.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { registryUrl } = await getStack();
    const serde = new Serde(registryUrl ?? '');
    const producer = (await kafkaClient()).producer({ idempotent: true });
    await producer.connect();
    try {
      await serde.prepare(ordersTopic, 'loyalty.orders.OrderEvent');
      const messages = lines.map((line) => {
        const order = fromPlainJsonText<OrderEvent>('loyalty.orders.OrderEvent', line);
        return { key: order.memberId ?? order.orderId, value: serde.encodeSync(ordersTopic, order) };
      });
      await producer.send({ topic: ordersTopic, messages });
    } finally {
      await producer.disconnect();
    }
    const campaign = join(scenario, 'campaigns.json');
    const single = join(work, 'fifth.json');
    writeFileSync(single, JSON.stringify((JSON.parse(readFileSync(campaign, 'utf8')) as { campaignId: string }[]).find((c) => c.campaignId === 'fifth-visit')));
    const fromFile = json<Record<string, unknown>>(await cli(['campaigns', 'preview', single, '--orders', file, '--json']));
    const fromTopic = json<Record<string, unknown>>(await cli(['campaigns', 'preview', single, '--topic', ordersTopic, '--json']));
    // Partitions interleave differently than the file, but each member's orders keep their order.
    assert.deepEqual(fromTopic, fromFile);
    assert.ok((fromFile.awards as number) > 0);
    const offsets = await (async () => {
      const admin = (await kafkaClient()).admin();
      await admin.connect();
      try {
        return await admin.fetchTopicOffsets(ordersTopic);
      } finally {
        await admin.disconnect();
      }
    })();
    assert.equal(offsets.reduce((sum, o) => sum + Number(o.high), 0), lines.length);
  });
});
