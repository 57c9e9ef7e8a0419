// `loyalty campaigns publish|list|preview`: campaigns as files, published to the compacted topic
// campaigns.v1 (key campaignId, Avro through the registry), read back as the processors read them
// (highest version per id), and previewed over historical orders without writing anything.
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Kafka } from 'kafkajs';
import { fromPlainJsonText } from '../../avro/json.ts';
import type { Campaign, Program } from '../../avro/records.ts';
import type { Serde } from '../../avro/serde.ts';
import { LoyaltyError, ValidationError } from '../../engine/errors.ts';
import { loadProgram } from '../../processors/program.ts';
import { validateCampaign } from '../../processors/promotions/campaign-schema.ts';
import { mergeCampaign } from '../../processors/promotions/evaluate.ts';
import { CampaignPreview, type PreviewReport } from '../../processors/promotions/preview.ts';
import { CliError, EXIT, printJson } from '../output.ts';
import {
  asKafkaError, kafkaFor, producerFor, securedConfig, serdeFor, topicArg, withAdmin, withConnectionOptions, type ConnectionFlags as ClientFlags,
} from '../ops/connect.ts';
import { parseTime } from '../ops/position.ts';
import { readRanges, resolveWindow, type RawRecord } from '../ops/window.ts';
import { createProgress } from '../progress.ts';

// Catalog base names: --prefix (or LOYALTY_TOPIC_PREFIX) is applied as the processors apply it.
const CAMPAIGNS_TOPIC = 'campaigns.v1';
const ORDERS_TOPIC = 'orders.v1';
const CAMPAIGN_RECORD = 'loyalty.promotions.Campaign';
const ORDER_RECORD = 'loyalty.orders.OrderEvent';
interface ConnectionFlags extends ClientFlags { topic: string }

/** A campaign file and where it came from, for messages that name the file. */
interface CampaignSource { file: string; campaign: Campaign }

function connect(flags: ClientFlags): { kafka: Kafka; serde: Serde } {
  const config = securedConfig(flags);
  return { kafka: kafkaFor(config, 'loyalty-cli-campaigns'), serde: serdeFor(config) };
}

/** Campaign files under `path` (a file, or every *.json of a folder); a file may hold one campaign or an array. */
function readCampaignFiles(path: string, program: Program): CampaignSource[] {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f))
      : [path];
  } catch {
    throw new CliError(`${path}: no such file or folder`, EXIT.USAGE);
  }
  if (files.length === 0) throw new CliError(`${path}: no .json campaign files in this folder`, EXIT.USAGE);
  const sources: CampaignSource[] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CliError(`${file}: not readable JSON (${(err as Error).message})`, EXIT.USAGE);
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    items.forEach((item, i) => {
      const where = Array.isArray(parsed) ? `${file}[${i}]` : file;
      try {
        sources.push({ file: where, campaign: validateCampaign(item, { program }) });
      } catch (err) {
        if (err instanceof ValidationError) throw new CliError(`${where}: ${err.message}`, EXIT.USAGE);
        throw err;
      }
    });
  }
  const seen = new Map<string, string>();
  for (const { file, campaign } of sources) {
    const first = seen.get(campaign.campaignId);
    if (first !== undefined) throw new CliError(`${file}: campaign ${campaign.campaignId} is also in ${first}; publish one version at a time`, EXIT.USAGE);
    seen.set(campaign.campaignId, file);
  }
  return sources;
}

/** Every record of `topic` present now, partition by partition, then stops (commits nothing). */
async function readTopicToEnd(kafka: Kafka, topic: string, onMessage: (record: RawRecord) => Promise<void>): Promise<void> {
  const ranges = await withAdmin(kafka, (admin) => resolveWindow(admin, { topic, from: { kind: 'earliest' }, to: { kind: 'latest' } }));
  await readRanges(kafka, topic, ranges, onMessage);
}

/** The campaign table as the processors see it: highest valid version per campaignId. */
async function readPublished(kafka: Kafka, serde: Serde, topic: string): Promise<{ table: Map<string, Campaign>; skipped: number }> {
  const table = new Map<string, Campaign>();
  let skipped = 0;
  await readTopicToEnd(kafka, topic, async (message) => {
    const key = message.key?.toString('utf8');
    if (key === undefined) return;
    if (message.value === null) {
      table.delete(key); // a tombstone removes the campaign, as the engine's global table does
      return;
    }
    let value: unknown;
    try {
      value = (await serde.decode(message.value)).value;
    } catch (err) {
      if (err instanceof LoyaltyError && err.unreachable) throw err;
      skipped += 1;
      return;
    }
    const merged = mergeCampaign(table.get(key), value);
    if (merged === undefined) skipped += 1;
    else table.set(key, merged as Campaign);
  });
  return { table, skipped };
}

const iso = (millis: number): string => new Date(millis).toISOString();

