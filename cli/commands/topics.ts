// `loyalty topics apply|list`: the topics of topics/catalog.ts on the cluster.
import type { Command } from 'commander';
import { applyPlan, planCluster, withAdmin } from '../../topics/apply.ts';
import { TOPICS, TOPIC_PREFIX_ENV, topicName } from '../../topics/catalog.ts';
import { kafkaSettings } from '../../topics/connection.ts';
import { describePlan } from '../../topics/plan.ts';
import { CliError, EXIT, printJson } from '../output.ts';

interface ApplyFlags { dryRun?: boolean; force?: boolean; prefix?: string; brokers?: string; json?: boolean }

function retention(ms: number): string {
  if (ms < 0) return 'forever';
  const days = ms / 86_400_000;
  return Number.isInteger(days) ? `${days}d` : `${ms}ms`;
}

export function register(program: Command): void {
  const topics = program.command('topics').description(`topics as code (topics/catalog.ts); a prefix (--prefix or ${TOPIC_PREFIX_ENV}) selects an isolated topic set`);

  topics.command('apply')
    .description('create or alter topics to match the catalog, printing the diff first')
    .option('--dry-run', 'print the diff only')
    .option('--force', 'allow adding partitions to keyed topics (moves keys: stop consumers and rebuild state first)')
    .option('--prefix <prefix>', `topic name prefix (default: env ${TOPIC_PREFIX_ENV})`)
    .option('--brokers <list>', 'Kafka brokers, comma separated (default: config / KAFKA_BROKERS / stack)')
    .option('--json', 'print the plan and result as JSON')
    .addHelpText('after', `
Diff lines: + create, ~ change, ! refused, # note, = up to date.
Examples:
  loyalty topics apply --dry-run
  loyalty topics apply --prefix staging`)
    .action(async (opts: ApplyFlags) => {
      const prefix = opts.prefix ?? process.env[TOPIC_PREFIX_ENV];
      const kafka = kafkaSettings(opts.brokers ? { brokers: opts.brokers } : {}, 'loyalty-topics');
      await withAdmin(kafka, async (admin) => {
        const plan = await planCluster(admin, { force: opts.force === true, ...(prefix ? { prefix } : {}) });
        const applied = plan.refusals.length === 0 && !opts.dryRun && plan.changes.length > 0;
        if (applied) await applyPlan(admin, plan);
        if (opts.json) printJson({ ...plan, dryRun: opts.dryRun === true, applied });
        else {
          for (const line of describePlan(plan)) process.stdout.write(`${line}\n`);
          const summary = plan.refusals.length > 0 ? `refused: ${plan.refusals.length} topic(s) need attention, nothing changed`
            : opts.dryRun ? `dry run: ${plan.changes.length} change(s) to apply`
              : `applied ${plan.changes.length} change(s), ${plan.unchanged.length} topic(s) up to date`;
          process.stdout.write(`${summary}\n`);
        }
        if (plan.refusals.length > 0) {
          throw new CliError(`topics apply refused: ${plan.refusals.map((r) => `${r.name}: ${r.message}`).join('; ')}`, EXIT.FAILED);
        }
      });
    });

  topics.command('list')
    .description('the catalog: every topic with partitions, cleanup, retention, key, value record and DLQ')
    .option('--prefix <prefix>', `topic name prefix (default: env ${TOPIC_PREFIX_ENV})`)
    .option('--json', 'print JSON')
    .action((opts: { prefix?: string; json?: boolean }) => {
      const rows = TOPICS.map((spec) => ({ ...spec, name: topicName(spec.base, opts.prefix), dlq: spec.dlq ? topicName(spec.dlq, opts.prefix) : null }));
      if (opts.json) {
        printJson(rows);
        return;
      }
      const width = Math.max(...rows.map((r) => r.name.length));
      for (const r of rows) {
        const value = r.valueRecord ?? 'bytes';
        process.stdout.write(`${r.name.padEnd(width)}  p=${r.partitions} rf=${r.replication} ${r.cleanupPolicy.padEnd(7)} ${retention(r.retentionMs).padEnd(7)} key=${r.key}; value=${value}${r.dlq ? `; dlq=${r.dlq}` : ''}\n`);
      }
    });
}
