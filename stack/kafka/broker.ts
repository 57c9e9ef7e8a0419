// One local Kafka node in KRaft mode (broker + controller), run from the Maven jars.
// Settings follow single-node needs: replication factor 1 for the internal topics (otherwise groups
// and transactions never come up), short group session minimum for the chaos tests, no topic
// auto-creation (topics are code, see topics/), everything bound and advertised on 127.0.0.1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from '../../engine/kafka.ts';
import { REPO_ROOT } from '../../engine/config.ts';
import { canConnect, isOurProcess, runToCompletion, spawnDetached, waitUntil } from '../process.ts';

export interface KafkaPaths {
  dir: string;
  dataDir: string;
  serverProperties: string;
  log4jProperties: string;
  logFile: string;
  clusterIdFile: string;
}

export function kafkaPaths(home: string): KafkaPaths {
  const dir = join(home, 'kafka');
  return {
    dir,
    dataDir: join(dir, 'data'),
    serverProperties: join(dir, 'server.properties'),
    log4jProperties: join(dir, 'log4j.properties'),
    logFile: join(dir, 'kafka.out'),
    clusterIdFile: join(dir, 'cluster.id'),
  };
}

/** The strings that identify our broker in /proc/<pid>/cmdline. */
export function kafkaMarkers(paths: KafkaPaths): string[] {
  return ['kafka.Kafka', paths.serverProperties];
}

export function serverProperties(port: number, controllerPort: number, dataDir: string): string {
  return `# Written by \`loyalty stack up\`; regenerated on each start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
num.network.threads=2
num.io.threads=4
num.partitions=1
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
transaction.max.timeout.ms=300000
transaction.abort.timed.out.transaction.cleanup.interval.ms=5000
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
`;
}

export function log4jProperties(logDir: string): string {
  return `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${join(logDir, 'server.log')}
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
`;
}

/** Writes the configuration and formats the storage once (the cluster id is kept in a file). */
export function prepareKafka(paths: KafkaPaths, libs: string, port: number, controllerPort: number): void {
  mkdirSync(paths.dataDir, { recursive: true });
  writeFileSync(paths.serverProperties, serverProperties(port, controllerPort, paths.dataDir));
  writeFileSync(paths.log4jProperties, log4jProperties(paths.dir));
  if (existsSync(join(paths.dataDir, 'meta.properties'))) return;
  const classpath = join(libs, '*');
  if (!existsSync(paths.clusterIdFile)) {
    const id = runToCompletion('java', ['-Xmx256m', '-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'], REPO_ROOT, 'Kafka StorageTool random-uuid').trim();
    writeFileSync(paths.clusterIdFile, `${id}\n`);
  }
  const clusterId = readFileSync(paths.clusterIdFile, 'utf8').trim();
  runToCompletion('java', [
    '-Xmx256m', `-Dlog4j.configuration=file:${paths.log4jProperties}`, '-cp', classpath, 'kafka.tools.StorageTool',
    'format', '-t', clusterId, '-c', paths.serverProperties, '--ignore-formatted',
  ], REPO_ROOT, 'Kafka StorageTool format');
}

/** Starts the broker detached; returns its pid. */
export function startKafka(paths: KafkaPaths, libs: string): number {
  return spawnDetached('java', [
    '-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${paths.log4jProperties}`, `-Dkafka.logs.dir=${paths.dir}`,
    '-cp', join(libs, '*'), 'kafka.Kafka', paths.serverProperties,
  ], paths.logFile, REPO_ROOT);
}

/**
 * Healthy = the broker port accepts TCP (it opens only once the node is unfenced) and a metadata
 * request through kafkajs answers with at least one broker.
 */
export async function kafkaHealthy(port: number): Promise<boolean> {
  if (!(await canConnect('127.0.0.1', port))) return false;
  const admin = new Kafka({
    clientId: 'loyalty-stack-health',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function waitForKafka(paths: KafkaPaths, pid: number, port: number, timeoutMs = 90_000): Promise<void> {
  await waitUntil('Kafka', timeoutMs, () => kafkaHealthy(port), () => isOurProcess(pid, kafkaMarkers(paths)),
    `see ${paths.logFile} and ${join(paths.dir, 'server.log')}`);
}
