// Puts engine/aborted-filter.ts into Node's module cache in place of kafkajs's own
// src/consumer/filterAbortedMessages.js, before kafkajs is loaded (see engine/kafka.ts).
import { createRequire, Module } from 'node:module';
import { filterAbortedRecords } from './aborted-filter.ts';

const require = createRequire(import.meta.url);
const filterPath = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');

if (require.cache[filterPath] === undefined) {
  const entry = new Module(filterPath);
  entry.filename = filterPath;
  entry.loaded = true;
  entry.exports = filterAbortedRecords;
  require.cache[filterPath] = entry;
}

// Producers here either set partitions themselves or use Kafka's default (murmur2) partitioner on
// purpose; kafkajs's notice about its v2 default partitioner is noise in every log.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/** Throws when kafkajs was loaded before the fix could be installed (a value import of 'kafkajs' somewhere). */
export function checkFilterInstalled(): void {
  if (require.cache[filterPath]?.exports !== filterAbortedRecords) {
    throw new Error('kafkajs was loaded before engine/kafka.ts installed its aborted-transaction filter: import kafkajs values from engine/kafka.ts');
  }
}
