// Keeps ad-hoc SQL (`loyalty sql`, the local query endpoint) read-only. ClickHouse's own
// `readonly` setting cannot be used: on chDB settings stick to the session, and once readonly is
// set the session can never insert again. So a statement is accepted only in a form that cannot
// write: one SELECT/WITH query, run as a subquery (any other statement then fails to parse), or
// one SHOW / DESCRIBE / EXISTS / EXPLAIN statement.
import { ValidationError } from '../../engine/errors.ts';

const PASS_THROUGH = new Set(['SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN']);
const WRAPPED = new Set(['SELECT', 'WITH']);

/** Removes comments and string literals, so a `;` inside either is not taken for a separator. */
function codeOnly(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.|'')*'/g, "''")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/`(?:[^`\\]|\\.)*`/g, '``')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** The statement to run for a read-only query, or a ValidationError saying what is allowed. */
export function readOnlyStatement(sql: string): string {
  const trimmed = sql.trim().replace(/;\s*$/, '').trim();
  const code = codeOnly(trimmed).trim();
  if (code === '') throw new ValidationError('sql', 'a query', 'the query is empty');
  if (code.includes(';')) throw new ValidationError('sql', 'one statement', 'only one statement may be run at a time');
  const keyword = /^\(*\s*([A-Za-z]+)/.exec(code)?.[1]?.toUpperCase() ?? '';
  if (WRAPPED.has(keyword)) return `SELECT * FROM (\n${trimmed}\n)`;
  if (PASS_THROUGH.has(keyword)) return trimmed;
  throw new ValidationError('sql', 'SELECT, WITH, SHOW, DESCRIBE, EXISTS or EXPLAIN',
    `only read-only queries are allowed (SELECT, WITH, SHOW, DESCRIBE, EXISTS, EXPLAIN); got ${keyword || 'something else'}`);
}
