// Benchmark (not a test): rows/s the sink's insert path writes into embedded ClickHouse (chDB),
// at 10k and 50k rows per batch, with a dedup token per batch and the materialized views attached,
// as the sink inserts. Rows are built by the sink's own mapping (rows.ts) beforehand, so the
// figure is ClickHouse's share; a re-sent batch (dropped by its token) is timed too.
// Appends a section to BENCHMARKS.md.
//   node --import tsx bench/sink/run.ts [--rows N] [--no-write]
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { LedgerEntry, PromotionDecision } from '../../avro/records.ts';
import { REPO_ROOT, loadConfig } from '../../engine/config.ts';
import { openAnalytics, type Analytics } from '../../sinks/clickhouse/client.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { decisionRows, ledgerRows, type Row } from '../../sinks/clickhouse/rows.ts';

const args = process.argv.slice(2);
const rowsArg = args.indexOf('--rows');
const total = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 500_000;
const BATCH_SIZES = [10_000, 50_000];
const BASE = Date.UTC(2025, 0, 6);

function ledger(i: number): LedgerEntry {
  return {
    entryId: `le-${i}`, memberId: `m-${i % 50_000}`, kind: i % 4 === 0 ? 'BONUS' : 'EARN', orderId: `o-${i}`,
    campaignId: i % 4 === 0 ? `c-${i % 6}` : null, pendingDelta: 10 + (i % 90), availableDelta: 0, heldDelta: 0,
    occurredAt: BASE + i * 1000, programVersion: 1,
  };
}

function decision(i: number): PromotionDecision {
  return {
    decisionId: `d-${i}`, orderId: `o-${i}`, memberId: `m-${i % 50_000}`, occurredAt: BASE + i * 1000,
    evaluations: [{ campaignId: `c-${i % 6}`, campaignVersion: 1, outcome: i % 10 === 0 ? 'CONTROL' : 'AWARDED', reason: i % 10 === 0 ? 'CONTROL_GROUP' : null, bonusPoints: i % 10 === 0 ? 0 : 50, progress: null }],
  };
}

interface Result { table: string; batch: number; rows: number; ms: number; resendMs: number }

async function insertAll(analytics: Analytics, table: string, rows: Row[], batch: number, tag: string): Promise<Result> {
  const started = performance.now();
  for (let start = 0; start < rows.length; start += batch) {
    await analytics.insert(table, rows.slice(start, start + batch), { dedupToken: `${tag}-${start}-${start + batch - 1}` });
  }
  const ms = performance.now() - started;
  const resendStarted = performance.now();
  await analytics.insert(table, rows.slice(0, batch), { dedupToken: `${tag}-0-${batch - 1}` });
  return { table, batch, rows: rows.length, ms, resendMs: performance.now() - resendStarted };
}

const loadBefore = loadavg()[0] ?? 0;
const folder = join(loadConfig().home, 'tmp', `bench-sink-${process.pid}`);
mkdirSync(folder, { recursive: true });
const analytics = await openAnalytics({ chdbPath: folder });
const results: Result[] = [];
try {
  await migrate(analytics);
  const ledgerTable = Array.from({ length: total }, (_, i) => ledgerRows(ledger(i), { partition: 0, offset: String(i) }).ledger_entries ?? []).flat();
  const evaluationTable = Array.from({ length: total }, (_, i) => decisionRows(decision(i), { partition: 0, offset: String(i) }).promotion_evaluations ?? []).flat();
  for (const batch of BATCH_SIZES) {
    await analytics.exec('TRUNCATE TABLE ledger_entries');
    await analytics.exec('TRUNCATE TABLE promotion_evaluations');
    results.push(await insertAll(analytics, 'ledger_entries', ledgerTable, batch, `ledger-${batch}`));
    results.push(await insertAll(analytics, 'promotion_evaluations', evaluationTable, batch, `decisions-${batch}`));
  }
} finally {
  await analytics.close();
  rmSync(folder, { recursive: true, force: true });
}

const lines = [
  '',
  `## ClickHouse sink inserts (bench/sink/run.ts, ${new Date().toISOString().slice(0, 10)})`,
  '',
  `Embedded chDB, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, shared with other work: load average`,
  `${loadBefore.toFixed(1)} before and ${(loadavg()[0] ?? 0).toFixed(1)} after the run. ${total.toLocaleString('en-US')} rows per table`,
  'and batch size, JSONCompactEachRow through @clickhouse/client, one dedup token per batch, materialized views attached',
  '(ledger_entries → points_liability_daily; promotion_evaluations → campaign_hourly, campaign_exposure).',
  '',
  '| table | rows per batch | rows/s | ms per batch | re-sent batch dropped in ms |',
  '|---|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.table} | ${r.batch.toLocaleString('en-US')} | ${Math.round((r.rows * 1000) / r.ms).toLocaleString('en-US')} | ${Math.round(r.ms / Math.ceil(r.rows / r.batch))} | ${Math.round(r.resendMs)} |`),
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
if (!args.includes('--no-write')) appendFileSync(join(REPO_ROOT, 'BENCHMARKS.md'), `${lines.join('\n')}`);
