// The registry's state as a pure fold over its log records (the `_schemas` topic), and the
// decisions that produce new records. The server appends a record to the log first, then applies
// it here, so replaying the topic on start rebuilds exactly the same subjects, versions and ids.
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { compatibilityProblems, type CompatibilityLevel } from './compatibility.ts';
import { RegistryApiError } from './errors.ts';

/** Log keys and values, shaped like Confluent's `_schemas` records. */
export type LogKey =
  | { keytype: 'SCHEMA'; subject: string; version: number; magic: 1 }
  | { keytype: 'CONFIG'; subject: string | null; magic: 0 };

export interface SchemaValue { subject: string; version: number; id: number; schema: string; deleted: boolean }
export interface ConfigValue { compatibilityLevel: CompatibilityLevel }

export interface LogRecord { key: LogKey; value: SchemaValue | ConfigValue | null }

export interface VersionInfo { subject: string; version: number; id: number; schema: string }

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

/** Parses a schema as the registry stores it: normalized JSON text plus the avsc type. Throws 42201. */
export function parseCandidate(schema: unknown, schemaType: unknown): { text: string; type: Type } {
  if (schemaType !== undefined && schemaType !== 'AVRO') {
    throw new RegistryApiError(422, 42201, `Invalid schema: schemaType ${String(schemaType)} is not supported, only AVRO`);
  }
  if (typeof schema !== 'string') throw new RegistryApiError(422, 42201, 'Invalid schema: the body needs a "schema" string');
  try {
    const json = JSON.parse(schema) as Schema;
    return { text: JSON.stringify(json), type: avro.Type.forSchema(json, { wrapUnions: false }) };
  } catch (err) {
    throw new RegistryApiError(422, 42201, `Invalid schema: ${(err as Error).message}`);
  }
}

interface StoredVersion extends SchemaValue { type: Type }

export class RegistryState {
  private readonly subjects = new Map<string, Map<number, StoredVersion>>();
  private readonly idsByText = new Map<string, number>();
  private readonly schemasById = new Map<number, string>();
  private readonly configs = new Map<string | null, CompatibilityLevel>();
  private maxId = 0;

  apply({ key, value }: LogRecord): void {
    if (key.keytype === 'CONFIG') {
      if (value === null) this.configs.delete(key.subject);
      else this.configs.set(key.subject, (value as ConfigValue).compatibilityLevel);
      return;
    }
    const versions = this.subjects.get(key.subject) ?? new Map<number, StoredVersion>();
    this.subjects.set(key.subject, versions);
    if (value === null) {
      versions.delete(key.version);
      if (versions.size === 0) this.subjects.delete(key.subject);
      return;
    }
    const schema = value as SchemaValue;
    versions.set(schema.version, { ...schema, type: parseCandidate(schema.schema, undefined).type });
    this.idsByText.set(schema.schema, schema.id);
    this.schemasById.set(schema.id, schema.schema);
    this.maxId = Math.max(this.maxId, schema.id);
  }

  compatibility(subject: string | null): CompatibilityLevel {
    return (subject === null ? undefined : this.configs.get(subject)) ?? this.configs.get(null) ?? DEFAULT_COMPATIBILITY;
  }

  subjectCompatibility(subject: string): CompatibilityLevel | undefined {
    return this.configs.get(subject);
  }

  schemaById(id: number): string {
    const schema = this.schemasById.get(id);
    if (schema === undefined) throw new RegistryApiError(404, 40403, 'Schema not found');
    return schema;
  }

  subjectNames(includeDeleted: boolean): string[] {
    return [...this.subjects.entries()]
      .filter(([, versions]) => includeDeleted || [...versions.values()].some((v) => !v.deleted))
      .map(([name]) => name)
      .sort();
  }

