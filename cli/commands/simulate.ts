// `loyalty simulate`: realistic quick-service traffic from the seeded model in cli/simulate/,
// produced to Kafka at a controlled rate (Avro through the registry, key per RULES.md 1) or written
// as plain-JSON lines to a file. The same seed and start give the same events, byte for byte;
// --rate only paces the sending. Event time lives in occurredAt; the Kafka record timestamp is the
// send time, because a broker's time-based retention deletes records stamped months in the past.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import type { Message, Producer } from 'kafkajs';
import type { OrderEvent } from '../../avro/records.ts';
import { asKafkaError, kafkaFor, partitionsOf, producerFor, securedConfig, serdeFor, topicArg, withAdmin, withConnectionOptions, type ConnectionFlags } from '../ops/connect.ts';
import { createPacer } from '../ops/pacer.ts';
import { parseCount, parseDuration, parseRate, parseTime } from '../ops/position.ts';
import { orderKey, simulateOrders, TRAFFIC } from '../simulate/generator.ts';
import { CliError, EXIT, printJson } from '../output.ts';
import { createProgress, type Progress } from '../progress.ts';

const ORDER_RECORD = 'loyalty.orders.OrderEvent';
/** A Monday: the default start keeps runs reproducible without --start. */
const DEFAULT_START = '2026-01-05T00:00:00Z';

interface SimulateFlags extends ConnectionFlags {
  members: string;
  rate: string;
  duration?: string;
  orders?: string;
  seed: string;
  start: string;
  topic: string;
  out?: string;
  json?: boolean;
}

interface SimulateSummary {
  seed: string;
  members: number;
  target: string;
  events: number;
  completed: number;
  refunded: number;
  guests: number;
  firstEventAt: string | null;
  lastEventAt: string | null;
}

export function register(program: Command): void {
  const command = program
    .command('simulate')
    .description('generate realistic, deterministic QSR order traffic into Kafka or a JSONL file')
    .option('--members <n>', 'loyalty members in the simulated chain', '1000')
    .option('--rate <r/s>', 'events per second sent to Kafka', '100/s')
    .option('--duration <d>', 'stop after this long at --rate (e.g. 60s, 10m): events = rate x duration')
    .option('--orders <n>', 'stop after this many events')
    .option('--seed <s>', 'seed of the traffic (any text or number)', '1')
    .option('--start <time>', 'event time of the first order (RFC 3339 or epoch millis)', DEFAULT_START)
    .option('--topic <topic>', 'topic to produce to', 'orders.v1')
    .option('--out <file.jsonl>', 'write plain-JSON lines to this file instead of Kafka (needs --orders or --duration)')
    .option('--json', 'print the summary as JSON');
  withConnectionOptions(command).addHelpText('after', `
The traffic: stores in six US time zones and London, breakfast/lunch/dinner peaks in store local
time, Zipf-skewed member visits, guests, employees, discounts, tax, delivery tips, redemptions,
partial and full refunds of earlier orders, and a small share of fraud patterns (shared card
rings, velocity bursts, catering-size orders, refund abuse). Event time starts at --start and
follows the simulated demand (~${TRAFFIC.visitsPerMemberPerDay} visits per member per day), whatever --rate is.

Examples:
  loyalty simulate --members 5000 --rate 200/s --duration 10m
  loyalty simulate --members 500 --orders 20000 --seed demo --out orders.jsonl
  loyalty simulate --members 100 --orders 1000 --start 2026-03-02T00:00:00Z --topic orders.v1 --json

Exit codes: 0 done, 1 failed, 2 bad flags or unknown topic, 3 Kafka or the schema registry unreachable.`)
    .action(async (flags: SimulateFlags) => {
      await simulate(flags);
    });
}

