import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../../engine/errors.ts';
import { readOnlyStatement } from '../../../sinks/clickhouse/read-only.ts';

describe('readOnlyStatement', () => {
  const wrapped: string[] = [
    'SELECT 1',
    '  select count() from ledger_entries;  ',
    'WITH 1 AS x SELECT x',
    "SELECT ';' AS semicolon_in_string",
    'SELECT 1 -- a comment; with a semicolon',
    '(SELECT 1) UNION ALL (SELECT 2)',
  ];
  for (const sql of wrapped) {
    test(`wraps ${JSON.stringify(sql)} as a subquery`, () => {
      const statement = readOnlyStatement(sql);
      assert.ok(statement.startsWith('SELECT * FROM (\n'), statement);
      assert.ok(!statement.trimEnd().endsWith(';)'), 'a trailing semicolon is dropped');
    });
  }

  for (const sql of ['SHOW TABLES', 'DESCRIBE TABLE orders', 'desc orders', 'EXISTS TABLE orders', 'EXPLAIN SELECT 1']) {
    test(`passes ${JSON.stringify(sql)} through`, () => assert.equal(readOnlyStatement(sql), sql));
  }

  const refused: [string, RegExp][] = [
    ['', /empty/],
    ['  ;  ', /empty/],
    ['INSERT INTO orders VALUES (1)', /read-only/],
    ['DROP TABLE orders', /read-only/],
    ['ALTER TABLE orders DELETE WHERE 1', /read-only/],
    ['SET readonly = 1', /read-only/],
    ['SELECT 1; DROP TABLE orders', /one statement/],
    ["SELECT 1 /* ; */; TRUNCATE orders", /one statement/],
    ['OPTIMIZE TABLE orders FINAL', /read-only/],
  ];
  for (const [sql, message] of refused) {
    test(`refuses ${JSON.stringify(sql)}`, () => {
      assert.throws(() => readOnlyStatement(sql), (err: unknown) => err instanceof ValidationError && message.test(err.message));
    });
  }
});
