// Replaces modules of kafkajs 2.2.4 in Node's module cache before kafkajs itself is loaded (see
// engine/kafka.ts): kafkajs requires them by path when it loads and keeps what the cache holds.
// - src/consumer/filterAbortedMessages.js: engine/aborted-filter.ts (read_committed correctness).
// - src/protocol/recordBatch/record/v0/index.js and src/producer/groupMessagesPerPartition.js:
//   engine/kafkajs-produce.ts (same bytes and grouping, without the per-record allocations and the
//   quadratic grouping).
import { createRequire, Module } from 'node:module';
import { filterAbortedRecords } from './aborted-filter.ts';
import { encodeRecord, groupMessagesPerPartition, type RecordInput } from './kafkajs-produce.ts';

const require = createRequire(import.meta.url);
const filterPath = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const groupPath = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');

function install(path: string, exports: unknown): void {
  const entry = new Module(path);
  entry.filename = path;
  entry.loaded = true;
  entry.exports = exports;
  require.cache[path] = entry;
}

if (require.cache[filterPath] === undefined) {
  install(filterPath, filterAbortedRecords);
  // kafkajs's own record encoder stays the fallback for inputs the fast one does not take.
  const kafkajsRecord = require(recordPath) as Parameters<typeof encodeRecord>[1];
  install(recordPath, (record: RecordInput) => encodeRecord(record, kafkajsRecord));
  install(groupPath, groupMessagesPerPartition);
}

// Producers here either set partitions themselves or use Kafka's default (murmur2) partitioner on
// purpose; kafkajs's notice about its v2 default partitioner is noise in every log.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/** Throws when kafkajs was loaded before the replacements could be installed (a value import of 'kafkajs' somewhere). */
export function checkKafkajsPatched(): void {
  if (require.cache[filterPath]?.exports !== filterAbortedRecords || require.cache[groupPath]?.exports !== groupMessagesPerPartition) {
    throw new Error('kafkajs was loaded before engine/kafka.ts installed its replacements: import kafkajs values from engine/kafka.ts');
  }
}
