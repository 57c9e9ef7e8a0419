// Loads the .avsc contracts of this folder into avsc types. Named types resolve across files
// (Campaign uses loyalty.orders.Channel), so files are parsed in dependency order into one registry.
// Times stay plain numbers: no Date logical type is registered for decoding.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { ConfigError } from '../engine/errors.ts';

const AVRO_DIR = dirname(fileURLToPath(import.meta.url));

/** Every record of the contracts, in parse order (a file only uses names of files before it). */
export const RECORD_FILES = {
  'loyalty.orders.OrderEvent': 'OrderEvent.avsc',
  'loyalty.ledger.LedgerEntry': 'LedgerEntry.avsc',
  'loyalty.members.MemberSnapshot': 'MemberSnapshot.avsc',
  'loyalty.promotions.PromotionDecision': 'PromotionDecision.avsc',
  'loyalty.fraud.FraudSignal': 'FraudSignal.avsc',
  'loyalty.commands.Command': 'Command.avsc',
  'loyalty.promotions.Campaign': 'Campaign.avsc',
} as const;

export type RecordName = keyof typeof RECORD_FILES;
export const RECORD_NAMES = Object.keys(RECORD_FILES) as RecordName[];

/** Options for every type we build: nullable unions decode to value-or-null, never `{string: …}`.
 * Always pass a copy: avsc stores its registry in the options object it is given. */
export const TYPE_OPTIONS = { wrapUnions: false } as const;

/**
 * A logical type that keeps the value as is. Used only to export schemas: without it avsc drops the
 * `logicalType` attribute from `schema()`, and the registry must receive timestamp-millis intact.
 */
class KeepAsIsLogicalType extends avro.types.LogicalType {
  override _fromValue(value: unknown): unknown { return value; }
  override _toValue(value: unknown): unknown { return value; }
}

function loadTypes(logicalTypes: Record<string, typeof KeepAsIsLogicalType> | undefined): Map<RecordName, Type> {
  const registry: Record<string, Type> = {};
  const types = new Map<RecordName, Type>();
  for (const name of RECORD_NAMES) {
    const file = join(AVRO_DIR, RECORD_FILES[name]);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Schema;
    const type = avro.Type.forSchema(schema, { ...TYPE_OPTIONS, registry, ...(logicalTypes ? { logicalTypes } : {}) });
    if (type.name !== name) throw new ConfigError(`${RECORD_FILES[name]} defines ${String(type.name)}, expected ${name}`);
    types.set(name, type);
  }
  return types;
}

const types = loadTypes(undefined);
const annotatedTypes = loadTypes({ 'timestamp-millis': KeepAsIsLogicalType });

export function isRecordName(name: string): name is RecordName {
  return Object.hasOwn(RECORD_FILES, name);
}

/** The avsc type of a record, e.g. `schemaFor('loyalty.orders.OrderEvent')`. */
export function schemaFor(fullName: string): Type {
  const type = isRecordName(fullName) ? types.get(fullName) : undefined;
  if (!type) throw new ConfigError(`unknown record ${fullName}; known records: ${RECORD_NAMES.join(', ')}`);
  return type;
}

/**
 * The type of a record with timestamp-millis kept as a (pass-through) logical type, for code that
 * must know which longs are times: plain-JSON conversion and schema export. Not for encoding.
 */
export function annotatedSchemaFor(fullName: string): Type {
  schemaFor(fullName);
  return annotatedTypes.get(fullName as RecordName) as Type;
}

/**
 * The self-contained schema text of a record, as registered in the schema registry: named types
 * from other files are inlined, docs, defaults and logical types kept.
 */
export function schemaText(fullName: string): string {
  return JSON.stringify(annotatedSchemaFor(fullName).schema({ exportAttrs: true }));
}

/** Parses a schema fetched from the registry (a writer schema), with the same options as ours. */
export function parseSchema(text: string): Type {
  return avro.Type.forSchema(JSON.parse(text) as Schema, { ...TYPE_OPTIONS });
}
