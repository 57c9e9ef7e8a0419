// Connection settings for the contract commands (topics, schemas, produce, consume, registry):
// the one configuration module (flags > env > .loyalty/stack.json, security included) turned into
// kafkajs options and a schema registry URL with its credentials.
import type { KafkaConfig } from 'kafkajs';
import { kafkaClientConfig } from '../engine/client-options.ts';
import { loadConfig, requireSchemaRegistryUrl, type LoyaltyConfig } from '../engine/config.ts';
import type { RegistryAuth } from '../avro/registry-client.ts';

export interface ConnectionFlags { brokers?: string; registry?: string }

function configFor(flags: ConnectionFlags): LoyaltyConfig {
  return loadConfig({
    ...(flags.brokers ? { kafkaBrokers: flags.brokers } : {}),
    ...(flags.registry ? { schemaRegistryUrl: flags.registry } : {}),
  });
}

export function kafkaSettings(flags: ConnectionFlags, clientId: string): KafkaConfig {
  return kafkaClientConfig(configFor(flags), clientId);
}

export function registrySettings(flags: ConnectionFlags): { url: string; auth?: RegistryAuth } {
  const config = configFor(flags);
  const url = requireSchemaRegistryUrl(config);
  const auth = config.security.schemaRegistry.auth;
  return auth ? { url, auth: { username: auth.username, password: auth.password.reveal() } } : { url };
}
