// Versioned DDL: sinks/clickhouse/migrations/NNN_name.sql, applied in order, each once. Applied
// versions are recorded in `schema_migrations` with the file's checksum; a migration edited after
// it was applied is refused (write a new one instead). Statements use IF NOT EXISTS, so a run cut
// short mid-migration simply re-applies that migration.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../engine/errors.ts';
import type { Analytics } from './client.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Splits a migration into statements: each ends with `;` at the end of a line; comments dropped. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql.split('\n').filter((line) => !line.trimStart().startsWith('--')).join('\n');
  return withoutComments.split(/;\s*$/m).map((s) => s.trim()).filter((s) => s.length > 0);
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = FILE_NAME.exec(file);
    if (!match) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? file,
      checksum: createHash('sha256').update(text).digest('hex'),
      statements: splitStatements(text),
    });
  }
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new ConfigError(`two migrations share a version in ${dir}`);
  return migrations;
}

const CREATE_LOG = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32,
  name String,
  checksum String
) ENGINE = ReplacingMergeTree ORDER BY version`;

/** Applies the migrations not yet applied; returns the versions it applied (empty when current). */
export async function migrate(analytics: Analytics, migrations: Migration[] = loadMigrations()): Promise<number[]> {
  await analytics.exec(CREATE_LOG);
  const { rows } = await analytics.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations FINAL ORDER BY version',
  );
  const applied = new Map(rows.map((r) => [Number(r.version), r.checksum]));
  const done: number[] = [];
  for (const migration of migrations) {
    const checksum = applied.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new ConfigError(`migration ${migration.version}_${migration.name} changed after it was applied; add a new migration instead`);
      }
      continue;
    }
    for (const statement of migration.statements) await analytics.exec(statement);
    await analytics.insert('schema_migrations', [{ version: migration.version, name: migration.name, checksum: migration.checksum }]);
    done.push(migration.version);
  }
  return done;
}
