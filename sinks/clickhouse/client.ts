// The one way into ClickHouse: embedded chDB (a data folder) or a server over HTTP, both driven
// through @clickhouse/client. chDB applies per-call settings to its session, where they stick for
// the next call, so every call here passes the full set of settings that matter (see settingsFor):
// a dedup token set by one insert must never leak into the next one.
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseClientConfigOptions, ClickHouseSettings } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { mkdirSync } from 'node:fs';
import type { ClickhouseServerOptions } from '../../engine/client-options.ts';
import { ConfigError, LoyaltyError, UnreachableError } from '../../engine/errors.ts';

/** Embedded chDB in a data folder (created if missing), or a server over HTTP(S). */
export type AnalyticsTarget = { chdbPath: string } | ClickhouseServerOptions;

/** Memory cap of any one statement (2 GiB): a runaway query must not take the shared machine. */
const MAX_MEMORY_BYTES = '2147483648';
/** Rows a read may return: chDB buffers whole results, so large reads must page. */
export const MAX_RESULT_ROWS = 100_000;

export interface InsertOptions {
  /** `insert_deduplication_token`; absent means no deduplication for this insert. */
  dedupToken?: string;
}

export interface QueryResult<Row> {
  columns: { name: string; type: string }[];
  rows: Row[];
}

export interface Analytics {
  /** True for embedded chDB (one process owns the data folder). */
  readonly embedded: boolean;
  /** Inserts rows that all have the same keys (the columns, taken from the first row). */
  insert(table: string, rows: readonly object[], options?: InsertOptions): Promise<void>;
  /** A read with `{name:Type}` query parameters bound by ClickHouse, never spliced into the SQL. */
  query<Row = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<QueryResult<Row>>;
  /** A statement without a result (DDL). */
  exec(statement: string): Promise<void>;
  close(): Promise<void>;
}

type CallKind = 'insert' | 'read' | 'exec';

/**
 * Every setting that differs between call kinds, set on every call. 64-bit integers come back
 * as JSON numbers from both engines: points and cents stay far below 2^53, and numbers spare
 * every reader a conversion. Inserts are synchronous (async_insert=0) so a returned insert is
 * durable before offsets are committed; deduplication is on exactly when a token is given, and
 * reaches the materialized views (a dropped batch must not be counted again in the roll-ups).
 */
export function settingsFor(kind: CallKind, dedupToken = ''): ClickHouseSettings {
  return {
    output_format_json_quote_64bit_integers: 0,
    max_memory_usage: MAX_MEMORY_BYTES,
    async_insert: 0,
    insert_deduplicate: kind === 'insert' && dedupToken !== '' ? 1 : 0,
    insert_deduplication_token: kind === 'insert' ? dedupToken : '',
    deduplicate_blocks_in_dependent_materialized_views: 1,
    max_result_rows: kind === 'read' ? String(MAX_RESULT_ROWS) : '0',
    result_overflow_mode: 'throw',
  };
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Errors of the engine keep their message; a connection failure becomes an UnreachableError. */
function wrapError(err: unknown, what: string): LoyaltyError {
  if (err instanceof LoyaltyError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket hang up|Timeout error/i.test(message)) {
    return new UnreachableError('ClickHouse', message, err);
  }
  return new LoyaltyError('CLICKHOUSE_ERROR', `ClickHouse ${what} failed: ${message}`, { cause: err });
}

function lockError(err: unknown, path: string): LoyaltyError {
  const message = err instanceof Error ? err.message : String(err);
  if (/Cannot lock file|already running/i.test(message)) {
    return new LoyaltyError('CHDB_FOLDER_BUSY', `the chDB folder ${path} is owned by another process`, { cause: err });
  }
  return wrapError(err, 'open');
}

function createTargetClient(target: AnalyticsTarget): ClickHouseClient {
  if ('chdbPath' in target) {
    if (target.chdbPath.trim() === '') throw new ConfigError('setting chdbPath is empty');
    mkdirSync(target.chdbPath, { recursive: true });
    // chdb types its connection against @clickhouse/client-common while @clickhouse/client bundles
    // its own copy of the same declarations; the shapes are identical, only the identities differ.
    const connection = createChdbConnection({ path: target.chdbPath }) as unknown as ClickHouseClientConfigOptions['connection'];
    return createClient({ connection });
  }
  try {
    new URL(target.url);
  } catch (err) {
    throw new ConfigError(`setting clickhouseUrl is not a URL: ${target.url}`, err);
  }
  return createClient({
    url: target.url,
    username: target.username ?? 'default',
    password: target.password ?? '',
    ...(target.tls ? { tls: target.tls } : {}),
  });
}

/** Opens ClickHouse and checks it answers (for chDB this takes the folder's lock). */
export async function openAnalytics(target: AnalyticsTarget): Promise<Analytics> {
  const embedded = 'chdbPath' in target;
  const client = createTargetClient(target);
  try {
    await client.command({ query: 'SELECT 1', clickhouse_settings: settingsFor('exec') });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw embedded ? lockError(err, target.chdbPath) : wrapError(err, 'connection');
  }
  return {
    embedded,
    async insert(table, rows, options = {}) {
      if (!TABLE_NAME.test(table)) throw new ConfigError(`not a table name: ${table}`);
      if (rows.length === 0) return;
      // Positional rows (JSONCompactEachRow) with the columns of the first row: the body is about
      // half the size of JSONEachRow, and chDB parses inline insert data 2-3x faster that way.
      const columns = Object.keys(rows[0] ?? {});
      const [firstColumn, ...otherColumns] = columns;
      if (firstColumn === undefined) throw new ConfigError(`insert into ${table}: rows have no columns`);
      const values = rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column] ?? null));
      try {
        await client.insert({
          table,
          values,
          columns: [firstColumn, ...otherColumns],
          format: 'JSONCompactEachRow',
          clickhouse_settings: settingsFor('insert', options.dedupToken ?? ''),
        });
      } catch (err) {
        throw wrapError(err, `insert into ${table}`);
      }
    },
    async query<Row>(sql: string, params: Record<string, unknown> = {}): Promise<QueryResult<Row>> {
      try {
        const result = await client.query({ query: sql, query_params: params, format: 'JSON', clickhouse_settings: settingsFor('read') });
        const body = await result.json<Row>();
        return { columns: body.meta ?? [], rows: body.data };
      } catch (err) {
        throw wrapError(err, 'query');
      }
    },
    async exec(statement) {
      try {
        await client.command({ query: statement, clickhouse_settings: settingsFor('exec') });
      } catch (err) {
        throw wrapError(err, 'statement');
      }
    },
    async close() {
      await client.close();
    },
  };
}
