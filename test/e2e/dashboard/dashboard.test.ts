// The campaign dashboard in headless Chromium (Debian's, driven by playwright-core) over real
// embedded ClickHouse. The data is the conformance scenario run through the member and card-fraud
// processors, mapped to rows by the sink's own mapping: the numbers on the page must equal both
// direct ClickHouse queries and the scenario's independently computed expected.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FraudSignal, LedgerEntry, MemberSnapshot, OrderEvent, PromotionDecision } from '../../../avro/records.ts';
import { REPO_ROOT } from '../../../engine/config.ts';
import { startDashboard, type Dashboard } from '../../../dashboard/server.ts';
import { openAnalytics, type Analytics } from '../../../sinks/clickhouse/client.ts';
import { migrate } from '../../../sinks/clickhouse/migrate.ts';
import { SINK_TABLES, decisionRows, fraudRows, ledgerRows, memberRows, orderRows, type Row, type TableRows } from '../../../sinks/clickhouse/rows.ts';
import { readJson, runScenario, scenarioDir } from '../../unit/processors/scenario-runner.ts';

const SCENARIO = 'scenario-101';
const artifacts = join(REPO_ROOT, 'test-artifacts', 'dashboard');
const chdbPath = join(REPO_ROOT, '.loyalty', 'tmp', `dashboard-e2e-${process.pid}`);

interface Expected {
  decisions: { campaignId: string; outcome: string; reason: string | null; count: number }[];
  bonusAwarded: Record<string, number>;
  members: Record<string, { pendingPoints: number; availablePoints: number; heldPoints: number }>;
  signals: Record<string, number>;
}

let analytics: Analytics;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
const expected = readJson(scenarioDir(SCENARIO), 'expected.json') as Expected;

async function loadScenarioIntoClickHouse(db: Analytics): Promise<void> {
  const run = runScenario(SCENARIO);
  const all: Record<string, Row[]> = {};
  const add = (rows: TableRows): void => {
    for (const [table, list] of Object.entries(rows)) (all[table] ??= []).push(...(list ?? []));
  };
  const each = <T>(records: { value: unknown }[], map: (value: T, origin: { partition: number; offset: string }) => TableRows): void => {
    records.forEach((record, index) => add(map(record.value as T, { partition: 0, offset: String(index) })));
  };
  each<LedgerEntry>(run.member.outputs('ledger'), ledgerRows);
  each<MemberSnapshot>(run.member.outputs('members'), memberRows);
  each<PromotionDecision>(run.member.outputs('decisions'), decisionRows);
  each<FraudSignal>([...run.member.outputs('signals'), ...run.card.outputs('signals')], fraudRows);
  const events = readFileSync(new URL('events.jsonl', scenarioDir(SCENARIO)), 'utf8').split('\n').filter((l) => l.trim() !== '');
  each<OrderEvent>(events.map((line) => ({ value: JSON.parse(line) as unknown })), orderRows);
  for (const table of SINK_TABLES) {
    const rows = all[table];
    if (rows && rows.length > 0) await db.insert(table, rows);
  }
}

async function cellValues(selector: string): Promise<number[]> {
  return page.$$eval(selector, (cells) => cells.map((cell) => Number((cell as HTMLElement).dataset.value)));
}

async function waitLoaded(view: string): Promise<void> {
  await page.waitForSelector(`body[data-loaded="${view}"]`, { timeout: 30_000 });
}

