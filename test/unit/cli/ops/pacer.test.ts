import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPacer } from '../../../../cli/ops/pacer.ts';

test('without a rate nothing waits', async () => {
  const started = Date.now();
  const pacer = createPacer(undefined);
  for (let i = 0; i < 1000; i++) await pacer.take();
  assert.ok(Date.now() - started < 200);
});

test('a rate spreads records over time: 20 records at 100/s take about 200 ms', async () => {
  const started = Date.now();
  const pacer = createPacer(100);
  for (let i = 0; i < 4; i++) await pacer.take(5);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 190 && elapsed < 600, `elapsed ${elapsed} ms`);
});
