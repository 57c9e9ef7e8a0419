// `loyalty consume <topic>`: decoded records as JSON lines, between two times or offsets.
import type { Command } from 'commander';
import { toPlainJson } from '../../avro/json.ts';
import { isRecordName } from '../../avro/schemas.ts';
import { Serde } from '../../avro/serde.ts';
import { DecodeError } from '../../engine/errors.ts';
import { TOPIC_PREFIX_ENV, resolveTopic } from '../../topics/catalog.ts';
import { kafkaSettings, registrySettings } from '../../topics/connection.ts';
import { parsePosition, readTopic, type ReadRecord } from '../../topics/read-topic.ts';
import { CliError, EXIT } from '../output.ts';

interface Flags { from: string; to: string; max?: string; follow?: boolean; json?: boolean; prefix?: string; brokers?: string; registry?: string }

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  value: unknown;
  /** Set when the value is not Avro of a known schema (e.g. a DLQ record): why, and the bytes in base64. */
  undecodable?: { error: string; base64: string };
}

async function toOutput(serde: Serde, topic: string, { partition, message }: ReadRecord): Promise<ConsumedRecord> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  const record: ConsumedRecord = {
    topic, partition, offset: Number(message.offset), timestamp: Number(message.timestamp),
    key: message.key ? message.key.toString() : null, headers, value: null,
  };
  if (message.value === null) return record;
  try {
    const decoded = await serde.decode(message.value);
    record.value = isRecordName(decoded.fullName) ? toPlainJson(decoded.fullName, decoded.value) : decoded.value;
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    record.undecodable = { error: err.message, base64: message.value.toString('base64') };
  }
  return record;
}

function human(record: ConsumedRecord): string {
  const time = new Date(record.timestamp).toISOString();
  const headers = Object.keys(record.headers).length > 0 ? ` headers=${JSON.stringify(record.headers)}` : '';
  const value = record.undecodable ? `<undecodable: ${record.undecodable.error}>` : JSON.stringify(record.value);
  return `p${record.partition}@${record.offset} ${time} key=${record.key ?? '-'}${headers} ${value}`;
}

export function register(program: Command): void {
  program.command('consume')
    .description('print the records of a topic, Avro values decoded to plain JSON (read_committed, commits nothing)')
    .argument('<topic>', 'catalog topic (prefix applies) or any topic name')
    .option('--from <position>', 'start (inclusive): RFC 3339 time, epoch millis, offset:N or beginning', 'beginning')
    .option('--to <position>', 'end (exclusive): RFC 3339 time, epoch millis, offset:N or end (the end when the command starts)', 'end')
    .option('--max <n>', 'stop after n records')
    .option('--follow', 'keep reading new records until interrupted (ignores --to)')
    .option('--json', 'one JSON object per line: topic, partition, offset, timestamp, key, headers, value')
    .option('--prefix <prefix>', `topic name prefix (default: env ${TOPIC_PREFIX_ENV})`)
    .option('--brokers <list>', 'Kafka brokers, comma separated (default: config / KAFKA_BROKERS / stack)')
    .option('--registry <url>', 'schema registry URL (default: config / SCHEMA_REGISTRY_URL / stack)')
    .addHelpText('after', `
Times select records by their Kafka timestamp, found per partition with the broker's offset-for-timestamp lookup.
Examples:
  loyalty consume loyalty.ledger.v1 --json --max 10
  loyalty consume orders.v1 --from 2026-01-31T00:00:00Z --to 2026-02-01T00:00:00Z --json
  loyalty consume orders.v1.dlq --from offset:100 --follow`)
    .action(async (topicArg: string, flags: Flags) => {
      const max = flags.max === undefined ? undefined : Number(flags.max);
      if (max !== undefined && (!Number.isSafeInteger(max) || max < 0)) throw new CliError(`--max must be a whole number >= 0, got "${flags.max}"`, EXIT.USAGE);
      const from = parsePosition(flags.from, '--from');
      const to = parsePosition(flags.to, '--to');
      const { name } = resolveTopic(topicArg, flags.prefix);
      const registry = registrySettings(flags.registry ? { registry: flags.registry } : {});
      const serde = new Serde(registry.url, registry.auth ? { auth: registry.auth } : {});
      const stopSignal = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        // `loyalty consume … | head` closes the pipe early: stop reading quietly instead of crashing on EPIPE.
        process.stdout.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EPIPE') throw err;
          resolve();
        });
      });
      const count = await readTopic({
        kafka: kafkaSettings(flags.brokers ? { brokers: flags.brokers } : {}, 'loyalty-consume'),
        topic: name, from, to, follow: flags.follow === true, stopSignal,
        ...(max === undefined ? {} : { max }),
        onRecord: async (read) => {
          const record = await toOutput(serde, name, read);
          if (process.stdout.writable) process.stdout.write(`${flags.json ? JSON.stringify(record) : human(record)}\n`);
        },
      });
      if (!flags.json) process.stderr.write(`${count} record(s) from ${name}\n`);
    });
}
