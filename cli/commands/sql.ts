// `loyalty sql "<query>"`: a read-only query on the analytics store (embedded chDB or a server).
import type { Command } from 'commander';
import { clickhouseServerOptions } from '../../engine/client-options.ts';
import { loadConfig } from '../../engine/config.ts';
import { loadSecuritySettings } from '../../engine/security.ts';
import { readQuery } from '../../sinks/clickhouse/read-query.ts';
import { formatResult, RESULT_FORMATS, type ResultFormat } from '../../sinks/clickhouse/result-format.ts';
import { CliError, EXIT } from '../output.ts';

interface SqlFlags {
  format: string;
  json?: boolean;
  clickhouseUrl?: string;
  chdbPath?: string;
  param: string[];
}

function collectParam(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--param name=value` pairs, bound as `{name:Type}` in the query. */
function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair);
    if (!match?.[1]) throw new CliError(`--param must be name=value, got "${pair}"`, EXIT.USAGE);
    params[match[1]] = match[2] ?? '';
  }
  return params;
}

export function register(program: Command): void {
  program.command('sql')
    .description('run a read-only query (SELECT, WITH, SHOW, DESCRIBE, EXISTS, EXPLAIN) on the ClickHouse analytics store')
    .argument('<query>', 'the SQL; values go in as {name:Type} placeholders with --param')
    .option('--format <format>', `output: ${RESULT_FORMATS.join(', ')}`, 'table')
    .option('--json', 'same as --format json')
    .option('--param <name=value>', 'a query parameter (repeatable)', collectParam, [])
    .option('--clickhouse-url <url>', 'a ClickHouse server over HTTP(S) (env CLICKHOUSE_URL)')
    .option('--chdb-path <folder>', 'chDB data folder (env LOYALTY_CHDB_PATH; default: the stack\'s)')
    .addHelpText('after', `
While a sink owns the chDB folder, the query goes through its local endpoint; otherwise the folder
is opened directly. docs/analytics.md lists the tables, views and example questions.

Examples:
  loyalty sql "SHOW TABLES"
  loyalty sql "SELECT kind, sum(availableDelta) AS points FROM ledger_entries GROUP BY kind" --format csv
  loyalty sql "SELECT * FROM campaign_hourly WHERE campaignId = {c:String} LIMIT 10" --param c=breakfast-2x`)
    .action(async (query: string, flags: SqlFlags) => {
      const format = flags.json ? 'json' : flags.format;
      if (!(RESULT_FORMATS as readonly string[]).includes(format)) {
        throw new CliError(`--format must be one of ${RESULT_FORMATS.join(', ')}, got "${format}"`, EXIT.USAGE);
      }
      const params = parseParams(flags.param);
      const config = loadConfig({
        ...(flags.clickhouseUrl ? { clickhouseUrl: flags.clickhouseUrl } : {}),
        ...(flags.chdbPath ? { chdbPath: flags.chdbPath } : {}),
      });
      const security = loadSecuritySettings(process.env, { redisUrl: config.redisUrl, clickhouseUrl: config.clickhouseUrl });
      const target = config.clickhouseUrl ? clickhouseServerOptions({ ...config, security }) : { chdbPath: config.chdbPath };
      const result = await readQuery(query, { target, home: config.home, params });
      process.stdout.write(formatResult(result, format as ResultFormat));
    });
}
