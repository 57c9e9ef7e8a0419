// `loyalty registry serve`: the project's Confluent-compatible schema registry, state in Kafka.
import type { Command } from 'commander';
import { pino } from 'pino';
import { DEFAULT_SCHEMAS_TOPIC, startRegistry } from '../../stack/registry/server.ts';
import { kafkaSettings } from '../../topics/connection.ts';
import { CliError, EXIT } from '../output.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a TCP port (0-65535), got "${value}"`, EXIT.USAGE);
  return port;
}

export function register(program: Command): void {
  const registry = program.command('registry').description('schema registry (Confluent Schema Registry API, Avro) backed by a compacted Kafka topic');
  registry.command('serve')
    .description('serve the registry until stopped (SIGINT/SIGTERM); ids and versions survive restarts through the topic')
    .option('--port <port>', 'HTTP port (0 picks a free one)', parsePort, 8081)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--brokers <list>', 'Kafka brokers, comma separated (default: config / KAFKA_BROKERS / stack)')
    .option('--topic <name>', 'compacted topic holding the schemas', DEFAULT_SCHEMAS_TOPIC)
    .addHelpText('after', `
Examples:
  loyalty registry serve --port 8081 --brokers 127.0.0.1:9092
  curl -s localhost:8081/subjects`)
    .action(async (opts: { port: number; host: string; brokers?: string; topic: string }) => {
      const logger = pino({ name: 'schema-registry' });
      const log = (line: string): void => logger.info(line);
      const running = await startRegistry({
        port: opts.port,
        host: opts.host,
        topic: opts.topic,
        kafka: kafkaSettings(opts.brokers ? { brokers: opts.brokers } : {}, 'schema-registry'),
        log,
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log('stopping');
      await running.close();
    });
}
