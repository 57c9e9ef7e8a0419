// Kafka SASL/SCRAM end to end on a real broker: a private KRaft broker (not the shared stack's,
// whose listeners other tests rely on) with a SASL_PLAINTEXT listener and SCRAM users created at
// format time (stack/kafka/sasl.ts). Clients are built only from configuration, the way the
// engine, sink and CLI build theirs: env (password from a *_FILE) → loadConfig → kafkaClientConfig.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from '../../../engine/kafka.ts';
import { Serde } from '../../../avro/serde.ts';
import { fromPlainJson } from '../../../avro/json.ts';
import type { LedgerEntry, OrderEvent } from '../../../avro/records.ts';
import { kafkaClientConfig, redact } from '../../../engine/client-options.ts';
import { loadConfig, REPO_ROOT, type LoyaltyConfig } from '../../../engine/config.ts';
import { kafkaPaths, startKafka, waitForKafka } from '../../../stack/kafka/broker.ts';
import { ensureKafkaJars } from '../../../stack/kafka/jars.ts';
import { changelogTopic } from '../../../engine/changelog.ts';
import { startProcessor } from '../../../engine/runtime.ts';
import { dlqTopic } from '../../../engine/types.ts';
import { createProcessors } from '../../../processors/index.ts';
import { loadProgram } from '../../../processors/program.ts';
import { prepareSaslKafka, type ScramUser } from '../../../stack/kafka/sasl.ts';
import { freePort, stopProcess } from '../../../stack/process.ts';
import { applyPlan, planCluster } from '../../../topics/apply.ts';
import { topicName } from '../../../topics/catalog.ts';
import { getStack, uniqueName } from '../harness.ts';
import { readTopic } from '../engine/io.ts';

const home = join(REPO_ROOT, '.loyalty', 'tmp', uniqueName('sasl'));
const users: ScramUser[] = [
  { name: 'loyalty-svc', password: randomBytes(12).toString('hex'), mechanism: 'SCRAM-SHA-256' },
  { name: 'loyalty-512', password: randomBytes(12).toString('hex'), mechanism: 'SCRAM-SHA-512' },
];
let brokerPid: number | undefined;
let saslBroker = '';

/** The configuration a deployment would have: SASL settings in env, the password in a file. */
function configFor(user: { name: string; password: string }, mechanism: string, endpoints: { redisUrl?: string; schemaRegistryUrl?: string; appId?: string } = {}): LoyaltyConfig {
  const passwordFile = join(home, `${user.name}-${randomBytes(3).toString('hex')}.password`);
  writeFileSync(passwordFile, `${user.password}\n`, { mode: 0o600 });
  return loadConfig({ kafkaBrokers: saslBroker, home, ...endpoints }, {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: user.name,
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
  });
}

function client(config: LoyaltyConfig): Kafka {
  // A short retry budget: authentication failures must surface in seconds, not after minutes.
  return new Kafka({ ...kafkaClientConfig(config, uniqueName('sasl-test')), logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 200 } });
}

before(async () => {
  mkdirSync(home, { recursive: true });
  const libs = ensureKafkaJars((line) => process.stderr.write(`[sasl] ${line}\n`));
  const paths = kafkaPaths(home);
  const ports = { port: await freePort(), controllerPort: await freePort(), saslPort: await freePort() };
  prepareSaslKafka(paths, libs, ports, users);
  brokerPid = startKafka(paths, libs);
  await waitForKafka(paths, brokerPid, ports.port, 120_000);
  saslBroker = `127.0.0.1:${ports.saslPort}`;
});

after(async () => {
  if (brokerPid !== undefined) await stopProcess(brokerPid, 10_000);
  rmSync(home, { recursive: true, force: true });
});

describe('Kafka SASL/SCRAM through configuration', { timeout: 240_000 }, () => {
  test('SCRAM-SHA-256 with the right password: create a topic, produce and consume', async () => {
    const kafka = client(configFor(users[0] as ScramUser, 'scram-sha-256'));
    const topic = uniqueName('sasl-topic');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'm-1', value: 'over SCRAM' }] });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: uniqueName('sasl-group') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no record consumed over SASL within 30 s')), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(`${message.key?.toString()}=${message.value?.toString()}`);
          },
        });
      });
      await consumer.disconnect();
      assert.equal(received, 'm-1=over SCRAM');
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  test('SCRAM-SHA-512 user connects with its mechanism', async () => {
    const admin = client(configFor(users[1] as ScramUser, 'scram-sha-512')).admin();
    await admin.connect();
    try {
      assert.ok((await admin.describeCluster()).brokers.length > 0);
    } finally {
      await admin.disconnect();
    }
  });

  test('a wrong password fails fast with a clear authentication error, not a hang', async () => {
    const config = configFor({ name: 'loyalty-svc', password: 'not-the-password' }, 'scram-sha-256');
    const producer = client(config).producer();
    const started = Date.now();
    await assert.rejects(producer.connect(), (err: Error) => {
      const text = `${err.name}: ${err.message}`;
      assert.match(text, /SASL|authentication/i, text);
      process.stderr.write(`[sasl] wrong password reported as: ${text}\n`);
      return true;
    });
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms to fail`);
    // The failure is reported, but the password never appears in what the config prints.
    assert.equal(JSON.stringify(redact(config)).includes('not-the-password'), false);
  });

  test('an unknown user fails the same way', async () => {
    const admin = client(configFor({ name: 'nobody', password: 'x' }, 'scram-sha-256')).admin();
    await assert.rejects(admin.connect(), /SASL|authentication/i);
  });

  test('a client without SASL is refused by the SASL listener', async () => {
    const config = loadConfig({ kafkaBrokers: saslBroker, home }, {});
    const kafka = new Kafka({ ...kafkaClientConfig(config, uniqueName('plain')), logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 1, initialRetryTime: 200 } });
    const admin = kafka.admin();
    const started = Date.now();
    // connect() only exchanges ApiVersions, which Kafka answers before authentication; the first
    // real request is where an unauthenticated client is cut off.
    await assert.rejects(admin.connect().then(() => admin.listTopics()));
    await admin.disconnect();
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms to fail`);
  });
});