function limitOf(flags: SimulateFlags, rate: number): number | null {
  if (flags.orders !== undefined && flags.duration !== undefined) throw new CliError('give --orders or --duration, not both', EXIT.USAGE);
  if (flags.orders !== undefined) return parseCount(flags.orders, '--orders', 1);
  if (flags.duration !== undefined) return Math.max(1, Math.round((rate * parseDuration(flags.duration, '--duration')) / 1000));
  return null;
}

async function simulate(flags: SimulateFlags): Promise<void> {
  const members = parseCount(flags.members, '--members', 1);
  const rate = parseRate(flags.rate, '--rate');
  const start = parseTime(flags.start, '--start');
  const limit = limitOf(flags, rate);
  if (flags.out !== undefined && limit === null) throw new CliError('--out needs --orders or --duration: a file cannot grow forever', EXIT.USAGE);
  const summary: SimulateSummary = {
    seed: flags.seed, members, target: flags.out ?? topicArg(flags.topic, flags), events: 0, completed: 0, refunded: 0, guests: 0, firstEventAt: null, lastEventAt: null,
  };
  const events = simulateOrders({ seed: flags.seed, members, start });
  const progress = createProgress({ ...(limit === null ? {} : { total: limit }), label: 'events', json: flags.json === true });
  const count = (event: OrderEvent): void => {
    summary.events += 1;
    if (event.type === 'COMPLETED') summary.completed += 1;
    else summary.refunded += 1;
    if (event.memberId === null) summary.guests += 1;
    const at = new Date(event.occurredAt).toISOString();
    summary.firstEventAt ??= at;
    summary.lastEventAt = at;
  };
  if (flags.out !== undefined) await writeFile(flags.out, events, limit ?? 0, count, progress);
  else await produce(flags, events, limit, rate, count, progress);
  progress.done(`${summary.events} events (${summary.completed} completed, ${summary.refunded} refunds) to ${summary.target}, event time ${summary.firstEventAt} .. ${summary.lastEventAt}`);
  if (flags.json) printJson(summary);
}

async function writeFile(path: string, events: Iterator<OrderEvent>, limit: number, count: (e: OrderEvent) => void, progress: Progress): Promise<void> {
  let out: WriteStream;
  try {
    out = createWriteStream(path, { flags: 'w' });
    await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
  } catch (err) {
    throw new CliError(`--out ${path}: cannot write (${(err as Error).message})`, EXIT.USAGE);
  }
  for (let i = 0; i < limit; i++) {
    const event = events.next().value as OrderEvent;
    if (!out.write(`${JSON.stringify(event)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    count(event);
    progress.tick();
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function produce(flags: SimulateFlags, events: Iterator<OrderEvent>, limit: number | null, rate: number,
  count: (e: OrderEvent) => void, progress: Progress): Promise<void> {
  const config = securedConfig(flags);
  const kafka = kafkaFor(config, 'loyalty-cli-simulate');
  const serde = serdeFor(config);
  const topic = topicArg(flags.topic, flags);
  await withAdmin(kafka, (admin) => partitionsOf(admin, topic));
  await serde.prepare(topic, ORDER_RECORD);
  const producer: Producer = producerFor(kafka);
  const pacer = createPacer(rate);
  const batchSize = Math.max(1, Math.min(500, Math.floor(rate / 10)));
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await producer.connect();
    let sent = 0;
    while (!interrupted && (limit === null || sent < limit)) {
      const size = limit === null ? batchSize : Math.min(batchSize, limit - sent);
      const batch: OrderEvent[] = [];
      for (let i = 0; i < size; i++) batch.push(events.next().value as OrderEvent);
      const messages: Message[] = batch.map((event) => ({
        key: orderKey(event),
        value: serde.encodeSync(topic, event),
      }));
      await pacer.take(batch.length);
      await producer.send({ topic, messages });
      sent += batch.length;
      batch.forEach(count);
      progress.tick(batch.length);
    }
  } catch (err) {
    throw asKafkaError(err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await producer.disconnect().catch(() => undefined);
  }
}
