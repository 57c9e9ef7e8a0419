// `loyalty demo`: the whole product on the embedded defaults, step by step: the local stack,
// topics and schemas, the program's starter campaigns, the member and card-fraud processors with
// the ClickHouse sink and the dashboard in this process, simulated traffic, a stream-time tick, and
// a summary read back from ClickHouse. Each run uses its own topic prefix, app id and chDB folder,
// so runs never mix. The steps are a plain list; each prints what it did.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Kafka, logLevel } from '../../engine/kafka.ts';
import { REPO_ROOT, loadConfig } from '../../engine/config.ts';
import { stackUp } from '../../stack/index.ts';
import { TOPIC_PREFIX_ENV } from '../../topics/catalog.ts';
import { measure } from './lag.ts';
import { startRun, type RunningStack } from './run.ts';
import { CliError, printJson } from '../output.ts';

interface DemoOptions {
  members: string;
  orders: string;
  rate: string;
  seed: string;
  exit?: boolean;
  json?: boolean;
  dashboardPort: number;
}

interface DemoContext {
  options: DemoOptions;
  /** Prints a progress line under the current step (silent with --json). */
  say: (line: string) => void;
  running: RunningStack | null;
  lastEventAt: number | null;
}

interface DemoStep {
  title: string;
  run: (ctx: DemoContext) => Promise<Record<string, unknown>>;
}

/** Runs a `loyalty` subcommand as its own process (with this process's env) and returns its JSON output. */
function loyalty(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'loyalty.js'), ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new CliError(`loyalty ${args.join(' ')} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`));
        return;
      }
      try {
        resolve(out.trim() === '' ? {} : JSON.parse(out));
      } catch {
        resolve({ output: out.trim() });
      }
    });
  });
}

/**
 * Waits until the app's consumer groups are idle: committed offsets unchanged for three rounds two
 * seconds apart (consumers poll continuously, so unchanged offsets mean nothing is left to read).
 * The lag that remains is transaction markers: a read_committed consumer commits past data, never
 * past the commit marker that follows it, so `loyalty lag` shows them and they never "catch up".
 */
