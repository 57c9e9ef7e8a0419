// Embedded ClickHouse (chDB) driven through @clickhouse/client, so the same code runs against a
// ClickHouse server by swapping the connection. chDB binds one data folder per process and one
// process per folder, so the stack's health check runs in a short-lived child process: it must
// never pin the caller (a test, the CLI) to the stack's folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { REPO_ROOT } from '../engine/config.ts';

/** A @clickhouse/client over an embedded chDB data folder (created if missing). */
export function openChdbClient(path: string): ClickHouseClient {
  mkdirSync(path, { recursive: true });
  // chdb types its Connection against @clickhouse/client-common while @clickhouse/client 1.23 bundles
  // its own copy of the same interface; they are identical at run time, so the cast only bridges the
  // two declaration files.
  const connection = createChdbConnection({ path }) as unknown as NonNullable<ClickHouseClientConfigOptions['connection']>;
  return createClient({ connection });
}

export interface ChdbHealth {
  healthy: boolean;
  detail: string;
}

/** Opens the folder in a child process and runs `SELECT 1`; a folder held by a running owner is healthy. */
export function probeChdb(path: string): ChdbHealth {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'stack', 'chdb-probe.ts'), path], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status === 0 && output.includes('SELECT 1 = 1')) return { healthy: true, detail: `SELECT 1 ok at ${path}` };
  if (output.includes('Cannot lock file')) return { healthy: true, detail: `${path} is open in another process (its owner)` };
  const lastLine = output.trim().split('\n').filter((l) => l.trim() !== '').slice(-1)[0] ?? `exit ${result.status ?? result.signal}`;
  return { healthy: false, detail: `chDB at ${path} failed: ${lastLine}` };
}
