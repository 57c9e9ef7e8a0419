import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createProgress } from '../../../cli/progress.ts';

function capture(isTTY: boolean): { stream: Writable & { isTTY: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(new Writable({
    write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); },
  }), { isTTY });
  return { stream, text: () => chunks.join('') };
}

test('non-TTY prints a plain line only when the interval has passed, then the summary', () => {
  const out = capture(false);
  let clock = 0;
  const p = createProgress({ total: 10, label: 'records', json: false, stream: out.stream, plainEveryMs: 1000, now: () => clock });
  p.tick(3);
  clock = 999;
  p.tick(1);
  assert.equal(out.text(), '');
  clock = 1000;
  p.tick(2);
  assert.equal(out.text(), 'records: 6/10\n');
  p.done('replayed 6 records');
  assert.equal(out.text(), 'records: 6/10\nreplayed 6 records\n');
});

test('open-ended count has no total', () => {
  const out = capture(false);
  let clock = 0;
  const p = createProgress({ label: 'orders', json: false, stream: out.stream, plainEveryMs: 10, now: () => clock });
  clock = 10;
  p.tick(5);
  assert.equal(out.text(), 'orders: 5\n');
});

test('--json keeps progress silent, summary included', () => {
  const out = capture(true);
  const p = createProgress({ total: 2, label: 'records', json: true, stream: out.stream });
  p.tick(2);
  p.done('done');
  assert.equal(out.text(), '');
});

test('TTY draws a bar and ends with the summary line', () => {
  const out = capture(true);
  const p = createProgress({ total: 4, label: 'records', json: false, stream: out.stream });
  p.tick(4);
  p.done('4 records');
  assert.match(out.text(), /4 records\n$/);
});
