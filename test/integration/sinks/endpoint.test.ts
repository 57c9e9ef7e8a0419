// The chDB owner's local query endpoint: read-only queries with bound parameters, writes refused,
// and its announcement found only while the owner lives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { ValidationError } from '../../../engine/errors.ts';
import { openAnalytics, type Analytics } from '../../../sinks/clickhouse/client.ts';
import { announceEndpoint, findEndpoint, serveAnalytics, type AnalyticsEndpoint } from '../../../sinks/clickhouse/endpoint.ts';
import { migrate } from '../../../sinks/clickhouse/migrate.ts';
import { endpointReader } from '../../../sinks/clickhouse/read-query.ts';
import { chdbFolder, type ChdbFolder } from './chdb-folder.ts';

describe('analytics query endpoint', () => {
  let folder: ChdbFolder;
  let home: ChdbFolder;
  let analytics: Analytics;
  let endpoint: AnalyticsEndpoint;
  let unannounce: () => void;

  before(async () => {
    folder = chdbFolder('endpoint');
    home = chdbFolder('endpoint-home');
    analytics = await openAnalytics({ chdbPath: folder.path });
    await migrate(analytics);
    endpoint = await serveAnalytics(analytics, new Registry());
    unannounce = announceEndpoint(home.path, { url: endpoint.url, pid: process.pid, chdbPath: folder.path });
  });
  after(async () => {
    unannounce?.();
    await endpoint?.close();
    await analytics?.close();
    folder?.remove();
    home?.remove();
  });

  test('the owner is found by its folder, not by another folder', () => {
    assert.equal(findEndpoint(home.path, folder.path)?.url, endpoint.url);
    assert.equal(findEndpoint(home.path, `${folder.path}-other`), null);
  });

  test('answers a parameterised read with columns and rows', async () => {
    const result = await endpointReader(endpoint.url).query<{ n: number; s: string }>('SELECT {n:UInt32} + 1 AS n, {s:String} AS s', { n: 41, s: "it's" });
    assert.deepEqual(result.rows, [{ n: 42, s: "it's" }]);
    assert.deepEqual(result.columns.map((c) => c.name), ['n', 's']);
  });

  test('refuses a write as a usage error and the table is untouched', async () => {
    await assert.rejects(endpointReader(endpoint.url).query('DROP TABLE ledger_entries'), ValidationError);
    const { rows } = await analytics.query<{ n: number }>("SELECT count() AS n FROM system.tables WHERE name = 'ledger_entries' AND database = currentDatabase()");
    assert.equal(Number(rows[0]?.n), 1);
  });

  test('serves metrics', async () => {
    const response = await fetch(`${endpoint.url}/metrics`);
    assert.equal(response.status, 200);
  });

  test('an announcement whose process is gone is ignored', () => {
    const stale = announceEndpoint(home.path, { url: endpoint.url, pid: 2 ** 22 + 12345, chdbPath: `${folder.path}-stale` });
    try {
      assert.equal(findEndpoint(home.path, `${folder.path}-stale`), null);
    } finally {
      stale();
    }
  });
});
