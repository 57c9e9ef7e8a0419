// Migrations and insert deduplication on a real embedded ClickHouse (chDB).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openAnalytics, type Analytics } from '../../../sinks/clickhouse/client.ts';
import { loadMigrations, migrate } from '../../../sinks/clickhouse/migrate.ts';
import { chdbFolder, type ChdbFolder } from './chdb-folder.ts';

function ledgerRow(entryId: string, occurredAt: string, availableDelta: number): Record<string, unknown> {
  return {
    entryId, memberId: 'm-1', kind: 'EARN', orderId: 'o-1', campaignId: null,
    pendingDelta: 0, availableDelta, heldDelta: 0, occurredAt, programVersion: 1, sourcePartition: 0, sourceOffset: 0,
  };
}

async function count(analytics: Analytics, sql: string): Promise<number> {
  const { rows } = await analytics.query<{ n: number }>(sql);
  return Number(rows[0]?.n);
}

describe('ClickHouse migrations and dedup (chDB)', () => {
  let folder: ChdbFolder;
  let analytics: Analytics;

  before(async () => {
    folder = chdbFolder('migrate');
    analytics = await openAnalytics({ chdbPath: folder.path });
  });
  after(async () => {
    await analytics.close();
    folder.remove();
  });

  test('applies every migration once, and a second run applies nothing', async () => {
    const all = loadMigrations().map((m) => m.version);
    assert.deepEqual(all.slice(0, 2), [1, 2]);
    assert.deepEqual(await migrate(analytics), all);
    assert.deepEqual(await migrate(analytics), []);
    assert.equal(await count(analytics, 'SELECT count() AS n FROM schema_migrations FINAL'), all.length);
    const { rows } = await analytics.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
    const tables = rows.map((r) => r.name);
    for (const table of ['orders', 'order_lines', 'ledger_entries', 'member_snapshots', 'promotion_evaluations',
      'fraud_signals', 'dlq_events', 'campaign_hourly', 'campaign_exposure', 'points_liability_daily',
      'redemptions_hourly', 'fraud_hourly', 'store_channel_hourly', 'campaign_store_channel']) {
      assert.ok(tables.includes(table), `table ${table} exists`);
    }
  });

  test('refuses a migration whose file changed after it was applied', async () => {
    const [first, ...rest] = loadMigrations();
    assert.ok(first);
    await assert.rejects(migrate(analytics, [{ ...first, checksum: 'edited' }, ...rest]), /changed after it was applied/);
  });

  test('a re-sent batch with the same token is dropped, views included; a new token is kept', async () => {
    // Two months in one batch: the insert is split into one part per partition.
    const batch = [ledgerRow('e-1', '2025-01-31 23:59:59.000', 10), ledgerRow('e-2', '2025-02-01 00:00:00.000', 5)];
    await analytics.insert('ledger_entries', batch, { dedupToken: 'ledger-0-0-1' });
    await analytics.insert('ledger_entries', batch, { dedupToken: 'ledger-0-0-1' });
    assert.equal(await count(analytics, 'SELECT count() AS n FROM ledger_entries'), 2);
    assert.equal(await count(analytics, 'SELECT sum(availableDelta) AS n FROM points_liability_daily'), 15);

    await analytics.insert('ledger_entries', [ledgerRow('e-3', '2025-02-02 10:00:00.000', 7)], { dedupToken: 'ledger-0-2-2' });
    assert.equal(await count(analytics, 'SELECT count() AS n FROM ledger_entries'), 3);
    assert.equal(await count(analytics, 'SELECT sum(availableDelta) AS n FROM points_liability_daily'), 22);
  });

  test('the token of one insert does not stick to the next insert (chDB session settings)', async () => {
    await analytics.insert('ledger_entries', [ledgerRow('e-4', '2025-03-01 00:00:00.000', 1)], { dedupToken: 'sticky' });
    await analytics.insert('ledger_entries', [ledgerRow('e-5', '2025-03-01 00:00:00.000', 2)]);
    await analytics.insert('ledger_entries', [ledgerRow('e-6', '2025-03-01 00:00:00.000', 3)]);
    assert.equal(await count(analytics, "SELECT count() AS n FROM ledger_entries WHERE entryId IN ('e-4', 'e-5', 'e-6')"), 3);
  });

  test('query parameters are bound, not spliced', async () => {
    const hostile = "x' OR 1=1 --";
    const { rows } = await analytics.query<{ n: number }>('SELECT count() AS n FROM ledger_entries WHERE entryId = {id:String}', { id: hostile });
    assert.equal(Number(rows[0]?.n), 0);
  });
});
