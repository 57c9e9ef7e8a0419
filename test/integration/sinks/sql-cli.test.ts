// `loyalty sql` as a user runs it: a spawned CLI on a chDB folder nobody owns.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { REPO_ROOT } from '../../../engine/config.ts';
import { chdbFolder } from './chdb-folder.ts';

const folder = chdbFolder('sql-cli');

function sql(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/loyalty.js', 'sql', ...args, '--chdb-path', folder.path], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('loyalty sql', () => {
  after(() => folder.remove());

  test('prints JSON rows with bound parameters', () => {
    const result = sql('SELECT {n:UInt32} * 2 AS doubled, {s:String} AS s', '--param', 'n=21', '--param', "s=it's", '--format', 'json');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), [{ doubled: 42, s: "it's" }]);
  });

  test('refuses a write with exit code 2 and says what is allowed', () => {
    const result = sql('DROP TABLE orders');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /only read-only queries are allowed/);
  });

  test('an unknown format is a usage error', () => {
    const result = sql('SELECT 1', '--format', 'xml');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--format must be one of table, json, csv/);
  });

  test('a failing query exits 1 with ClickHouse\'s message', () => {
    const result = sql('SELECT nope FROM nowhere');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /nowhere/);
  });
});