/** Fresh topics answer metadata requests only once their partitions have leaders. */
async function waitForLeaders(admin: ReturnType<Kafka['admin']>, topics: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.every((t) => t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics without leaders after 30 s: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the member processor through the SASL listener', { timeout: 240_000 }, () => {
  test('an order produced over SCRAM comes out as a ledger entry committed over SCRAM', async () => {
    const stack = await getStack();
    if (stack.registryUrl === null) throw new Error('the stack has no schema registry; the member processor needs one for Avro');
    const appId = uniqueName('sasl-member');
    // A topic prefix keeps this run's registry subjects apart from every other test's.
    const prefix = appId;
    const config = configFor(users[0] as ScramUser, 'scram-sha-256', { redisUrl: stack.redisUrl, schemaRegistryUrl: stack.registryUrl, appId });
    const kafka = client(config);
    const definition = createProcessors({ program: loadProgram(), topicPrefix: prefix }).member;
    const admin = kafka.admin();
    await admin.connect();
    const plan = await planCluster(admin, { prefix, force: false });
    await applyPlan(admin, plan);
    // The engine's own topics too, created here first: on a fresh broker kafkajs's createTopics
    // with waitForLeaders can fail with UNKNOWN_TOPIC_OR_PARTITION before metadata propagates.
    const partitions = (await admin.fetchTopicMetadata({ topics: [topicName('orders.v1', prefix)] })).topics[0]?.partitions.length ?? 1;
    const engineTopics = [changelogTopic(appId, definition.name), ...definition.inputs.map((input) => dlqTopic(input.topic))];
    await admin.createTopics({ topics: engineTopics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
    await waitForLeaders(admin, [...plan.changes.map((change) => change.name), ...engineTopics]);
    await admin.disconnect();

    const serde = new Serde(stack.registryUrl);
    const orders = topicName('orders.v1', prefix);
    const ledger = topicName('loyalty.ledger.v1', prefix);
    const order = fromPlainJson<OrderEvent>('loyalty.orders.OrderEvent', {
      eventId: `evt-${appId}`, type: 'COMPLETED', orderId: `ord-${appId}`, memberId: 'm-sasl-1', storeId: 's-nyc-02',
      storeTimeZone: 'America/New_York', channel: 'KIOSK', occurredAt: 1736167404634, currency: 'USD',
      lines: [{ sku: 'COFFEE-M', category: 'COFFEE', quantity: 2, unitPriceCents: 250, lineTotalCents: 500 }],
      discountCents: 0, taxCents: 40, tipCents: 0, totalCents: 540, refundCents: 0, redemptions: [],
      payment: { method: 'CASH', cardFingerprint: null }, deviceId: 'kiosk-1', employee: false,
    });

    const redis = new Redis(stack.redisUrl);
    let running: Awaited<ReturnType<typeof startProcessor>> | undefined;
    try {
      running = await startProcessor(definition, { config, sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 });
      await running.ready;
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      await producer.send({ topic: orders, messages: [{ key: order.memberId ?? null, value: await serde.encode(orders, 'loyalty.orders.OrderEvent', order) }] });
      await producer.disconnect();

      const records = await readTopic(kafka, ledger, 1, 60_000);
      assert.ok(records.length >= 1, 'no ledger entry reached loyalty.ledger.v1 over SASL');
      const first = records[0]?.message;
      assert.equal(first?.key?.toString(), 'm-sasl-1');
      await serde.ensureSchema(first?.value?.readInt32BE(1) ?? -1);
      const entry = serde.decodeSync<LedgerEntry>(first?.value).value;
      assert.equal(entry.memberId, 'm-sasl-1');
      assert.equal(entry.orderId, `ord-${appId}`);
    } finally {
      await running?.stop();
      const keys = await redis.keys(`{${appId}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});
