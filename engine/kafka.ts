// The one place kafkajs is loaded from: every value import of kafkajs goes through this module
// (type imports may name 'kafkajs' directly; eslint enforces it). Before kafkajs loads, its
// aborted-transaction filter and two modules of its produce path are replaced by ours
// (engine/kafkajs-install.ts): kafkajs takes them from Node's module cache when it first requires
// them, so the entries are put there first.
import { checkKafkajsPatched } from './kafkajs-install.ts';
import kafkajs from 'kafkajs';

checkKafkajsPatched();

// kafkajs is CommonJS; Node's named-export detection misses some of its exports (ConfigResourceTypes).
export const { AssignerProtocol, ConfigResourceTypes, Kafka, logLevel, Partitioners } = kafkajs;
export type Kafka = import('kafkajs').Kafka;
