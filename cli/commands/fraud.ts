// `loyalty fraud release|list`: operators clear held points (a RELEASE command on
// loyalty.commands.v1, key memberId, applied by the member processor) and read fraud signals.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Command as LoyaltyCommand, FraudSignal } from '../../avro/records.ts';
import { DEFAULT_MEMBER_TOPICS } from '../../processors/member/processor.ts';
import { topicName } from '../../topics/catalog.ts';
import { asKafkaError, kafkaFor, producerFor, securedConfig, serdeFor, withAdmin, withConnectionOptions, type ConnectionFlags } from '../ops/connect.ts';
import { parseCount, parseTime, type Position } from '../ops/position.ts';
import { readRanges, resolveWindow } from '../ops/window.ts';
import { CliError, EXIT, printJson } from '../output.ts';
import { readStoredMember } from './state.ts';

const COMMAND_RECORD = 'loyalty.commands.Command';
const RULES = ['VELOCITY', 'LARGE_ORDER', 'REDEMPTION_OVERDRAFT', 'REFUND_ABUSE', 'SHARED_CARD'];

interface ReleaseFlags extends ConnectionFlags {
  reason: string;
  by?: string;
  at?: string;
  check: boolean;
  topic?: string;
  ordersTopic?: string;
  json?: boolean;
}

async function release(memberId: string, orderId: string, flags: ReleaseFlags): Promise<void> {
  const config = securedConfig(flags);
  if (flags.check) {
    const stored = await readStoredMember(config, memberId, flags.ordersTopic ?? topicName(DEFAULT_MEMBER_TOPICS.orders));
    const order = stored.view?.orders.find((o) => o.orderId === orderId);
    if (stored.view === null || stored.view.snapshot === null) throw new CliError(`no member ${memberId} in the member processor's state`, EXIT.FAILED);
    if (order === undefined) throw new CliError(`member ${memberId} has no order ${orderId} (or it is older than 400 days)`, EXIT.FAILED);
    if (order.lot !== 'held') throw new CliError(`the points of order ${orderId} are not held (they are ${order.lot}): nothing to release`, EXIT.FAILED);
  }
  const command: LoyaltyCommand = {
    commandId: randomUUID(),
    type: 'RELEASE',
    memberId,
    orderId,
    reason: flags.reason,
    issuedBy: flags.by ?? process.env.USER ?? 'loyalty-cli',
    // The operator's clock is the command's event time: it dates the RELEASE entry.
    issuedAt: flags.at === undefined ? Date.now() : parseTime(flags.at, '--at'),
  };
  const topic = flags.topic ?? topicName(DEFAULT_MEMBER_TOPICS.commands);
  const kafka = kafkaFor(config, 'loyalty-cli-fraud');
  const serde = serdeFor(config);
  const value = await serde.encode(topic, COMMAND_RECORD, command);
  const producer = producerFor(kafka);
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ key: memberId, value }] });
  } catch (err) {
    throw asKafkaError(err);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  if (flags.json) printJson({ topic, command });
  else process.stdout.write(`RELEASE ${command.commandId} sent for member ${memberId}, order ${orderId}; the member processor moves the held points to available\n`);
}

interface ListFlags extends ConnectionFlags {
  member?: string;
  rule?: string;
  from?: string;
  to?: string;
  limit: string;
  topic?: string;
  json?: boolean;
}

async function list(flags: ListFlags): Promise<void> {
  if (flags.rule !== undefined && !RULES.includes(flags.rule)) {
    throw new CliError(`--rule ${JSON.stringify(flags.rule)} is not a rule: use one of ${RULES.join(', ')}`, EXIT.USAGE);
  }
  const from: Position = flags.from === undefined ? { kind: 'earliest' } : { kind: 'time', time: parseTime(flags.from, '--from') };
  const to: Position = flags.to === undefined ? { kind: 'latest' } : { kind: 'time', time: parseTime(flags.to, '--to') };
  const limit = parseCount(flags.limit, '--limit', 1);
  const topic = flags.topic ?? topicName(DEFAULT_MEMBER_TOPICS.signals);
  const config = securedConfig(flags);
  const kafka = kafkaFor(config, 'loyalty-cli-fraud');
  const serde = serdeFor(config);
  const ranges = await withAdmin(kafka, (admin) => resolveWindow(admin, { topic, from, to }));
  const found: FraudSignal[] = [];
  await readRanges(kafka, topic, ranges, async (record) => {
    if (record.value === null) return true;
    const signal = (await serde.decode<FraudSignal>(record.value)).value;
    const inTime = (from.kind !== 'time' || signal.occurredAt >= from.time) && (to.kind !== 'time' || signal.occurredAt < to.time);
    if (inTime && (flags.member === undefined || signal.memberId === flags.member) && (flags.rule === undefined || signal.rule === flags.rule)) {
      found.push(signal);
    }
    return found.length < limit;
  });
  found.sort((a, b) => a.occurredAt - b.occurredAt || (a.signalId < b.signalId ? -1 : 1));
  if (flags.json) {
    printJson(found);
    return;
  }
  for (const s of found) {
    process.stdout.write(`${new Date(s.occurredAt).toISOString()}  ${s.rule.padEnd(20)} ${s.action.padEnd(6)} ${String(s.score).padStart(3)}  member ${s.memberId ?? '(guest)'}  order ${s.orderId ?? '-'}  ${s.details}\n`);
  }
  process.stdout.write(`${found.length} signal(s)${found.length === limit ? ` (stopped at --limit ${limit})` : ''}\n`);
}

export function register(program: Command): void {
  const fraud = program.command('fraud').description('fraud signals and held points');
  withConnectionOptions(
    fraud.command('release <memberId> <orderId>')
      .description('release the held points of an order: sends a RELEASE command the member processor applies (points go to available)')
      .requiredOption('--reason <text>', 'why the hold is cleared (kept on the command for audit)')
      .option('--by <who>', 'operator name (default $USER)')
      .option('--at <time>', 'issuedAt, the RELEASE entry time (RFC 3339 or epoch millis; default now)')
      .option('--no-check', 'skip checking in the member state that the points are held')
      .option('--topic <name>', 'commands topic (default loyalty.commands.v1, prefixed by LOYALTY_TOPIC_PREFIX)')
      .option('--orders-topic <name>', 'orders topic, to find the member task for the check')
      .option('--json', 'print the command sent as JSON'),
  ).action((memberId: string, orderId: string, flags: ReleaseFlags) => release(memberId, orderId, flags));
  withConnectionOptions(
    fraud.command('list')
      .description('read fraud signals from fraud.signals.v1, oldest first')
      .option('--member <id>', 'only this member')
      .option('--rule <rule>', `only this rule (${RULES.join(', ')})`)
      .option('--from <time>', 'signals with occurredAt ≥ this (RFC 3339 or epoch millis)')
      .option('--to <time>', 'signals with occurredAt < this')
      .option('--limit <n>', 'stop after this many signals', '1000')
      .option('--topic <name>', 'signals topic (default fraud.signals.v1, prefixed by LOYALTY_TOPIC_PREFIX)')
      .option('--json', 'print the signals as JSON'),
  ).action((flags: ListFlags) => list(flags));
}