describe('campaign dashboard in headless Chromium', () => {
  before(async () => {
    rmSync(chdbPath, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    analytics = await openAnalytics({ chdbPath });
    await migrate(analytics);
    await loadScenarioIntoClickHouse(analytics);
    dashboard = await startDashboard({ db: analytics, port: 0 });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await analytics?.close();
    rmSync(chdbPath, { recursive: true, force: true });
  });

  test('campaign overview: awards and bonus points equal ClickHouse and the expected results', async () => {
    await page.goto(dashboard.url);
    await waitLoaded('overview');
    const ids = await page.$$eval('#overview-table tbody tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.campaign ?? ''));
    const awards = await cellValues('#overview-table tbody tr td:nth-child(3)');
    const bonus = await cellValues('#overview-table tbody tr td:nth-child(4)');
    const { rows } = await analytics.query<{ campaignId: string; awards: number; bonus: number }>(
      `SELECT campaignId, toUInt64(countIf(outcome = 'AWARDED')) AS awards, toInt64(sum(bonusPoints)) AS bonus
       FROM promotion_evaluations GROUP BY campaignId ORDER BY campaignId`);
    assert.deepEqual(ids, rows.map((r) => r.campaignId));
    assert.deepEqual(awards, rows.map((r) => Number(r.awards)));
    assert.deepEqual(bonus, rows.map((r) => Number(r.bonus)));
    assert.deepEqual(Object.fromEntries(ids.map((id, i) => [id, bonus[i]])), expected.bonusAwarded);
    for (const [i, id] of ids.entries()) {
      const awarded = expected.decisions.find((d) => d.campaignId === id && d.outcome === 'AWARDED')?.count ?? 0;
      assert.equal(awards[i], awarded, `awards of ${id}`);
    }
    await page.screenshot({ path: join(artifacts, 'overview.png'), fullPage: true });
  });

  test('clicking a campaign shows its decisions by outcome and reason', async () => {
    await page.click('#overview-table a[data-open="fifth-visit"]');
    await waitLoaded('campaign');
    const rows = await page.$$eval('#reasons-table tbody tr', (trs) => trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).dataset.value ?? td.textContent ?? '');
      return { outcome: cells[0] ?? '', reason: cells[1] === '—' ? null : cells[1] ?? null, count: Number(cells[2]) };
    }));
    const want = expected.decisions.filter((d) => d.campaignId === 'fifth-visit')
      .map((d) => ({ outcome: d.outcome, reason: d.reason, count: d.count }));
    const sort = (list: { outcome: string; reason: string | null; count: number }[]) =>
      [...list].sort((a, b) => `${a.outcome}:${a.reason}`.localeCompare(`${b.outcome}:${b.reason}`));
    assert.deepEqual(sort(rows), sort(want));
    assert.ok((await page.$$('#store-table tbody tr')).length > 1, 'stores and channels are listed');
    await page.screenshot({ path: join(artifacts, 'campaign-fifth-visit.png'), fullPage: true });
  });

  test('the time-range picker narrows every number to the chosen event-time window', async () => {
    await page.click('#tabs button[data-view="overview"]');
    await waitLoaded('overview');
    const allAwards = (await cellValues('#overview-table tbody tr td:nth-child(3)')).reduce((a, b) => a + b, 0);
    await page.evaluate(() => { document.body.dataset.loaded = ''; });
    await page.selectOption('#range-preset', '30d');
    await waitLoaded('overview');
    const { rows: span } = await analytics.query<{ maxAt: number }>(
      'SELECT toInt64(toUnixTimestamp64Milli(max(occurredAt))) AS maxAt FROM ledger_entries');
    const maxAt = Number(span[0]?.maxAt);
    const { rows } = await analytics.query<{ awards: number }>(
      `SELECT toUInt64(countIf(outcome = 'AWARDED')) AS awards FROM promotion_evaluations
       WHERE occurredAt >= toStartOfHour(fromUnixTimestamp64Milli({from:Int64}, 'UTC')) AND occurredAt < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`,
      { from: maxAt + 1 - 30 * 86_400_000, to: maxAt + 1 });
    const windowAwards = (await cellValues('#overview-table tbody tr td:nth-child(3)')).reduce((a, b) => a + b, 0);
    assert.equal(windowAwards, Number(rows[0]?.awards));
    assert.ok(windowAwards < allAwards, 'a 30-day window holds fewer awards than all data');
    await page.screenshot({ path: join(artifacts, 'overview-30d.png'), fullPage: true });
    await page.selectOption('#range-preset', 'all');
  });

  test('points liability at the end equals the members\' balances', async () => {
    await page.click('#tabs button[data-view="liability"]');
    await waitLoaded('liability');
    const [pending, available, held] = await cellValues('#liability-latest b');
    const members = Object.values(expected.members);
    assert.equal(pending, members.reduce((s, m) => s + m.pendingPoints, 0));
    assert.equal(available, members.reduce((s, m) => s + m.availablePoints, 0));
    assert.equal(held, members.reduce((s, m) => s + m.heldPoints, 0));
    await page.screenshot({ path: join(artifacts, 'liability.png'), fullPage: true });
  });

  test('tiers and fraud views equal ClickHouse and the expected signals', async () => {
    await page.click('#tabs button[data-view="tiers"]');
    await waitLoaded('tiers');
    const tierCounts = await cellValues('#tiers-table tbody td:nth-child(2)');
    assert.equal(tierCounts.reduce((a, b) => a + b, 0), Object.keys(expected.members).length);
    await page.screenshot({ path: join(artifacts, 'tiers.png'), fullPage: true });
    await page.click('#tabs button[data-view="fraud"]');
    await waitLoaded('fraud');
    const rules = await page.$$eval('#fraud-table tbody tr', (trs) => trs.map((tr) => [tr.children[0]?.textContent ?? '', Number((tr.children[2] as HTMLElement).dataset.value)] as const));
    const byRule: Record<string, number> = {};
    for (const [rule, n] of rules) byRule[rule] = (byRule[rule] ?? 0) + n;
    assert.deepEqual(byRule, Object.fromEntries(Object.entries(expected.signals).filter(([, n]) => n > 0)));
    assert.ok((await page.$$('#signals-table tbody tr')).length > 0, 'latest signals are listed');
    await page.screenshot({ path: join(artifacts, 'fraud.png'), fullPage: true });
  });

  test('the API refuses bad parameters with 400', async () => {
    for (const query of ['/api/campaigns?from=tomorrow', '/api/campaigns/bad%27id', '/api/fraud?from=5&to=1']) {
      const res = await fetch(`${dashboard.url}${query}`);
      assert.equal(res.status, 400, query);
    }
  });
});
