// The Kafka broker jars, fetched once with Maven (stack/kafka/pom.xml) into the repo's git-ignored
// cache. The fetch goes to a temporary folder that is renamed at the end, so an interrupted
// download never leaves a half-filled classpath that would be mistaken for a complete one.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../engine/config.ts';
import { ConfigError } from '../../engine/errors.ts';
import { requireProgram, runToCompletion } from '../process.ts';

/** Broker version; it must match `kafka.version` in stack/kafka/pom.xml. */
export const KAFKA_VERSION = '3.9.1';

/** Always the repository's own cache, whatever LOYALTY_HOME says: every stack home shares the jars. */
export function kafkaLibsDir(): string {
  return join(REPO_ROOT, '.loyalty', 'cache', `kafka-${KAFKA_VERSION}`, 'libs');
}

/** Returns the libs folder, fetching the jars with Maven first if they are not cached yet. */
export function ensureKafkaJars(log: (line: string) => void): string {
  const libs = kafkaLibsDir();
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) return libs;
  requireProgram('java', 'default-jdk-headless');
  requireProgram('mvn', 'maven');
  log(`fetching Kafka ${KAFKA_VERSION} jars with Maven (first start only)…`);
  const partial = `${libs}.partial`;
  rmSync(partial, { recursive: true, force: true });
  runToCompletion('mvn', [
    '-q', '-B', '-f', join(REPO_ROOT, 'stack', 'kafka', 'pom.xml'),
    'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`,
  ], REPO_ROOT, 'Maven fetch of the Kafka jars');
  if (!readdirSync(partial).some((f) => f.startsWith('kafka_2.13-'))) {
    throw new ConfigError(`Maven finished but ${partial} holds no kafka_2.13 jar; check stack/kafka/pom.xml`);
  }
  mkdirSync(dirname(libs), { recursive: true });
  renameSync(partial, libs);
  return libs;
}
