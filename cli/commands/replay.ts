// `loyalty replay`: a bounded read of a window of a topic, [from, to) by record timestamp or by
// offsets, printed as JSON lines or re-produced to another topic (keys and headers kept, an
// x-replay header naming the source record added; the copy gets a new timestamp, since an old one
// would fall straight under the target's time-based retention). Writing into a topic a processor reads changes live results,
// so it shows what would be written and needs --yes.
import type { Command } from 'commander';
import type { Kafka, Message } from 'kafkajs';
import type { Serde } from '../../avro/serde.ts';
import { asKafkaError, kafkaFor, partitionsOf, producerFor, securedConfig, serdeFor, topicArg, topicPrefix, withAdmin, withConnectionOptions, type ConnectionFlags } from '../ops/connect.ts';
import { compileFilter, type Filter } from '../ops/filter.ts';
import { createPacer } from '../ops/pacer.ts';
import { parseCount, parsePosition, parseRate, type Position } from '../ops/position.ts';
import { processorReadTopics } from '../ops/processors.ts';
import { printable, type PrintedRecord } from '../ops/records.ts';
import { readRanges, resolveWindow, type PartitionRange, type RawRecord } from '../ops/window.ts';
import { stdoutLines } from '../ops/stdout.ts';
import { CliError, EXIT, printJson } from '../output.ts';
import { createProgress } from '../progress.ts';

export const REPLAY_HEADER = 'x-replay';
const SAMPLE_SIZE = 5;
const SEND_BATCH = 500;

