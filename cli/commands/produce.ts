// `loyalty produce <file.jsonl> --topic T`: plain-JSON records to a topic, checked, keyed and
// Avro-encoded (Confluent wire format).
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { Serde } from '../../avro/serde.ts';
import { isRecordName } from '../../avro/schemas.ts';
import { TOPIC_PREFIX_ENV, resolveTopic } from '../../topics/catalog.ts';
import { kafkaSettings, registrySettings } from '../../topics/connection.ts';
import { hasKeyRule } from '../../topics/keys.ts';
import { produceFile } from '../../topics/produce-file.ts';
import { CliError, EXIT, printJson } from '../output.ts';

interface Flags { topic: string; prefix?: string; skipInvalid?: boolean; json?: boolean; brokers?: string; registry?: string }

/** A progress bar on a terminal, plain lines (at most one per second) otherwise, nothing for --json. */
function progressReporter(json: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  if (json) return { update: () => undefined, stop: () => undefined };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'producing [{bar}] {value}/{total} records {percentage}%' }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update(done, total) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(done, total) {
      const now = performance.now();
      if (done < total && now - last < 1000) return;
      last = now;
      process.stderr.write(`produced ${done}/${total} records\n`);
    },
    stop: () => undefined,
  };
}

export function register(program: Command): void {
  program.command('produce')
    .description('produce a JSONL file of plain-JSON records (RULES.md section 1 form) to a catalog topic')
    .argument('<file.jsonl>', 'one record per line; blank lines are ignored')
    .requiredOption('--topic <topic>', 'catalog topic, e.g. orders.v1 (its value record and key rule apply)')
    .option('--prefix <prefix>', `topic name prefix (default: env ${TOPIC_PREFIX_ENV})`)
    .option('--skip-invalid', 'skip and count invalid lines instead of stopping at the first')
    .option('--json', 'print the summary as JSON')
    .option('--brokers <list>', 'Kafka brokers, comma separated (default: config / KAFKA_BROKERS / stack)')
    .option('--registry <url>', 'schema registry URL (default: config / SCHEMA_REGISTRY_URL / stack)')
    .addHelpText('after', `
Nothing is sent when a line is invalid (exit 2, "line N: <field>: expected ..."), unless --skip-invalid.
Keys: orders.v1 memberId (orderId for guests), campaigns.v1 campaignId, other topics memberId.
Each record's Kafka timestamp is its event time (occurredAt, issuedAt or updatedAt) when it has one.
Examples:
  loyalty produce test/fixtures/conformance/scenario-101/events.jsonl --topic orders.v1
  loyalty produce orders.jsonl --topic orders.v1 --skip-invalid --json`)
    .action(async (file: string, flags: Flags) => {
      const { name, spec } = resolveTopic(flags.topic, flags.prefix);
      if (!spec?.valueRecord || !isRecordName(spec.valueRecord) || !hasKeyRule(spec.base)) {
        throw new CliError(`--topic ${flags.topic}: not a catalog topic with an Avro value (see \`loyalty topics list\`)`, EXIT.USAGE);
      }
      const registry = registrySettings(flags.registry ? { registry: flags.registry } : {});
      const serde = new Serde(registry.url, registry.auth ? { auth: registry.auth } : {});
      const progress = progressReporter(flags.json === true);
      const started = performance.now();
      let summary;
      try {
        summary = await produceFile(file, { topic: name, base: spec.base, record: spec.valueRecord }, {
          kafka: kafkaSettings(flags.brokers ? { brokers: flags.brokers } : {}, 'loyalty-produce'),
          serde,
          skipInvalid: flags.skipInvalid === true,
          onProgress: progress.update,
        });
      } finally {
        progress.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      if (flags.json) {
        printJson({ ...summary, seconds: Number(seconds.toFixed(3)) });
        return;
      }
      for (const bad of summary.invalid) process.stderr.write(`skipped line ${bad.line}: ${bad.message}\n`);
      process.stdout.write(`produced ${summary.produced} records to ${summary.topic} in ${seconds.toFixed(1)} s, ${summary.skipped} invalid line(s) skipped\n`);
    });
}
