// Runs every example query of docs/analytics.md against a small data set in chDB, so the
// documented questions keep working as the schema evolves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FraudSignal, MemberSnapshot } from '../../../avro/records.ts';
import { REPO_ROOT } from '../../../engine/config.ts';
import { openAnalytics, type Analytics } from '../../../sinks/clickhouse/client.ts';
import { migrate } from '../../../sinks/clickhouse/migrate.ts';
import { readOnlyStatement } from '../../../sinks/clickhouse/read-only.ts';
import { appendRows, decisionRows, fraudRows, ledgerRows, memberRows, orderRows, SINK_TABLES, type TableRows } from '../../../sinks/clickhouse/rows.ts';
import { chdbFolder, type ChdbFolder } from './chdb-folder.ts';
import { sampleDecision, sampleLedger, sampleOrder } from './records.ts';

const PARAMS = { campaignId: 'c-0', from: '2025-01-01 00:00:00', to: '2025-02-01 00:00:00' };

/** The ```sql blocks of the "Ten questions" section, with their headings. */
function documentedQueries(): { title: string; sql: string }[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'analytics.md'), 'utf8');
  const section = doc.split('## Ten questions marketing asks')[1] ?? '';
  return [...section.matchAll(/### ([^\n]+)\n+```sql\n([\s\S]*?)```/g)].map((m) => ({ title: m[1] ?? '', sql: m[2] ?? '' }));
}

function sampleRows(): TableRows {
  const rows: TableRows = {};
  const at = (i: number): { partition: number; offset: string } => ({ partition: 0, offset: String(i) });
  for (let i = 0; i < 300; i++) appendRows(rows, ledgerRows(sampleLedger(i), at(i)));
  for (let i = 0; i < 120; i++) appendRows(rows, decisionRows(sampleDecision(i), at(i)));
  for (let i = 0; i < 120; i++) appendRows(rows, orderRows(sampleOrder(i), at(i)));
  for (let i = 0; i < 17; i++) {
    const member: MemberSnapshot = {
      memberId: `m-${i}`, tier: ['MEMBER', 'SILVER', 'GOLD'][i % 3] ?? 'MEMBER', pendingPoints: i, availablePoints: 10 * i, heldPoints: 0,
      lifetimeEarnedPoints: 11 * i, qualifyingSpendCents: 1000 * i, orderCount: i, lastActivityAt: null, updatedAt: Date.UTC(2025, 0, 7),
    };
    appendRows(rows, memberRows(member, at(i)));
  }
  for (let i = 0; i < 6; i++) {
    const signal: FraudSignal = {
      signalId: `f-${i}`, rule: i % 2 === 0 ? 'VELOCITY' : 'SHARED_CARD', action: i % 2 === 0 ? 'HOLD' : 'REVIEW', score: 80,
      orderId: `o-${i}`, memberId: `m-${i}`, storeId: i % 3 === 0 ? null : `s-${i % 3}`, cardFingerprint: null, details: '{}',
      occurredAt: Date.UTC(2025, 0, 6, 13, i),
    };
    appendRows(rows, fraudRows(signal, at(i)));
  }
  return rows;
}

describe('docs/analytics.md example queries', () => {
  let folder: ChdbFolder;
  let analytics: Analytics;

  before(async () => {
    folder = chdbFolder('analytics-doc');
    analytics = await openAnalytics({ chdbPath: folder.path });
    await migrate(analytics);
    const rows = sampleRows();
    for (const table of SINK_TABLES) await analytics.insert(table, rows[table] ?? [], { dedupToken: `doc-${table}` });
  });
  after(async () => {
    await analytics?.close();
    folder?.remove();
  });

  const queries = documentedQueries();
  test('the document has ten questions', () => assert.equal(queries.length, 10));

  for (const { title, sql } of queries) {
    test(`${title} runs read-only and returns rows`, async () => {
      const { rows } = await analytics.query(readOnlyStatement(sql), PARAMS);
      assert.ok(rows.length > 0, 'the sample data answers the question');
    });
  }

  test('question 1 totals match the evaluations', async () => {
    const [first] = queries;
    assert.ok(first);
    const { rows } = await analytics.query<{ awards: number; bonusPoints: number }>(readOnlyStatement(first.sql), PARAMS);
    const evaluations = Array.from({ length: 120 }, (_, i) => sampleDecision(i).evaluations).flat();
    assert.equal(rows.reduce((sum, r) => sum + Number(r.awards), 0), evaluations.filter((e) => e.outcome === 'AWARDED').length);
    assert.equal(rows.reduce((sum, r) => sum + Number(r.bonusPoints), 0), evaluations.reduce((sum, e) => sum + e.bonusPoints, 0));
  });

  test('question 3 compares a treatment and a control group', async () => {
    const third = queries[2];
    assert.ok(third);
    const { rows } = await analytics.query<{ grp: string; members: number }>(readOnlyStatement(third.sql), PARAMS);
    assert.deepEqual(rows.map((r) => r.grp), ['CONTROL', 'TREATMENT']);
    assert.ok(rows.every((r) => Number(r.members) > 0));
  });
});
