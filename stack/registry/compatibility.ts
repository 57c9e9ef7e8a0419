// Avro schema compatibility as the Confluent registry defines its levels, decided by avsc's schema
// resolution (`reader.createResolver(writer)` throws when the reader cannot read the writer's data),
// with a message that names the field at fault.
import type { Type } from 'avsc';

export const COMPATIBILITY_LEVELS = [
  'NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE',
] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

interface FieldLike { name: string; type: Type; aliases?: string[]; defaultValue: () => unknown }

function fieldsOf(type: Type): FieldLike[] {
  return (type as unknown as { fields: FieldLike[] }).fields;
}

function canRead(reader: Type, writer: Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

/** Why `reader` cannot read data written with `writer`, naming the field path; null when it can. */
export function readProblem(reader: Type, writer: Type, path = ''): string | null {
  if (canRead(reader, writer)) return null;
  const at = path === '' ? String(reader.name ?? reader.typeName) : path;
  if (reader.typeName === 'record' && writer.typeName === 'record') {
    const writerFields = fieldsOf(writer);
    for (const field of fieldsOf(reader)) {
      const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
      const names = [field.name, ...(field.aliases ?? [])];
      const source = writerFields.find((f) => names.includes(f.name));
      if (!source) {
        if (field.defaultValue() === undefined) return `field '${fieldPath}' is missing in the writer's schema and has no default`;
        continue;
      }
      const problem = readProblem(field.type, source.type, fieldPath);
      if (problem) return problem;
    }
    return `record ${at}: ${String(reader.name)} cannot read ${String(writer.name)} (names differ)`;
  }
  if (reader.typeName === 'enum' && writer.typeName === 'enum') {
    const known = (reader as unknown as { symbols: string[] }).symbols;
    const unknown = (writer as unknown as { symbols: string[] }).symbols.filter((s) => !known.includes(s));
    if (unknown.length > 0) return `field '${at}': enum symbol(s) ${unknown.join(', ')} unknown to the reader`;
  }
  if (reader.typeName === 'array' && writer.typeName === 'array') {
    const items = (t: Type): Type => (t as unknown as { itemsType: Type }).itemsType;
    return readProblem(items(reader), items(writer), `${at}[]`) ?? `field '${at}': array items differ`;
  }
  if (writer.typeName.startsWith('union')) {
    for (const branch of (writer as unknown as { types: Type[] }).types) {
      const problem = readerProblemForBranch(reader, branch, at);
      if (problem) return problem;
    }
  }
  if (reader.typeName.startsWith('union')) {
    const branches = (reader as unknown as { types: Type[] }).types;
    const sameKind = branches.find((b) => b.typeName === writer.typeName);
    if (sameKind) return readProblem(sameKind, writer, at) ?? `field '${at}': ${writer.typeName} cannot be read as ${describeType(reader)}`;
  }
  return `field '${at}': ${describeType(writer)} cannot be read as ${describeType(reader)}`;
}

function readerProblemForBranch(reader: Type, branch: Type, at: string): string | null {
  if (canRead(reader, branch)) return null;
  if (reader.typeName.startsWith('union')) {
    const same = (reader as unknown as { types: Type[] }).types.find((b) => b.typeName === branch.typeName);
    if (same) return readProblem(same, branch, at);
  }
  return `field '${at}': writer's ${describeType(branch)} cannot be read as ${describeType(reader)}`;
}

function describeType(type: Type): string {
  if (type.typeName.startsWith('union')) return (type as unknown as { types: Type[] }).types.map(describeType).join(' or ');
  return type.name ? `${type.typeName} ${String(type.name)}` : type.typeName;
}

/**
 * Problems of registering `candidate` after `existing` (oldest first) under a level; empty when
 * compatible. BACKWARD: the new schema reads old data; FORWARD: old schemas read new data.
 */
export function compatibilityProblems(level: CompatibilityLevel, candidate: Type, existing: Type[]): string[] {
  if (level === 'NONE' || existing.length === 0) return [];
  const against = level.endsWith('_TRANSITIVE') ? existing : existing.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const problems: string[] = [];
  for (const old of against) {
    if (backward) {
      const problem = readProblem(candidate, old);
      if (problem) problems.push(`new schema cannot read data written with an older one: ${problem}`);
    }
    if (forward) {
      const problem = readProblem(old, candidate);
      if (problem) problems.push(`an older schema cannot read data written with the new one: ${problem}`);
    }
  }
  return [...new Set(problems)];
}
