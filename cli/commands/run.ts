// `loyalty run [processor…]`: runs stream processors on Kafka + Redis until SIGINT/SIGTERM,
// optionally hosting the ClickHouse sink and the dashboard in the same process (embedded chDB
// allows one owner per data folder, so the all-in-one process is the simple local setup).
import type { Command } from 'commander';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { clickhouseServerOptions, kafkaClientConfig, type SecuredConfig } from '../../engine/client-options.ts';
import { loadConfig, requireSchemaRegistryUrl } from '../../engine/config.ts';
import { startProcessor, type RunningProcessor } from '../../engine/runtime.ts';
import { loadSecuritySettings } from '../../engine/security.ts';
import { startDashboard, type Dashboard } from '../../dashboard/server.ts';
import { createProcessors, PROCESSOR_NAMES, type ProcessorName } from '../../processors/index.ts';
import { loadProgram } from '../../processors/program.ts';
import { startSinkService, type SinkService } from '../../sinks/clickhouse/service.ts';
import { TOPIC_PREFIX_ENV } from '../../topics/catalog.ts';
import { CliError, EXIT } from '../output.ts';

interface RunFlags {
  program?: string;
  topicPrefix?: string;
  httpPort: number;
  sink?: boolean;
  dashboard?: boolean;
  dashboardPort: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`a port must be 0-65535, got "${value}"`, EXIT.USAGE);
  return port;
}

function securedConfig(): SecuredConfig {
  const config = loadConfig();
  return { ...config, security: loadSecuritySettings(process.env, { redisUrl: config.redisUrl, clickhouseUrl: config.clickhouseUrl }) };
}

export interface RunningStack {
  processors: RunningProcessor[];
  sink: SinkService | null;
  dashboard: Dashboard | null;
  stop(): Promise<void>;
}

/** Starts the chosen processors (and sink and dashboard); used by `loyalty run` and the demo. */
export async function startRun(names: ProcessorName[], flags: RunFlags, log: (line: string) => void): Promise<RunningStack> {
  const config = securedConfig();
  const program = loadProgram(flags.program);
  const topicPrefix = flags.topicPrefix ?? process.env[TOPIC_PREFIX_ENV];
  const logger = pino({ name: 'loyalty' }, pino.destination(2));
  const registry = new Registry();
  const duplicates = new Counter({
    name: 'loyalty_duplicate_events_total',
    help: 'Input events dropped because their eventId (or commandId) was already applied, by topic',
    labelNames: ['topic'],
    registers: [registry],
  });
  const definitions = createProcessors({
    program,
    ...(topicPrefix ? { topicPrefix } : {}),
    onDuplicate: (_id, topic) => duplicates.inc({ topic }),
  });
  const processors: RunningProcessor[] = [];
  let sink: SinkService | null = null;
  let dashboard: Dashboard | null = null;
  const stop = async (): Promise<void> => {
    await dashboard?.close();
    for (const running of processors.reverse()) await running.stop();
    await sink?.stop();
  };
  try {
    for (const [index, name] of names.entries()) {
      const running = await startProcessor(definitions[name], {
        config, registry, logger,
        ...(index === 0 ? { httpPort: flags.httpPort, httpHost: config.httpHost } : {}),
      });
      processors.push(running);
      await running.ready;
      log(`processor ${name}: running (program ${program.programId} v${program.version})`);
    }
    if (flags.sink || flags.dashboard) {
      const registryAuth = config.security.schemaRegistry.auth;
      sink = await startSinkService({
        target: config.clickhouseUrl ? clickhouseServerOptions(config) : { chdbPath: config.chdbPath },
        kafka: kafkaClientConfig(config, `${config.appId}-sink-clickhouse`),
        registryUrl: requireSchemaRegistryUrl(config),
        ...(registryAuth ? { registryOptions: { auth: { username: registryAuth.username, password: registryAuth.password.reveal() } } } : {}),
        groupId: `${config.appId}-sink-clickhouse`,
        topicPrefix,
        home: config.home,
        host: config.httpHost,
        logger,
      });
      log(`sink clickhouse: running (${config.clickhouseUrl ?? config.chdbPath}), query endpoint ${sink.endpointUrl}`);
    }
    if (flags.dashboard && sink) {
      dashboard = await startDashboard({ db: sink.analytics, port: flags.dashboardPort, host: config.httpHost });
      log(`dashboard: ${dashboard.url}`);
    }
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  const metricsPort = processors[0]?.httpPort;
  if (metricsPort) log(`metrics and health: http://127.0.0.1:${metricsPort}/metrics  /healthz  /readyz`);
  return { processors, sink, dashboard, stop };
}

export function register(program: Command): void {
  program.command('run')
    .description(`run stream processors (${PROCESSOR_NAMES.join(', ')}; default: all) until Ctrl-C`)
    .argument('[processors...]', `which processors to run: ${PROCESSOR_NAMES.join(', ')}`)
    .option('--program <file>', 'program file (default: programs/default.json)')
    .option('--topic-prefix <prefix>', `prefix of every topic name (env ${TOPIC_PREFIX_ENV})`)
    .option('--http-port <port>', 'port of /metrics, /healthz and /readyz (0 = any free port)', parsePort, 9464)
    .option('--sink', 'also run the ClickHouse sink in this process')
    .option('--dashboard', 'also serve the campaign dashboard (implies --sink)')
    .option('--dashboard-port <port>', 'dashboard port', parsePort, 8787)
    .addHelpText('after', `
Each processor joins the consumer group <appId>-<processor>; run more instances to scale out
(partitions move between them). Records go through the effectively-once protocol of the engine:
kill -9 at any moment loses nothing and duplicates nothing for read_committed readers.

Examples:
  loyalty run                                  member and card-fraud processors
  loyalty run member --http-port 0
  loyalty run --dashboard                      processors + sink + dashboard in one process`)
    .action(async (requested: string[], flags: RunFlags) => {
      const unknown = requested.filter((name) => !(PROCESSOR_NAMES as readonly string[]).includes(name));
      if (unknown.length > 0) throw new CliError(`unknown processor ${unknown.join(', ')}; known: ${PROCESSOR_NAMES.join(', ')}`, EXIT.USAGE);
      const names = (requested.length > 0 ? requested : [...PROCESSOR_NAMES]) as ProcessorName[];
      const log = (line: string): void => { process.stdout.write(`${line}\n`); };
      const running = await startRun(names, flags, log);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log('stopping…');
      await running.stop();
    });
}