interface ReplayFlags extends ConnectionFlags {
  topic: string;
  from: string;
  to: string;
  partition?: string;
  toTopic?: string;
  filter?: string;
  rate?: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

interface ReplayPlan {
  topic: string;
  from: Position;
  to: Position;
  partition?: number;
  toTopic?: string;
  filter?: Filter;
  rate?: number;
}

interface ReplaySummary {
  topic: string;
  toTopic: string | null;
  dryRun: boolean;
  ranges: { partition: number; start: string; end: string }[];
  read: number;
  matched: number;
  written: number;
  sample: PrintedRecord[];
}

export function register(program: Command): void {
  const command = program
    .command('replay')
    .description('read a window [from, to) of a topic: print it as JSON lines, or re-produce it to another topic')
    .requiredOption('--topic <topic>', 'topic to read')
    .requiredOption('--from <position>', 'start (included): earliest, an offset, @<epoch millis> or an RFC 3339 time')
    .requiredOption('--to <position>', 'end (excluded): latest, an offset, @<epoch millis> or an RFC 3339 time')
    .option('--partition <p>', 'only this partition')
    .option('--to-topic <topic>', 're-produce the records to this topic instead of printing them')
    .option('--filter <expr>', 'keep records matching, e.g. \'value.memberId == "m-1" && value.totalCents >= 5000\'')
    .option('--rate <n/s>', 'at most this many records per second')
    .option('--dry-run', 'count and show a sample, print or write nothing else')
    .option('--yes', 'confirm writing into a topic that a processor reads')
    .option('--json', 'print a JSON summary (printed records stay JSON lines)');
  withConnectionOptions(command).addHelpText('after', `
Fields for --filter: key, partition, offset, timestamp, headers.<name>, value.<field>[.<field>|[i]]...
Operators: == != < <= > >= && || ( ); literals: "text", 'text', 12, -3.5, true, false, null.
Time windows are exact: records are kept when from <= timestamp < to.

Examples:
  loyalty replay --topic orders.v1 --from 2026-01-05T00:00:00Z --to 2026-01-06T00:00:00Z
  loyalty replay --topic orders.v1 --from 120 --to 180 --partition 0 --filter 'value.memberId == "m-000042"'
  loyalty replay --topic orders.v1 --from @1767571200000 --to latest --to-topic orders.replay.v1 --rate 500/s
  loyalty replay --topic orders.v1.dlq --from earliest --to latest --to-topic orders.v1 --dry-run

Exit codes: 0 done, 1 failed, 2 bad flags, unknown topic, or a write into a processor input without --yes,
3 Kafka or the schema registry unreachable.`)
    .action(async (flags: ReplayFlags) => {
      await replay(flags);
    });
}

function planOf(flags: ReplayFlags): ReplayPlan {
  const plan: ReplayPlan = { topic: topicArg(flags.topic, flags), from: parsePosition(flags.from, '--from'), to: parsePosition(flags.to, '--to') };
  if (flags.partition !== undefined) plan.partition = parseCount(flags.partition, '--partition');
  if (flags.toTopic !== undefined) plan.toTopic = topicArg(flags.toTopic, flags);
  if (flags.filter !== undefined) plan.filter = compileFilter(flags.filter);
  if (flags.rate !== undefined) plan.rate = parseRate(flags.rate, '--rate');
  if (plan.toTopic === plan.topic) throw new CliError('--to-topic is the topic being read: that would replay forever', EXIT.USAGE);
  return plan;
}

/** Kept by the window (exact time bounds) and by the filter. */
function matcher(plan: ReplayPlan): (record: RawRecord, printed: PrintedRecord) => boolean {
  const from = plan.from.kind === 'time' ? plan.from.time : Number.NEGATIVE_INFINITY;
  const to = plan.to.kind === 'time' ? plan.to.time : Number.POSITIVE_INFINITY;
  return (record, printed) => record.timestamp >= from && record.timestamp < to && (plan.filter ? plan.filter(printed) : true);
}

async function replay(flags: ReplayFlags): Promise<void> {
  const plan = planOf(flags);
  const config = securedConfig(flags);
  const kafka = kafkaFor(config, 'loyalty-cli-replay');
  const serde = serdeFor(config);
  const ranges = await withAdmin(kafka, async (admin) => {
    if (plan.toTopic !== undefined) await partitionsOf(admin, plan.toTopic);
    return resolveWindow(admin, plan);
  });
  const guarded = plan.toTopic !== undefined && processorReadTopics(topicPrefix(flags)).has(plan.toTopic);
  if (flags.dryRun || (guarded && !flags.yes)) {
    const summary = await scan(kafka, serde, plan, ranges, flags.json === true, null);
    report(summary, flags.json === true);
    if (!flags.dryRun) {
      throw new CliError(`${plan.toTopic} is read by the processors: ${summary.matched} records would be written (sample above); re-run with --yes to write them`, EXIT.USAGE);
    }
    return;
  }
  if (plan.toTopic === undefined) {
    const out = stdoutLines();
    await scan(kafka, serde, plan, ranges, flags.json === true, (printed) => out.write(JSON.stringify(printed)));
    return;
  }
  const summary = await reproduce(kafka, serde, plan, plan.toTopic, ranges, flags.json === true);
  report(summary, flags.json === true);
}

function summaryOf(plan: ReplayPlan, ranges: PartitionRange[], dryRun: boolean): ReplaySummary {
  return {
    topic: plan.topic,
    toTopic: plan.toTopic ?? null,
    dryRun,
    ranges: ranges.map((r) => ({ partition: r.partition, start: r.start.toString(), end: r.end.toString() })),
    read: 0,
    matched: 0,
    written: 0,
    sample: [],
  };
}

function totalOf(ranges: PartitionRange[]): number {
  return ranges.reduce((sum, r) => sum + Number(r.end - r.start), 0);
}

/** Reads the window; each matching record goes to `emit` (printing), or is only counted and sampled. */
async function scan(kafka: Kafka, serde: Serde, plan: ReplayPlan, ranges: PartitionRange[], json: boolean,
  emit: ((printed: PrintedRecord) => Promise<boolean>) | null): Promise<ReplaySummary> {
  const summary = summaryOf(plan, ranges, emit === null);
  const keep = matcher(plan);
  const pacer = createPacer(emit ? plan.rate : undefined);
  const progress = createProgress({ total: totalOf(ranges), label: 'records', json: json || emit !== null });
  await readRanges(kafka, plan.topic, ranges, async (record) => {
    summary.read += 1;
    progress.tick();
    const printed = await printable(serde, record);
    if (!keep(record, printed)) return true;
    summary.matched += 1;
    if (summary.sample.length < SAMPLE_SIZE) summary.sample.push(printed);
    if (!emit) return true;
    await pacer.take();
    return emit(printed);
  });
  progress.done(`read ${summary.read} records of ${plan.topic}, ${summary.matched} matched`);
  return summary;
}

async function reproduce(kafka: Kafka, serde: Serde, plan: ReplayPlan, toTopic: string, ranges: PartitionRange[], json: boolean): Promise<ReplaySummary> {
  const summary = summaryOf(plan, ranges, false);
  const keep = matcher(plan);
  const pacer = createPacer(plan.rate);
  const targetPartitions = await withAdmin(kafka, (admin) => partitionsOf(admin, toTopic));
  const producer = producerFor(kafka);
  const progress = createProgress({ total: totalOf(ranges), label: 'records', json });
  const batchSize = plan.rate === undefined ? SEND_BATCH : Math.max(1, Math.min(SEND_BATCH, Math.floor(plan.rate / 10)));
  let pending: Message[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    await pacer.take(batch.length);
    await producer.send({ topic: toTopic, messages: batch });
    summary.written += batch.length;
  };
  try {
    await producer.connect();
    await readRanges(kafka, plan.topic, ranges, async (record) => {
      summary.read += 1;
      progress.tick();
      const printed = await printable(serde, record);
      if (!keep(record, printed)) return;
      summary.matched += 1;
      if (summary.sample.length < SAMPLE_SIZE) summary.sample.push(printed);
      pending.push({
        key: record.key,
        value: record.value,
        headers: { ...record.headers, [REPLAY_HEADER]: `${record.topic}:${record.partition}:${record.offset}` },
        // Keyed records go where the partitioner puts them (co-partitioned with their key); unkeyed ones keep their partition.
        ...(record.key === null ? { partition: record.partition % targetPartitions.length } : {}),
      });
      if (pending.length >= batchSize) await flush();
    });
    await flush();
  } catch (err) {
    throw asKafkaError(err);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  progress.done(`replayed ${summary.written} of ${summary.read} records from ${plan.topic} to ${toTopic}`);
  return summary;
}

function report(summary: ReplaySummary, json: boolean): void {
  if (json) {
    printJson(summary);
    return;
  }
  const what = summary.dryRun ? 'would be' : 'were';
  const target = summary.toTopic === null ? 'printed' : `written to ${summary.toTopic}`;
  process.stdout.write(`${summary.matched} of ${summary.read} records in the window ${what} ${target}\n`);
  for (const range of summary.ranges) process.stdout.write(`  partition ${range.partition}: offsets [${range.start}, ${range.end})\n`);
  if (summary.sample.length > 0) process.stdout.write(`sample (${summary.sample.length}):\n`);
  for (const record of summary.sample) process.stdout.write(`  ${JSON.stringify(record)}\n`);
}
