// `loyalty dashboard`: the campaign dashboard for marketing, served locally over the analytics store.
import type { Command } from 'commander';
import { clickhouseServerOptions } from '../../engine/client-options.ts';
import { loadConfig } from '../../engine/config.ts';
import { startDashboard } from '../../dashboard/server.ts';
import { openAnalytics, type Analytics } from '../../sinks/clickhouse/client.ts';
import { findEndpoint } from '../../sinks/clickhouse/endpoint.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { endpointReader } from '../../sinks/clickhouse/read-query.ts';
import { CliError, EXIT } from '../output.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a TCP port (0-65535), got "${value}"`, EXIT.USAGE);
  return port;
}

export function register(program: Command): void {
  program.command('dashboard')
    .description('serve the campaign dashboard (overview, campaign detail, points liability, tiers, fraud); binds LOYALTY_HTTP_HOST (default 127.0.0.1)')
    .option('--port <port>', 'HTTP port (0 = any free port)', parsePort, 8787)
    .option('--clickhouse-url <url>', 'a ClickHouse server over HTTP instead of the embedded chDB folder')
    .option('--chdb-path <path>', 'the embedded chDB data folder (default: .loyalty/chdb)')
    .addHelpText('after', `
The page reads ClickHouse through the dashboard's own JSON API (query parameters only, no
credentials in the page). In embedded mode the chDB folder has one owner: while a sink (or
\`loyalty run --sink\`) owns it, the dashboard reads through the owner's read-only query endpoint;
otherwise it opens the folder itself.

Examples:
  loyalty dashboard                       http://127.0.0.1:8787
  loyalty dashboard --port 0              any free port (printed)
  loyalty dashboard --clickhouse-url http://clickhouse:8123`)
    .action(async (opts: { port: number; clickhouseUrl?: string; chdbPath?: string }) => {
      const config = loadConfig({ clickhouseUrl: opts.clickhouseUrl, chdbPath: opts.chdbPath });
      const owner = config.clickhouseUrl ? null : findEndpoint(config.home, config.chdbPath);
      let analytics: Analytics | null = null;
      if (owner === null) {
        analytics = await openAnalytics(config.clickhouseUrl ? clickhouseServerOptions(config) : { chdbPath: config.chdbPath });
        await migrate(analytics);
      }
      const dashboard = await startDashboard({ db: analytics ?? endpointReader(owner?.url ?? ''), port: opts.port, host: config.httpHost });
      const source = owner ? `through the chDB owner at ${owner.url}` : (config.clickhouseUrl ?? config.chdbPath);
      process.stdout.write(`dashboard: ${dashboard.url}  (reading ${source}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await dashboard.close();
      await analytics?.close();
    });
}