async function publish(path: string, opts: ConnectionFlags & { dryRun?: boolean; json?: boolean; program?: string }): Promise<void> {
  const sources = readCampaignFiles(path, loadProgram(opts.program));
  const { kafka, serde } = connect(opts);
  const topic = topicArg(opts.topic, opts);
  const { table } = await readPublished(kafka, serde, topic);
  const stale = sources.filter(({ campaign }) => (table.get(campaign.campaignId)?.version ?? 0) >= campaign.version);
  if (stale.length > 0) {
    throw new CliError(stale.map(({ file, campaign }) =>
      `${file}: campaign ${campaign.campaignId} version ${campaign.version} is not greater than the published version ${table.get(campaign.campaignId)?.version}`).join('\n'), EXIT.USAGE);
  }
  const plan = sources.map(({ file, campaign }) => ({
    file, campaignId: campaign.campaignId, version: campaign.version, previousVersion: table.get(campaign.campaignId)?.version ?? null,
  }));
  if (!opts.dryRun) {
    await serde.prepare(topic, CAMPAIGN_RECORD);
    const messages = sources.map(({ campaign }) => ({ key: campaign.campaignId, value: serde.encodeSync(topic, campaign) }));
    const producer = producerFor(kafka);
    try {
      await producer.connect();
      await producer.send({ topic, messages });
    } catch (err) {
      throw asKafkaError(err);
    } finally {
      await producer.disconnect();
    }
  }
  if (opts.json) return printJson({ topic, dryRun: opts.dryRun === true, campaigns: plan });
  for (const p of plan) {
    process.stdout.write(`${opts.dryRun ? 'would publish' : 'published'} ${p.campaignId} v${p.version}${p.previousVersion === null ? ' (new)' : ` (was v${p.previousVersion})`}  ${p.file}\n`);
  }
}

async function list(opts: ConnectionFlags & { json?: boolean }): Promise<void> {
  const { kafka, serde } = connect(opts);
  const topic = topicArg(opts.topic, opts);
  const { table, skipped } = await readPublished(kafka, serde, topic);
  const campaigns = [...table.values()].sort((a, b) => (a.campaignId < b.campaignId ? -1 : 1));
  if (skipped > 0) process.stderr.write(`loyalty: skipped ${skipped} record(s) of ${topic} that are not valid campaigns (not Avro, or refused by validation)\n`);
  if (opts.json) return printJson(campaigns);
  if (campaigns.length === 0) {
    process.stdout.write(`no campaigns published on ${topic}\n`);
    return;
  }
  for (const c of campaigns) {
    const audience = [c.channels?.join('+'), c.tiers?.join('+'), c.daypart ? `${c.daypart.days.join(',')} ${c.daypart.startMinute}-${c.daypart.endMinute}` : undefined]
      .filter((part) => part !== undefined).join(' ');
    process.stdout.write(`${c.campaignId.padEnd(24)} v${String(c.version).padEnd(4)} ${c.type.padEnd(15)} ${iso(c.startsAt)} → ${iso(c.endsAt)}  ${audience || 'everyone'}${c.exclusiveGroup ? `  group ${c.exclusiveGroup}` : ''}\n`);
  }
}

/** One plain-JSON order line into the preview; a line that is not an order event counts as SCHEMA_VIOLATION. */
function addLine(preview: CampaignPreview, text: string): void {
  let value: unknown;
  try {
    value = fromPlainJsonText(ORDER_RECORD, text);
  } catch (err) {
    if (err instanceof ValidationError) return preview.skip('SCHEMA_VIOLATION');
    throw err;
  }
  preview.add(value);
}

interface PreviewFlags extends ClientFlags { with?: string; orders?: string; topic?: string; from?: string; to?: string; ignoreWindow?: boolean; pointCostCents: string; program?: string; json?: boolean }

async function preview(campaignFile: string, opts: PreviewFlags): Promise<void> {
  if ((opts.orders === undefined) === (opts.topic === undefined)) throw new CliError('give exactly one of --orders <file.jsonl> or --topic <orders topic>', EXIT.USAGE);
  const program = loadProgram(opts.program);
  const sources = readCampaignFiles(campaignFile, program);
  const [source] = sources;
  if (source === undefined || sources.length !== 1) throw new CliError(`${campaignFile}: preview takes exactly one campaign, found ${sources.length}`, EXIT.USAGE);
  let runner: CampaignPreview;
  try {
    runner = new CampaignPreview({
      program, campaign: source.campaign, others: opts.with === undefined ? [] : readCampaignFiles(opts.with, program).map((s) => s.campaign), ignoreWindow: opts.ignoreWindow === true, pointCostCents: opts.pointCostCents,
      from: opts.from === undefined ? null : parseTime(opts.from, '--from'),
      to: opts.to === undefined ? null : parseTime(opts.to, '--to'),
    });
  } catch (err) {
    if (err instanceof ValidationError) throw new CliError(err.message, EXIT.USAGE);
    throw err;
  }
  const progress = createProgress({ label: 'orders', json: opts.json === true });
  if (opts.orders !== undefined) {
    const input = createReadStream(opts.orders, 'utf8');
    input.on('error', () => undefined); // reported by the loop below
    try {
      for await (const text of createInterface({ input, crlfDelay: Infinity })) {
        if (text.trim() === '') continue;
        addLine(runner, text);
        progress.tick();
      }
    } catch (err) {
      throw new CliError(`${opts.orders}: cannot read (${(err as Error).message})`, EXIT.USAGE);
    }
  } else {
    const { kafka, serde } = connect(opts);
    await readTopicToEnd(kafka, topicArg(opts.topic ?? ORDERS_TOPIC, opts), async (message) => {
      if (message.value === null) return; // a watermark tick or tombstone, not an order
      try {
        runner.add((await serde.decode(message.value)).value);
      } catch (err) {
        if (err instanceof LoyaltyError && err.unreachable) throw err;
        runner.skip('UNDECODABLE');
      }
      progress.tick();
    });
  }
  const report = runner.result();
  progress.done(`read ${report.orders.read} order events`);
  if (opts.json) return printJson(report);
  printPreview(report);
}

