// `loyalty dlq list|show|redrive <dlq-topic>`: what went to a dead-letter topic and why (counts by
// the x-dlq-reason header, with samples), the records themselves with their headers, and, once
// the cause is fixed, a redrive of the original bytes to the topic they came from
// (x-dlq-source-topic). Source topics are processor inputs, so a redrive needs --yes.
import type { Command } from 'commander';
import type { Kafka, Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../engine/types.ts';
import { asKafkaError, kafkaFor, partitionsOf, producerFor, securedConfig, serdeFor, topicArg, topicPrefix, withAdmin, withConnectionOptions, type ConnectionFlags } from '../ops/connect.ts';
import { parseCount, parseTime, type Position } from '../ops/position.ts';
import { processorReadTopics } from '../ops/processors.ts';
import { printable, type PrintedRecord } from '../ops/records.ts';
import { stdoutLines } from '../ops/stdout.ts';
import { readRanges, resolveWindow, type RawRecord } from '../ops/window.ts';
import { CliError, EXIT, printJson } from '../output.ts';
import { createProgress } from '../progress.ts';

export const REDRIVE_HEADER = 'x-redrive';
const SAMPLES_PER_REASON = 3;

interface DlqFlags extends ConnectionFlags {
  reason?: string;
  since?: string;
  limit?: string;
  yes?: boolean;
  json?: boolean;
}

interface ReasonCount {
  reason: string;
  count: number;
  sources: Record<string, number>;
  samples: { partition: number; offset: string; source: string; error: string; time: string | null }[];
}

const EXIT_HELP = `
Exit codes: 0 done, 1 failed, 2 bad flags, unknown topic or a redrive without --yes,
3 Kafka or the schema registry unreachable.`;

export function register(program: Command): void {
  const dlq = program.command('dlq').description('inspect and redrive dead-letter topics (<input>.dlq)');
  const common = (command: Command): Command => withConnectionOptions(command
    .argument('<dlq-topic>', 'dead-letter topic, e.g. orders.v1.dlq')
    .option('--reason <code>', 'only records with this x-dlq-reason, e.g. TOTAL_MISMATCH')
    .option('--since <time>', 'only records written at or after this time (RFC 3339 or epoch millis)')
    .option('--json', 'print JSON'));

  common(dlq.command('list').description('count dead letters by reason, with a few samples of each'))
    .addHelpText('after', `\nExamples:\n  loyalty dlq list orders.v1.dlq\n  loyalty dlq list orders.v1.dlq --since 2026-01-05T00:00:00Z --json\n${EXIT_HELP}`)
    .action(async (topic: string, flags: DlqFlags) => list(topicArg(topic, flags), flags));

  common(dlq.command('show').description('print dead letters with their headers, one JSON line each'))
    .option('--limit <n>', 'at most this many records')
    .addHelpText('after', `\nExamples:\n  loyalty dlq show orders.v1.dlq --reason TOTAL_MISMATCH --limit 10\n${EXIT_HELP}`)
    .action(async (topic: string, flags: DlqFlags) => show(topicArg(topic, flags), flags));

  common(dlq.command('redrive').description('re-produce dead letters to their source topic after a fix'))
    .option('--yes', 'confirm writing into the source topics (processor inputs)')
    .addHelpText('after', `
Each record goes back to its x-dlq-source-topic with its original key and bytes; the x-dlq-*
headers are dropped and an x-redrive header names the dead letter. Without --yes, the count
and a sample of what would be written are shown and nothing is written.

Examples:
  loyalty dlq redrive orders.v1.dlq --reason PROCESSING_ERROR
  loyalty dlq redrive orders.v1.dlq --reason PROCESSING_ERROR --since 2026-01-05T12:00:00Z --yes
${EXIT_HELP}`)
    .action(async (topic: string, flags: DlqFlags) => redrive(topicArg(topic, flags), flags));
}

/** Reads the dead letters of `topic` (from --since, up to now) that match --reason. */
async function readDeadLetters(kafka: Kafka, topic: string, flags: DlqFlags, onRecord: (record: RawRecord) => Promise<boolean | void>): Promise<number> {
  if (!topic.endsWith('.dlq')) throw new CliError(`${topic} is not a dead-letter topic: their names end in .dlq (e.g. orders.v1.dlq)`, EXIT.USAGE);
  const from: Position = flags.since === undefined ? { kind: 'earliest' } : { kind: 'time', time: parseTime(flags.since, '--since') };
  const since = from.kind === 'time' ? from.time : Number.NEGATIVE_INFINITY;
  const ranges = await withAdmin(kafka, (admin) => resolveWindow(admin, { topic, from, to: { kind: 'latest' } }));
  const progress = createProgress({ total: ranges.reduce((s, r) => s + Number(r.end - r.start), 0), label: 'dead letters', json: flags.json === true });
  let read = 0;
  await readRanges(kafka, topic, ranges, async (record) => {
    read += 1;
    progress.tick();
    if (record.timestamp < since) return true;
    if (flags.reason !== undefined && record.headers[DLQ_HEADERS.reason] !== flags.reason) return true;
    return onRecord(record);
  });
  progress.done(`read ${read} dead letters of ${topic}`);
  return read;
}

function sourceOf(record: RawRecord): string {
  return record.headers[DLQ_HEADERS.topic] ?? '(unknown source)';
}

async function list(topic: string, flags: DlqFlags): Promise<void> {
  const kafka = kafkaFor(securedConfig(flags), 'loyalty-cli-dlq');
  const byReason = new Map<string, ReasonCount>();
  let total = 0;
  await readDeadLetters(kafka, topic, flags, async (record) => {
    total += 1;
    const reason = record.headers[DLQ_HEADERS.reason] ?? '(no reason header)';
    const entry = byReason.get(reason) ?? { reason, count: 0, sources: {}, samples: [] };
    entry.count += 1;
    const source = sourceOf(record);
    entry.sources[source] = (entry.sources[source] ?? 0) + 1;
    if (entry.samples.length < SAMPLES_PER_REASON) {
      const time = record.headers[DLQ_HEADERS.time];
      entry.samples.push({
        partition: record.partition,
        offset: record.offset,
        source: `${source}:${record.headers[DLQ_HEADERS.partition] ?? '?'}:${record.headers[DLQ_HEADERS.offset] ?? '?'}`,
        error: record.headers[DLQ_HEADERS.error] ?? '',
        time: time === undefined ? null : new Date(Number(time)).toISOString(),
      });
    }
    byReason.set(reason, entry);
  });
  const reasons = [...byReason.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  if (flags.json) {
    printJson({ topic, total, reasons });
    return;
  }
  process.stdout.write(`${topic}: ${total} dead letters${flags.reason ? ` with reason ${flags.reason}` : ''}\n`);
  for (const entry of reasons) {
    process.stdout.write(`  ${entry.reason.padEnd(22)} ${String(entry.count).padStart(8)}  from ${Object.entries(entry.sources).map(([s, n]) => `${s} (${n})`).join(', ')}\n`);
    for (const sample of entry.samples) process.stdout.write(`      ${sample.source}  ${sample.error}\n`);
  }
}

async function show(topic: string, flags: DlqFlags): Promise<void> {
  const config = securedConfig(flags);
  const kafka = kafkaFor(config, 'loyalty-cli-dlq');
  const serde = serdeFor(config);
  const limit = flags.limit === undefined ? Number.POSITIVE_INFINITY : parseCount(flags.limit, '--limit', 1);
  const out = stdoutLines();
  let shown = 0;
  await readDeadLetters(kafka, topic, flags, async (record) => {
    shown += 1;
    const printed = await printable(serde, record);
    const line = flags.json ? JSON.stringify(printed) : humanLine(printed);
    return (await out.write(line)) && shown < limit;
  });
}

function humanLine(record: PrintedRecord): string {
  const h = record.headers;
  const head = `${record.topic}:${record.partition}:${record.offset} ${h[DLQ_HEADERS.reason] ?? '?'} from ${h[DLQ_HEADERS.topic] ?? '?'}:${h[DLQ_HEADERS.partition] ?? '?'}:${h[DLQ_HEADERS.offset] ?? '?'}`;
  const value = record.undecodable === undefined ? JSON.stringify(record.value) : `(undecodable: ${record.undecodable}) base64 ${record.valueBase64 ?? ''}`;
  return `${head}\n  error: ${h[DLQ_HEADERS.error] ?? ''}\n  key: ${record.key ?? 'null'}\n  headers: ${JSON.stringify(h)}\n  value: ${value}`;
}

interface RedriveSummary {
  topic: string;
  dryRun: boolean;
  matched: number;
  written: number;
  byTarget: Record<string, number>;
  sample: PrintedRecord[];
}

async function redrive(topic: string, flags: DlqFlags): Promise<void> {
  const config = securedConfig(flags);
  const kafka = kafkaFor(config, 'loyalty-cli-dlq');
  const serde = serdeFor(config);
  const summary: RedriveSummary = { topic, dryRun: flags.yes !== true, matched: 0, written: 0, byTarget: {}, sample: [] };
  const records: { target: string; message: Message }[] = [];
  await readDeadLetters(kafka, topic, flags, async (record) => {
    const target = record.headers[DLQ_HEADERS.topic];
    if (target === undefined) throw new CliError(`${topic}:${record.partition}:${record.offset} has no ${DLQ_HEADERS.topic} header: cannot tell where it came from`, EXIT.FAILED);
    summary.matched += 1;
    summary.byTarget[target] = (summary.byTarget[target] ?? 0) + 1;
    if (summary.sample.length < 5) summary.sample.push(await printable(serde, record));
    if (flags.yes) records.push({ target, message: redriveMessage(record) });
  });
  const guarded = processorReadTopics(topicPrefix(flags));
  const targets = Object.keys(summary.byTarget);
  await withAdmin(kafka, async (admin) => {
    for (const target of targets) await partitionsOf(admin, target);
  });
  if (!flags.yes) {
    report(summary, flags.json === true);
    if (summary.matched === 0) return;
    const live = targets.filter((t) => guarded.has(t));
    throw new CliError(`${summary.matched} records would be written to ${targets.join(', ')}${live.length > 0 ? ' (read by the processors)' : ''}; re-run with --yes to redrive them`, EXIT.USAGE);
  }
  const producer = producerFor(kafka);
  try {
    await producer.connect();
    for (const target of targets) {
      const messages = records.filter((r) => r.target === target).map((r) => r.message);
      for (let i = 0; i < messages.length; i += 500) {
        await producer.send({ topic: target, messages: messages.slice(i, i + 500) });
        summary.written += Math.min(500, messages.length - i);
      }
    }
  } catch (err) {
    throw asKafkaError(err);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  report(summary, flags.json === true);
}

/** The original record: key and bytes as they were, x-dlq-* headers dropped, x-redrive added. */
function redriveMessage(record: RawRecord): Message {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) if (!name.startsWith('x-dlq-')) headers[name] = value;
  headers[REDRIVE_HEADER] = `${record.topic}:${record.partition}:${record.offset}`;
  return { key: record.key, value: record.value, headers };
}

function report(summary: RedriveSummary, json: boolean): void {
  if (json) {
    printJson(summary);
    return;
  }
  const verb = summary.dryRun ? 'would be redriven' : 'redriven';
  process.stdout.write(`${summary.dryRun ? summary.matched : summary.written} dead letters of ${summary.topic} ${verb}: ${Object.entries(summary.byTarget).map(([t, n]) => `${n} to ${t}`).join(', ') || 'none'}\n`);
  if (summary.sample.length > 0) process.stdout.write(`sample (${summary.sample.length}):\n`);
  for (const record of summary.sample) process.stdout.write(`  ${JSON.stringify(record)}\n`);
}
