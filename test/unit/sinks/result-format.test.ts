import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatResult } from '../../../sinks/clickhouse/result-format.ts';

const result = {
  columns: [{ name: 'storeId', type: 'LowCardinality(String)' }, { name: 'orders', type: 'UInt64' }, { name: 'note', type: 'Nullable(String)' }],
  rows: [
    { storeId: 's-nyc-02', orders: 1200, note: null },
    { storeId: 's-1', orders: 7, note: 'has "quotes", commas' },
  ],
};

describe('formatResult', () => {
  test('table: aligned columns, numbers right-aligned, NULL shown, row count', () => {
    assert.equal(formatResult(result, 'table'), [
      'storeId   orders  note',
      '--------  ------  --------------------',
      's-nyc-02    1200  NULL',
      's-1            7  has "quotes", commas',
      '(2 rows)',
      '',
    ].join('\n'));
  });

  test('csv: header, RFC 4180 quoting, empty for NULL', () => {
    assert.equal(formatResult(result, 'csv'), 'storeId,orders,note\r\ns-nyc-02,1200,\r\ns-1,7,"has ""quotes"", commas"\r\n');
  });

  test('json: the rows as returned', () => {
    assert.deepEqual(JSON.parse(formatResult(result, 'json')), result.rows);
  });

  test('an empty result still shows the header', () => {
    assert.equal(formatResult({ columns: [{ name: 'n', type: 'UInt64' }], rows: [] }, 'table'), 'n\n-\n(0 rows)\n');
  });
});
