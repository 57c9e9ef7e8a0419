// Renders a query result for the terminal (aligned table), for scripts (JSON) or for spreadsheets
// (CSV, RFC 4180). Values are shown as ClickHouse returned them; nothing is rounded.
import type { QueryResult } from './client.ts';

export const RESULT_FORMATS = ['table', 'json', 'csv'] as const;
export type ResultFormat = typeof RESULT_FORMATS[number];

function text(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvField(value: unknown): string {
  const raw = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(raw) ? `"${raw.replace(/"/g, '""')}"` : raw;
}

export function formatResult(result: QueryResult<Record<string, unknown>>, format: ResultFormat): string {
  const names = result.columns.map((c) => c.name);
  if (format === 'json') return `${JSON.stringify(result.rows, null, 2)}\n`;
  if (format === 'csv') {
    const lines = [names.map(csvField).join(','), ...result.rows.map((row) => names.map((n) => csvField(row[n])).join(','))];
    return `${lines.join('\r\n')}\r\n`;
  }
  const cells = result.rows.map((row) => names.map((n) => text(row[n])));
  const widths = names.map((name, i) => Math.max(name.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = result.columns.map((c) => /^(Nullable\()?(U?Int|Float|Decimal)/.test(c.type));
  const line = (values: string[]): string => values.map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
  return `${[line(names), rule, ...cells.map(line), count].join('\n')}\n`;
}
