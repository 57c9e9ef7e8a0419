// The dashboard API validates every parameter and passes values to ClickHouse only as query
// parameters. The query runner here records calls (a unit test of the HTTP layer, no database).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { registerApi } from '../../../dashboard/api.ts';
import type { QueryRunner } from '../../../dashboard/queries.ts';

function recordingRunner(): QueryRunner & { calls: { sql: string; params: Record<string, unknown> }[] } {
  const calls: { sql: string; params: Record<string, unknown> }[] = [];
  return {
    calls,
    query<Row>(sql: string, params: Record<string, unknown> = {}) {
      calls.push({ sql, params });
      return Promise.resolve({ rows: [] as Row[] });
    },
  };
}

async function appWith(runner: QueryRunner) {
  const app = Fastify();
  registerApi(app, runner);
  await app.ready();
  return app;
}

describe('dashboard API parameters', () => {
  const bad: [string, string][] = [
    ['/api/campaigns?from=yesterday', 'from'],
    ['/api/campaigns?from=2026-01-01T00:00:00', 'from'],
    ['/api/campaigns?from=2026-01-01t00:00:00z', 'from'],
    ['/api/campaigns?from=2000&to=1000', 'before'],
    ['/api/campaigns?to=99999999999999999', 'to'],
    ['/api/campaigns?limit=5', 'limit'],
    ["/api/campaigns/x'%20OR%201=1", 'campaignId'],
    ['/api/campaigns/%20', 'campaignId'],
    ['/api/fraud?from=1.5', 'from'],
    ['/api/liability?from=-5', 'before'],
  ];
  for (const [url, mention] of bad) {
    test(`400 for ${url}`, async () => {
      const runner = recordingRunner();
      const app = await appWith(runner);
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, res.body);
      assert.match((res.json() as { error: string }).error, new RegExp(mention));
      assert.equal(runner.calls.length, 0, 'no query runs for a bad request');
      await app.close();
    });
  }

  test('values reach the database only as parameters', async () => {
    const runner = recordingRunner();
    const app = await appWith(runner);
    const res = await app.inject({ method: 'GET', url: '/api/campaigns/breakfast-2x?from=2026-01-01T00:00:00Z&to=1767312000000' });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(runner.calls.length >= 3);
    for (const call of runner.calls) {
      assert.ok(!call.sql.includes('breakfast-2x'), 'the campaign id is not in the SQL text');
      assert.ok(!call.sql.includes('1767312000'), 'the time is not in the SQL text');
      assert.equal(call.params.campaignId, 'breakfast-2x');
      assert.equal(call.params.from, Date.parse('2026-01-01T00:00:00Z') / 1000);
      assert.equal(call.params.to, 1767312000);
    }
    await app.close();
  });
});
