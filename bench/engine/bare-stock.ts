// The baseline of bench/engine/run.ts in a process of its own, on stock kafkajs 2.2.4: the engine's
// process replaces modules of kafkajs (engine/kafkajs-install.ts), and a Node process holds one
// copy of kafkajs, so "a bare kafkajs loop" runs here.
//   node --import tsx bench/engine/bare-stock.ts <brokers> <registry-url> <input> <output> <group-id>
// Prints "ready" once the loop runs; stops on SIGTERM.

// Stock kafkajs on purpose: this process must not load engine/kafka.ts.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import kafkajs from 'kafkajs';
import { Serde } from '../../avro/serde.ts';
import { startBareLoop } from './bare.ts';

const [brokers, registryUrl, input, output, groupId] = process.argv.slice(2);
if (brokers === undefined || registryUrl === undefined || input === undefined || output === undefined || groupId === undefined) {
  process.stderr.write('usage: bare-stock.ts <brokers> <registry-url> <input> <output> <group-id>\n');
  process.exit(2);
}
const kafka = new kafkajs.Kafka({ clientId: 'bench-bare-stock', brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING });
const stop = await startBareLoop(kafka, new Serde(registryUrl), input, output, groupId);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});
