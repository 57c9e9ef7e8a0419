// A SASL_PLAINTEXT listener with SCRAM for the local KRaft broker, to exercise the same SASL
// configuration production uses (engine/security.ts) against a real broker. It extends the
// stack's own server.properties (stack/kafka/broker.ts) rather than keeping a second copy of
// them, and creates the SCRAM users at format time with `StorageTool format --add-scram`: in KRaft
// the credentials are metadata records, so they exist before the broker first opens its ports.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../engine/config.ts';
import { ConfigError } from '../../engine/errors.ts';
import { runToCompletion } from '../process.ts';
import { log4jProperties, serverProperties, type KafkaPaths } from './broker.ts';

export const SASL_LISTENER = 'SASL_PLAINTEXT';
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramUser {
  name: string;
  password: string;
  mechanism: ScramMechanism;
}

export interface SaslBrokerPorts {
  port: number;
  controllerPort: number;
  saslPort: number;
}

function appendToProperty(properties: string, key: string, addition: string): string {
  const pattern = new RegExp(`^${key.replace(/\./g, '\\.')}=(.*)$`, 'm');
  if (!pattern.test(properties)) throw new ConfigError(`server.properties has no ${key} line to add the SASL listener to`);
  return properties.replace(pattern, (_line, current: string) => `${key}=${current},${addition}`);
}

/** The broker's properties plus a SCRAM SASL_PLAINTEXT listener on 127.0.0.1:<saslPort>. */
export function withSaslListener(properties: string, saslPort: number): string {
  let result = appendToProperty(properties, 'listeners', `${SASL_LISTENER}://127.0.0.1:${saslPort}`);
  result = appendToProperty(result, 'advertised.listeners', `${SASL_LISTENER}://127.0.0.1:${saslPort}`);
  result = appendToProperty(result, 'listener.security.protocol.map', `${SASL_LISTENER}:${SASL_LISTENER}`);
  const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return `${result}sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${jaas}
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas}
`;
}

/** `--add-scram` arguments of StorageTool format. Names and passwords may not hold `,` `]` or `"`. */
export function addScramArgs(users: readonly ScramUser[]): string[] {
  return users.flatMap((user) => {
    for (const [what, value] of [['name', user.name], ['password', user.password]] as const) {
      if (value === '' || /[,\]"=]/.test(value)) throw new ConfigError(`SCRAM user ${what} "${what === 'name' ? value : '***'}" must be non-empty without , ] " or =`);
    }
    return ['--add-scram', `${user.mechanism}=[name=${user.name},password=${user.password}]`];
  });
}

/**
 * Writes server.properties with the SASL listener and formats fresh storage with the SCRAM users.
 * For a new broker home only (a test's private broker): formatting adds users only once.
 */
export function prepareSaslKafka(paths: KafkaPaths, libs: string, ports: SaslBrokerPorts, users: readonly ScramUser[]): void {
  mkdirSync(paths.dataDir, { recursive: true });
  writeFileSync(paths.serverProperties, withSaslListener(serverProperties(ports.port, ports.controllerPort, paths.dataDir), ports.saslPort));
  writeFileSync(paths.log4jProperties, log4jProperties(paths.dir));
  const classpath = join(libs, '*');
  const clusterId = runToCompletion('java', ['-Xmx256m', '-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'], REPO_ROOT, 'Kafka StorageTool random-uuid').trim();
  writeFileSync(paths.clusterIdFile, `${clusterId}\n`);
  runToCompletion('java', [
    '-Xmx256m', `-Dlog4j.configuration=file:${paths.log4jProperties}`, '-cp', classpath, 'kafka.tools.StorageTool',
    'format', '-t', clusterId, '-c', paths.serverProperties, ...addScramArgs(users),
  ], REPO_ROOT, 'Kafka StorageTool format --add-scram');
}
