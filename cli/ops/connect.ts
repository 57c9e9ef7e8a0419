// Connections for the operator commands (replay, dlq, lag, reprocess, clock, simulate): the
// resolved configuration with its security settings, a Kafka client that fails fast when the
// broker is down (an operator wants one clear sentence, not a minute of retries), the serde,
// and the mapping of client errors to the project's typed errors.
import type { Command } from 'commander';
import type { Admin, Producer, RetryOptions } from 'kafkajs';
import { Kafka, Partitioners } from '../../engine/kafka.ts';
import { Serde } from '../../avro/serde.ts';
import { kafkaClientConfig, schemaRegistryOptions, type SecuredConfig } from '../../engine/client-options.ts';
import { loadConfig, requireSchemaRegistryUrl } from '../../engine/config.ts';
import { LoyaltyError, UnreachableError } from '../../engine/errors.ts';
import { loadSecuritySettings } from '../../engine/security.ts';
import { resolveTopic, TOPIC_PREFIX_ENV } from '../../topics/catalog.ts';
import { CliError, EXIT } from '../output.ts';

export interface ConnectionFlags {
  brokers?: string;
  registry?: string;
  prefix?: string;
}

/** Adds --brokers, --registry and --prefix to a command (defaults: env, then `.loyalty/stack.json`). */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--brokers <list>', 'Kafka brokers, host:port[,host:port] (default: KAFKA_BROKERS or the local stack)')
    .option('--registry <url>', 'schema registry URL (default: SCHEMA_REGISTRY_URL or the local stack)')
    .option('--prefix <prefix>', `topic name prefix of an isolated topic set (default: env ${TOPIC_PREFIX_ENV})`);
}

/** The topic prefix in force: --prefix, else the environment. */
export function topicPrefix(flags: ConnectionFlags): string | undefined {
  return flags.prefix ?? process.env[TOPIC_PREFIX_ENV];
}

/** A topic given on the command line: a catalog base name gets the prefix, any other name is kept. */
export function topicArg(name: string, flags: ConnectionFlags): string {
  return resolveTopic(name, topicPrefix(flags)).name;
}

export function securedConfig(flags: ConnectionFlags): SecuredConfig {
  const config = loadConfig({
    ...(flags.brokers === undefined ? {} : { kafkaBrokers: flags.brokers }),
    ...(flags.registry === undefined ? {} : { schemaRegistryUrl: flags.registry }),
  });
  return { ...config, security: loadSecuritySettings(process.env, config) };
}

const FAST_RETRY: RetryOptions = { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 };

export function kafkaFor(config: SecuredConfig, clientId: string): Kafka {
  return new Kafka({ ...kafkaClientConfig(config, clientId), retry: FAST_RETRY });
}

/**
 * A producer for operator writes. Keyed records land where Kafka's default (murmur2) partitioner
 * puts them, as the engine's outputs do, so replayed and simulated records stay co-partitioned.
 */
export function producerFor(kafka: Kafka): Producer {
  return kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}

export function serdeFor(config: SecuredConfig): Serde {
  const registry = schemaRegistryOptions(config, requireSchemaRegistryUrl(config));
  return new Serde(registry.host, registry.auth ? { auth: registry.auth } : {});
}

const UNREACHABLE_ERRORS = new Set([
  'KafkaJSConnectionError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSBrokerNotFound',
  'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSLockTimeout',
]);

/** A client error as a typed error: our own pass through, connection failures are UNREACHABLE. */
export function asKafkaError(err: unknown): Error {
  if (err instanceof LoyaltyError || err instanceof CliError) return err;
  const error = err instanceof Error ? err : new Error(String(err));
  let cause: unknown = error;
  while (cause instanceof Error) {
    if (UNREACHABLE_ERRORS.has(cause.name)) return new UnreachableError('Kafka', error.message, error);
    cause = (cause as Error & { cause?: unknown }).cause;
  }
  return new LoyaltyError('KAFKA_ERROR', `Kafka refused the request: ${error.message}`, { cause: error });
}

/** Runs `work` with a connected admin client, always disconnecting, mapping client errors. */
export async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await work(admin);
  } catch (err) {
    throw asKafkaError(err);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The partition count of a topic, or a usage error naming the unknown topic. */
export async function partitionsOf(admin: Admin, topic: string): Promise<number[]> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) throw new CliError(`topic ${topic} does not exist (see \`loyalty topics list\`)`, EXIT.USAGE);
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = metadata.topics[0]?.partitions.map((p) => p.partitionId) ?? [];
  return partitions.sort((a, b) => a - b);
}