function printPreview(r: PreviewReport): void {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const window = r.window.ignored ? 'window ignored: every order in range evaluated' : `window ${iso(r.window.startsAt)} → ${iso(r.window.endsAt)}`;
  out(`campaign ${r.campaignId} v${r.campaignVersion} (${window})`);
  if (r.range.from !== null || r.range.to !== null) out(`orders from ${r.range.from === null ? 'the start' : iso(r.range.from)} to ${r.range.to === null ? 'the end' : iso(r.range.to)}`);
  const rejected = Object.entries(r.orders.rejected).map(([reason, n]) => `${reason} ${n}`).join(', ');
  out(`order events read ${r.orders.read}: evaluated ${r.orders.evaluated}, outside range ${r.orders.outsideRange}, outside the campaign window ${r.orders.outsideWindow}, refunds ${r.orders.refunds}, guest ${r.orders.guest}, employee ${r.orders.employee}, duplicates ${r.orders.duplicates}${rejected ? `, rejected: ${rejected}` : ''}`);
  out(`members evaluated ${r.members.evaluated}, reached ${r.members.reached}, in control group ${r.members.control}`);
  out(`awards ${r.awards}, bonus points ${r.bonusPoints}, cost ${(r.costCents / 100).toFixed(2)} at ${r.pointCostCents} cents a point`);
  out('outcomes:');
  for (const o of r.outcomes) out(`  ${String(o.count).padStart(8)}  ${o.outcome}${o.reason ? ` ${o.reason}` : ''}`);
  out('assumptions:');
  for (const a of r.assumptions) out(`  - ${a}`);
}

export function register(program: Command): void {
  const campaigns = program.command('campaigns').description('promotion campaigns: publish files to campaigns.v1, list what is in force, preview over past orders')
    .addHelpText('after', `
Examples:
  loyalty campaigns publish programs/campaigns --dry-run
  loyalty campaigns publish programs/campaigns/fifth-visit.json
  loyalty campaigns list --json
  loyalty campaigns preview programs/campaigns/fifth-visit.json --orders orders.jsonl --ignore-window
  loyalty campaigns preview new.json --topic orders.v1 --from 2026-02-01T00:00:00Z --to 2026-03-01T00:00:00Z`);

  withConnectionOptions(campaigns.command('publish <path>')).description('validate campaign files (a file or a folder of *.json) and produce them, keyed by campaignId; a version must be greater than the published one')
    .option('--dry-run', 'validate and compare with what is published, produce nothing')
    .option('--topic <name>', 'campaign topic', CAMPAIGNS_TOPIC)
    .option('--program <file>', 'program whose tiers the campaigns may name (default programs/default.json)')
    .option('--json', 'print what was (or would be) published as JSON')
    .action((path: string, opts: ConnectionFlags & { dryRun?: boolean; json?: boolean; program?: string }) => publish(path, opts));

  withConnectionOptions(campaigns.command('list')).description('read the campaign topic fully and print the highest version of each campaign')
    .option('--topic <name>', 'campaign topic', CAMPAIGNS_TOPIC)
    .option('--json', 'print the campaigns as JSON (wire form: times in epoch millis)')
    .action((opts: ConnectionFlags & { json?: boolean }) => list(opts));

  withConnectionOptions(campaigns.command('preview <campaign>')).description('evaluate one campaign over historical orders with the processors\' own rules; writes nothing')
    .option('--orders <file>', 'plain-JSON order events, one per line, in stream order')
    .option('--topic <name>', `read the orders from this topic to its current end instead (e.g. ${ORDERS_TOPIC})`)
    .option('--from <time>', 'evaluate orders with occurredAt ≥ this (RFC 3339 or epoch millis); earlier ones only build member state')
    .option('--to <time>', 'evaluate orders with occurredAt < this')
    .option('--with <path>', 'campaigns in force beside it (a file or folder, e.g. programs/campaigns), so exclusive-group stacking is modelled')
    .option('--ignore-window', 'evaluate as if the campaign\'s startsAt/endsAt covered every order (preview a future campaign on past orders)')
    .option('--point-cost-cents <cents>', 'what one point costs when redeemed, in cents (0.5: a $5 reward for 1,000 points)', '0.5')
    .option('--program <file>', 'program file (default programs/default.json)')
    .option('--json', 'print the report as JSON')
    .action((file: string, opts: PreviewFlags) => preview(file, opts));
}