  /** Versions of a subject, oldest first. Throws 40401 when it has none (live, or any with includeDeleted). */
  versions(subject: string, includeDeleted = false): StoredVersion[] {
    const all = [...(this.subjects.get(subject)?.values() ?? [])].sort((a, b) => a.version - b.version);
    const listed = includeDeleted ? all : all.filter((v) => !v.deleted);
    if (listed.length === 0) throw new RegistryApiError(404, 40401, `Subject '${subject}' not found.`);
    return listed;
  }

  /** One version: a number, `latest` or -1. Throws 42202 for a malformed version, 40402 when absent. */
  version(subject: string, versionText: string, includeDeleted = false): StoredVersion {
    const live = this.versions(subject, includeDeleted);
    if (versionText === 'latest' || versionText === '-1') return live[live.length - 1] as StoredVersion;
    const number = parseVersion(versionText);
    const found = live.find((v) => v.version === number);
    if (!found) throw new RegistryApiError(404, 40402, `Version ${number} not found.`);
    return found;
  }

  /** The live version of a subject holding this schema text, if any. */
  findInSubject(subject: string, text: string): StoredVersion | undefined {
    return [...(this.subjects.get(subject)?.values() ?? [])].find((v) => !v.deleted && v.schema === text);
  }

  /** The record that registers a schema, or null when the subject already has it (same id, idempotent). */
  planRegister(subject: string, text: string, type: Type): { record: LogRecord | null; id: number } {
    const existing = this.findInSubject(subject, text);
    if (existing) return { record: null, id: existing.id };
    const live = [...(this.subjects.get(subject)?.values() ?? [])].filter((v) => !v.deleted).sort((a, b) => a.version - b.version);
    const problems = compatibilityProblems(this.compatibility(subject), type, live.map((v) => v.type));
    if (problems.length > 0) {
      throw new RegistryApiError(409, 409, `Schema being registered is incompatible with an earlier schema for subject "${subject}"; ${problems.join('; ')}`);
    }
    const id = this.idsByText.get(text) ?? this.maxId + 1;
    const version = Math.max(0, ...[...(this.subjects.get(subject)?.keys() ?? [])]) + 1;
    const value: SchemaValue = { subject, version, id, schema: text, deleted: false };
    return { record: { key: { keytype: 'SCHEMA', subject, version, magic: 1 }, value }, id };
  }

  /** Compatibility of a candidate with one version, or with the subject under its level for `latest`. */
  checkCompatibility(subject: string, versionText: string, type: Type): string[] {
    const level = this.compatibility(subject);
    if (versionText === 'latest' || versionText === '-1') {
      if (!this.subjects.has(subject)) return [];
      return compatibilityProblems(level, type, this.versions(subject).map((v) => v.type));
    }
    const target = this.version(subject, versionText);
    return compatibilityProblems(level.replace('_TRANSITIVE', '') as CompatibilityLevel, type, [target.type]);
  }

  /** Records that soft-delete (or, when already soft-deleted and permanent, hard-delete) versions. */
  planDelete(subject: string, versionText: string | null, permanent: boolean): { records: LogRecord[]; versions: number[] } {
    const targets = versionText === null
      ? this.versions(subject, permanent)
      : [this.version(subject, versionText, permanent)];
    if (permanent) {
      const live = targets.filter((v) => !v.deleted);
      if (live.length > 0) {
        throw versionText === null
          ? new RegistryApiError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`)
          : new RegistryApiError(404, 40407, `Subject '${subject}' Version ${live[0]?.version} was not deleted first before being permanently deleted`);
      }
      return {
        records: targets.map((v) => ({ key: { keytype: 'SCHEMA', subject, version: v.version, magic: 1 }, value: null })),
        versions: targets.map((v) => v.version),
      };
    }
    return {
      records: targets.map((v) => ({
        key: { keytype: 'SCHEMA', subject, version: v.version, magic: 1 },
        value: { subject, version: v.version, id: v.id, schema: v.schema, deleted: true },
      })),
      versions: targets.map((v) => v.version),
    };
  }
}

function parseVersion(text: string): number {
  const number = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > 2 ** 31 - 1) {
    throw new RegistryApiError(422, 42202, `The specified version '${text}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`);
  }
  return number;
}
