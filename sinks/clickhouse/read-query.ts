// One read-only query against the analytics store, wherever it is: a ClickHouse server, the
// endpoint of the process that owns the chDB folder, or the folder itself when nobody owns it.
import { LoyaltyError, UnreachableError, ValidationError } from '../../engine/errors.ts';
import { openAnalytics, type AnalyticsTarget, type QueryResult } from './client.ts';
import { findEndpoint } from './endpoint.ts';
import { readOnlyStatement } from './read-only.ts';

export type Row = Record<string, unknown>;

export interface ReadQueryOptions {
  target: AnalyticsTarget;
  /** Config home, where owners announce their endpoints. */
  home: string;
  params?: Record<string, unknown>;
}

async function viaEndpoint(url: string, sql: string, params: Record<string, unknown>): Promise<QueryResult<Row>> {
  let response: Response;
  try {
    response = await fetch(`${url}/query`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql, params }),
    });
  } catch (err) {
    throw new UnreachableError('the chDB owner\'s query endpoint', `${url}: ${(err as Error).message}`, err);
  }
  const body = (await response.json()) as QueryResult<Row> & { error?: string; code?: string };
  if (!response.ok) {
    if (response.status === 400) throw new ValidationError('sql', 'a valid read-only query', body.error ?? 'bad query');
    throw new LoyaltyError(body.code ?? 'QUERY_FAILED', body.error ?? `query endpoint answered ${response.status}`);
  }
  return { columns: body.columns, rows: body.rows };
}

/** A reader that goes through a chDB owner's query endpoint (read-only queries only). */
export function endpointReader(url: string): { query<R = Row>(sql: string, params?: Record<string, unknown>): Promise<QueryResult<R>> } {
  return {
    async query<R = Row>(sql: string, params: Record<string, unknown> = {}): Promise<QueryResult<R>> {
      return (await viaEndpoint(url, sql, params)) as QueryResult<R>;
    },
  };
}

/** Runs a read-only query (see read-only.ts) and returns its columns and rows. */
export async function readQuery(sql: string, options: ReadQueryOptions): Promise<QueryResult<Row>> {
  const statement = readOnlyStatement(sql);
  const params = options.params ?? {};
  if ('chdbPath' in options.target) {
    const owner = findEndpoint(options.home, options.target.chdbPath);
    if (owner) return viaEndpoint(owner.url, sql, params);
  }
  const analytics = await openAnalytics(options.target);
  try {
    return await analytics.query<Row>(statement, params);
  } finally {
    await analytics.close();
  }
}
