// `loyalty sink clickhouse`: the ClickHouse sink (sinks/clickhouse/) until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { pino } from 'pino';
import { clickhouseServerOptions, kafkaClientConfig, type SecuredConfig } from '../../engine/client-options.ts';
import { loadConfig, requireSchemaRegistryUrl } from '../../engine/config.ts';
import { loadSecuritySettings } from '../../engine/security.ts';
import { MAX_BATCH_RECORDS } from '../../sinks/clickhouse/batches.ts';
import { startSinkService } from '../../sinks/clickhouse/service.ts';
import { TOPIC_PREFIX_ENV } from '../../topics/catalog.ts';
import { CliError, EXIT, printJson } from '../output.ts';

interface SinkFlags {
  clickhouseUrl?: string;
  chdbPath?: string;
  group: string;
  topicPrefix?: string;
  brokers?: string;
  registry?: string;
  port: number;
  maxBatchRecords: number;
  json?: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a TCP port (0-65535), got "${value}"`, EXIT.USAGE);
  return port;
}

function parseBatchRecords(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH_RECORDS) {
    throw new CliError(`--max-batch-records must be an integer from 1 to ${MAX_BATCH_RECORDS}, got "${value}"`, EXIT.USAGE);
  }
  return n;
}

function securedConfig(flags: SinkFlags): SecuredConfig {
  const config = loadConfig({
    ...(flags.brokers ? { kafkaBrokers: flags.brokers } : {}),
    ...(flags.registry ? { schemaRegistryUrl: flags.registry } : {}),
    ...(flags.clickhouseUrl ? { clickhouseUrl: flags.clickhouseUrl } : {}),
    ...(flags.chdbPath ? { chdbPath: flags.chdbPath } : {}),
  });
  return { ...config, security: loadSecuritySettings(process.env, { redisUrl: config.redisUrl, clickhouseUrl: config.clickhouseUrl }) };
}

export function register(program: Command): void {
  const sink = program.command('sink').description('sinks from Kafka into analytics stores');
  sink.command('clickhouse')
    .description('store ledger, members, decisions, fraud signals, orders and dead letters in ClickHouse (embedded chDB by default) until stopped')
    .option('--clickhouse-url <url>', 'a ClickHouse server over HTTP(S) instead of embedded chDB (env CLICKHOUSE_URL)')
    .option('--chdb-path <folder>', 'chDB data folder (env LOYALTY_CHDB_PATH; default: the stack\'s)')
    .option('--group <id>', 'Kafka consumer group', 'loyalty-sink-clickhouse')
    .option('--topic-prefix <prefix>', `prefix of the topic names (env ${TOPIC_PREFIX_ENV})`)
    .option('--brokers <list>', 'Kafka brokers, comma separated (default: config / KAFKA_BROKERS / stack)')
    .option('--registry <url>', 'schema registry URL (default: config / SCHEMA_REGISTRY_URL / stack)')
    .option('--port <port>', 'port of the metrics and read-only query endpoint on 127.0.0.1 (0 picks a free one)', parsePort, 0)
    .option('--max-batch-records <n>', 'records per batch (smaller batches commit more often)', parseBatchRecords, MAX_BATCH_RECORDS)
    .option('--json', 'print the started service as JSON on stdout')
    .addHelpText('after', `
Batches are the records of one partition fetch (at most 50k, or what arrived within 1 s), one insert
per table with insert_deduplication_token = <topic>-<partition>-<first>-<last>; offsets are committed
after the inserts. Logs are JSON lines on stderr.

Examples:
  loyalty sink clickhouse
  loyalty sink clickhouse --topic-prefix demo --group demo-sink
  loyalty sink clickhouse --clickhouse-url http://127.0.0.1:8123`)
    .action(async (flags: SinkFlags) => {
      const config = securedConfig(flags);
      const logger = pino({ name: 'sink-clickhouse' }, pino.destination(2));
      const registryUrl = requireSchemaRegistryUrl(config);
      const registryAuth = config.security.schemaRegistry.auth;
      const topicPrefix = flags.topicPrefix ?? process.env[TOPIC_PREFIX_ENV];
      const service = await startSinkService({
        target: config.clickhouseUrl ? clickhouseServerOptions(config) : { chdbPath: config.chdbPath },
        kafka: kafkaClientConfig(config, flags.group),
        registryUrl,
        ...(registryAuth ? { registryOptions: { auth: { username: registryAuth.username, password: registryAuth.password.reveal() } } } : {}),
        groupId: flags.group,
        topicPrefix,
        home: config.home,
        port: flags.port,
        host: config.httpHost,
        maxBatchRecords: flags.maxBatchRecords,
        logger,
      });
      if (flags.json) printJson({ endpoint: service.endpointUrl, group: flags.group, topicPrefix: topicPrefix ?? null, appliedMigrations: service.appliedMigrations });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      logger.info('sink: stopping');
      await service.stop();
    });
}