async function waitCaughtUp(say: (line: string) => void, timeoutMs = 600_000): Promise<number> {
  const config = loadConfig();
  const kafka = new Kafka({ clientId: 'loyalty-demo', brokers: config.kafkaBrokers, logLevel: logLevel.NOTHING });
  const started = Date.now();
  let previous = '';
  let stableRounds = 0;
  let lastSaid = '';
  for (;;) {
    const rows = await measure(kafka, config.appId, undefined);
    const behind = rows.reduce((sum, row) => sum + Number(row.lag), 0);
    const fingerprint = rows.map((row) => `${row.group}/${row.topic}/${row.partition}=${row.committedOffset}`).join(',');
    stableRounds = fingerprint === previous ? stableRounds + 1 : 0;
    previous = fingerprint;
    if (stableRounds >= 3) return behind;
    if (Date.now() - started > timeoutMs) throw new CliError(`processors and sink still moving after ${timeoutMs / 1000} s (${behind} records behind)`);
    const line = `waiting for processors and sink: ${behind} records behind`;
    if (line !== lastSaid) say(line);
    lastSaid = line;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

const steps: DemoStep[] = [
  {
    title: 'bring the local stack up (Kafka, Redis, schema registry, chDB)',
    run: async ({ say }) => {
      const { state, started, reused } = await stackUp({ log: say });
      return { brokers: state.kafka?.brokers, redis: state.redis?.url, registry: state.registry?.url, started, reused };
    },
  },
  {
    title: 'create the topics and register the Avro schemas',
    run: async () => {
      const topics = await loyalty(['topics', 'apply']);
      await loyalty(['schemas', 'register']);
      return { prefix: process.env[TOPIC_PREFIX_ENV], topics: Array.isArray(topics) ? topics.length : topics };
    },
  },
  {
    title: 'publish the starter campaigns (programs/campaigns)',
    run: async () => {
      const published = await loyalty(['campaigns', 'publish', join(REPO_ROOT, 'programs', 'campaigns')]);
      return { published };
    },
  },
  {
    title: 'start the member and card-fraud processors, the ClickHouse sink and the dashboard',
    run: async (ctx) => {
      ctx.running = await startRun(['member', 'card-fraud'], { httpPort: 0, sink: true, dashboard: true, dashboardPort: ctx.options.dashboardPort }, ctx.say);
      return { dashboard: ctx.running.dashboard?.url, metricsPort: ctx.running.processors[0]?.httpPort };
    },
  },
  {
    title: 'simulate QSR traffic into orders.v1',
    run: async (ctx) => {
      const { members, orders, rate, seed } = ctx.options;
      const summary = await loyalty(['simulate', '--members', members, '--orders', orders, '--rate', rate, '--seed', seed]) as { lastEventAt?: string | null };
      ctx.lastEventAt = summary.lastEventAt ? Date.parse(summary.lastEventAt) : null;
      const behind = await waitCaughtUp(ctx.say);
      return { ...summary, markersLeft: behind };
    },
  },
  {
    title: 'advance stream time four days past the last order (points activate after 72 h)',
    run: async (ctx) => {
      if (ctx.lastEventAt === null) return { skipped: 'no traffic' };
      const to = ctx.lastEventAt + 4 * 86_400_000;
      await loyalty(['clock', 'tick', '--to', String(to)]);
      const behind = await waitCaughtUp(ctx.say);
      return { streamTime: new Date(to).toISOString(), markersLeft: behind };
    },
  },
  {
    title: 'summary from ClickHouse',
    run: async (ctx) => {
      const db = ctx.running?.sink?.analytics;
      if (!db) throw new CliError('the sink is not running');
      const one = async (sql: string): Promise<Record<string, unknown>> => (await db.query<Record<string, unknown>>(sql)).rows[0] ?? {};
      const orders = await one(`SELECT toUInt64(countIf(type = 'COMPLETED')) AS completed, toUInt64(countIf(type = 'REFUNDED')) AS refunded, toUInt64(uniqExact(memberId)) AS members FROM orders`);
      const points = await one(`SELECT toInt64(sum(pendingDelta)) AS pending, toInt64(sum(availableDelta)) AS available, toInt64(sum(heldDelta)) AS held, toUInt64(count()) AS ledgerEntries FROM ledger_entries`);
      const awards = await one(`SELECT toUInt64(countIf(outcome = 'AWARDED')) AS awards, toInt64(sum(bonusPoints)) AS bonusPoints, toUInt64(countIf(outcome = 'CONTROL')) AS controlGroup FROM promotion_evaluations`);
      const { rows: signals } = await db.query<{ rule: string; n: number }>('SELECT rule, toUInt64(count()) AS n FROM fraud_signals GROUP BY rule ORDER BY rule');
      const dlq = await one('SELECT toUInt64(count()) AS deadLetters FROM dlq_events');
      return { orders, points, awards, signals: Object.fromEntries(signals.map((s) => [s.rule, Number(s.n)])), ...dlq, dashboard: ctx.running?.dashboard?.url };
    },
  },
];

export function register(program: Command): void {
  program.command('demo').description('start the local stack and run the whole product end to end on simulated traffic, explaining each step')
    .option('--members <n>', 'simulated loyalty members', '2000')
    .option('--orders <n>', 'simulated order events', '6000')
    .option('--rate <r/s>', 'events per second sent to Kafka', '500/s')
    .option('--seed <s>', 'seed of the simulated traffic', '1')
    .option('--dashboard-port <port>', 'dashboard port (0 = any free port)', (v) => Number(v), 8787)
    .option('--exit', 'stop after the summary instead of serving the dashboard until Ctrl-C (the default when stdout is not a terminal)')
    .option('--json', 'print one JSON document with the outcome of every step (implies --exit)')
    .addHelpText('after', `
Each run gets its own topic prefix, app id and chDB folder under .loyalty/demo/.

Examples:
  loyalty demo                       run every step, then serve the dashboard until Ctrl-C
  loyalty demo --orders 20000 --rate 1000/s
  loyalty demo --exit --json         the same, for scripts`)
    .action(async (options: DemoOptions) => {
      const run = `demo${Date.now().toString(36)}`;
      const chdbPath = join(REPO_ROOT, '.loyalty', 'demo', 'chdb');
      rmSync(chdbPath, { recursive: true, force: true });
      process.env[TOPIC_PREFIX_ENV] = run;
      process.env.LOYALTY_APP_ID = run;
      process.env.LOYALTY_CHDB_PATH = chdbPath;
      const say = options.json ? () => undefined : (line: string) => process.stdout.write(`    ${line}\n`);
      const ctx: DemoContext = { options, say, running: null, lastEventAt: null };
      const outcomes: { step: string; seconds: number; result: Record<string, unknown> }[] = [];
      try {
        for (const [index, step] of steps.entries()) {
          if (!options.json) process.stdout.write(`${index + 1}/${steps.length} ${step.title}\n`);
          const started = Date.now();
          const result = await step.run(ctx);
          const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
          outcomes.push({ step: step.title, seconds, result });
          if (!options.json) process.stdout.write(`    done in ${seconds} s: ${JSON.stringify(result)}\n`);
        }
        if (options.json) printJson(outcomes);
        const stay = !options.exit && !options.json && process.stdout.isTTY === true;
        if (stay && ctx.running?.dashboard) {
          process.stdout.write(`\ndashboard: ${ctx.running.dashboard.url}   (Ctrl-C stops the processors, the sink and the dashboard)\n`);
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
        }
      } finally {
        await ctx.running?.stop();
      }
      if (!options.json) process.stdout.write('demo finished; the stack keeps running (`loyalty stack down` stops it)\n');
    });
}
