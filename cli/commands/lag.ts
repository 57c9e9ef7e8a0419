// `loyalty lag`: how far each consumer group is behind, per partition: end offset, committed
// offset, lag in records, and time lag (timestamp of the latest record minus that of the first
// record not yet consumed). Reads single records with a throwaway consumer; commits nothing.
import type { Command } from 'commander';
import type { Admin, Kafka } from 'kafkajs';
import { kafkaFor, securedConfig, withAdmin, withConnectionOptions, type ConnectionFlags } from '../ops/connect.ts';
import { parseDuration } from '../ops/position.ts';
import { readRanges, type PartitionRange } from '../ops/window.ts';
import { CliError, EXIT } from '../output.ts';

/** Records scanned at each end to find a timestamp past transaction markers. */
const PROBE = 10n;

interface LagFlags extends ConnectionFlags {
  group?: string;
  json?: boolean;
  watch?: boolean;
  interval: string;
}

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  endOffset: string;
  committedOffset: string | null;
  lag: string;
  /** Milliseconds between the latest record and the first unconsumed one; null when unknown. */
  timeLagMs: number | null;
}

export function register(program: Command): void {
  const command = program
    .command('lag')
    .description('consumer lag per partition: end offset, committed offset, lag, time lag')
    .option('--group <group>', 'only this consumer group (default: every group of the app, <appId>-*)')
    .option('--json', 'print JSON (with --watch: one JSON document per line)')
    .option('--watch', 'repeat until interrupted')
    .option('--interval <d>', 'time between --watch rounds', '5s');
  withConnectionOptions(command).addHelpText('after', `
Examples:
  loyalty lag
  loyalty lag --group loyalty-member --json
  loyalty lag --watch --interval 10s

Exit codes: 0 done, 1 failed, 2 bad flags or unknown group, 3 Kafka unreachable.`)
    .action(async (flags: LagFlags) => lag(flags));
}

async function lag(flags: LagFlags): Promise<void> {
  const config = securedConfig(flags);
  const kafka = kafkaFor(config, 'loyalty-cli-lag');
  const intervalMs = parseDuration(flags.interval, '--interval');
  let interrupted = false;
  const stop = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', stop);
  try {
    do {
      const rows = await measure(kafka, config.appId, flags.group);
      if (flags.json) process.stdout.write(`${flags.watch ? JSON.stringify(rows) : JSON.stringify(rows, null, 2)}\n`);
      else printTable(rows);
      if (flags.watch && !interrupted) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    } while (flags.watch && !interrupted);
  } finally {
    process.off('SIGINT', stop);
  }
}

async function groupsOf(admin: Admin, appId: string, group: string | undefined): Promise<string[]> {
  const { groups } = await admin.listGroups();
  const ids = groups.map((g) => g.groupId);
  if (group !== undefined) {
    if (!ids.includes(group)) throw new CliError(`consumer group ${group} does not exist (groups of this app: ${ids.filter((g) => g.startsWith(`${appId}-`)).join(', ') || 'none'})`, EXIT.USAGE);
    return [group];
  }
  return ids.filter((g) => g.startsWith(`${appId}-`)).sort();
}

export async function measure(kafka: Kafka, appId: string, group: string | undefined): Promise<PartitionLag[]> {
  const positions = await withAdmin(kafka, async (admin) => {
    const rows: Omit<PartitionLag, 'timeLagMs'>[] = [];
    for (const groupId of await groupsOf(admin, appId, group)) {
      const committed = await admin.fetchOffsets({ groupId });
      for (const { topic, partitions } of committed) {
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o]));
        for (const p of partitions.sort((a, b) => a.partition - b.partition)) {
          const end = ends.get(p.partition);
          if (!end) continue;
          const position = BigInt(p.offset) >= 0n ? BigInt(p.offset) : BigInt(end.low);
          rows.push({
            group: groupId,
            topic,
            partition: p.partition,
            endOffset: end.high,
            committedOffset: BigInt(p.offset) >= 0n ? p.offset : null,
            lag: String(BigInt(end.high) - position),
          });
        }
      }
    }
    return rows;
  });
  const out: PartitionLag[] = [];
  const byGroupTopic = new Map<string, typeof positions>();
  for (const row of positions) byGroupTopic.set(`${row.group}\u0000${row.topic}`, [...(byGroupTopic.get(`${row.group}\u0000${row.topic}`) ?? []), row]);
  for (const rows of byGroupTopic.values()) {
    const topic = (rows[0] as (typeof rows)[number]).topic;
    const behind = rows.filter((r) => BigInt(r.lag) > 0n).map((r) => ({ partition: r.partition, start: BigInt(r.endOffset) - BigInt(r.lag), end: BigInt(r.endOffset) }));
    const next = await edgeTimestamps(kafka, topic, behind.map((r) => ({ ...r, end: r.start + PROBE < r.end ? r.start + PROBE : r.end })), 'first');
    const latest = await edgeTimestamps(kafka, topic, behind.map((r) => ({ ...r, start: r.end - PROBE > r.start ? r.end - PROBE : r.start })), 'last');
    for (const row of rows) {
      const first = next.get(row.partition);
      const last = latest.get(row.partition);
      const timeLagMs = BigInt(row.lag) === 0n ? 0 : first !== undefined && last !== undefined ? Math.max(0, last - first) : null;
      out.push({ ...row, timeLagMs });
    }
  }
  return out;
}

/** The timestamp of the first or last data record (transaction markers skipped) of each range, by partition. */
async function edgeTimestamps(kafka: Kafka, topic: string, ranges: PartitionRange[], which: 'first' | 'last'): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  if (ranges.length === 0) return found;
  await readRanges(kafka, topic, ranges, async (record) => {
    if (which === 'last' || !found.has(record.partition)) found.set(record.partition, record.timestamp);
  }, { stallTimeoutMs: 10_000 });
  return found;
}

function printTable(rows: PartitionLag[]): void {
  if (rows.length === 0) {
    process.stdout.write('no committed offsets for the selected groups\n');
    return;
  }
  const header = ['GROUP', 'TOPIC', 'PARTITION', 'END', 'COMMITTED', 'LAG', 'TIME LAG'];
  const lines = rows.map((r) => [r.group, r.topic, String(r.partition), r.endOffset, r.committedOffset ?? '-', r.lag, r.timeLagMs === null ? '?' : formatMs(r.timeLagMs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  for (const line of [header, ...lines]) process.stdout.write(`${line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}\n`);
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  return `${(ms / 3_600_000).toFixed(1)}h`;
}
