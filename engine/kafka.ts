// The one place kafkajs is loaded from: every value import of kafkajs goes through this module
// (type imports may name 'kafkajs' directly; eslint enforces it). Before kafkajs loads, its
// aborted-transaction filter is replaced by ours (engine/aborted-filter.ts): kafkajs's Batch takes
// the filter from Node's module cache when it is first required, so the entry is put there first.
import { checkFilterInstalled } from './kafkajs-filter-install.ts';
import kafkajs from 'kafkajs';

checkFilterInstalled();

// kafkajs is CommonJS; Node's named-export detection misses some of its exports (ConfigResourceTypes).
export const { AssignerProtocol, ConfigResourceTypes, Kafka, logLevel, Partitioners } = kafkajs;
export type Kafka = import('kafkajs').Kafka;
