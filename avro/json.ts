// Plain JSON <-> Avro values (RULES.md section 1 and 6.1/6.16). Plain JSON is the record itself with
// nullable fields as value-or-null and timestamp-millis fields as epoch millis or an RFC 3339
// date-time with an offset. Every fault is a ValidationError naming the path and the expected type.
import type { Type } from 'avsc';
import { ValidationError } from '../engine/errors.ts';
import { JsonNonInteger, parseJsonText } from './json-text.ts';
import { annotatedSchemaFor } from './schemas.ts';

export interface PlainJsonOptions {
  /**
   * Whether a missing nullable field reads as null. Off for order events, where only `employee`
   * may be absent (RULES.md 6.1); on for hand-written files such as campaigns, whose `params`
   * lists only the fields of the campaign's type.
   */
  absentNullableAsNull?: boolean;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const TIMESTAMP_EXPECTED = 'timestamp (epoch millis, or RFC 3339 date-time with offset such as 2026-01-31T12:00:00Z)';

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof JsonNonInteger) return value.source;
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ValidationError(path, expected, `${path || 'record'}: expected ${expected}, got ${describe(value)}`);
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Epoch millis of an RFC 3339 date-time with an offset (uppercase T and Z), fraction truncated to ms. */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as
    [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const offHours = Number(m[10]);
    const offMinutes = Number(m[11]);
    if (offHours > 23 || offMinutes > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

function checkLong(path: string, value: unknown, expected: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, expected, value);
  return value;
}

function fromPlain(type: Type, value: unknown, path: string, options: PlainJsonOptions): unknown {
  switch (type.typeName) {
    case 'string':
      if (typeof value !== 'string') fail(path, 'string', value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, 'boolean', value);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
        fail(path, 'int (whole number, 32-bit)', value);
      }
      return value;
    case 'long':
      return checkLong(path, value, 'long (whole number within ±(2^53-1))');
    case 'logical:timestamp-millis': {
      if (typeof value === 'string') {
        const millis = parseRfc3339(value);
        if (millis === null) fail(path, TIMESTAMP_EXPECTED, value);
        return millis;
      }
      return checkLong(path, value, TIMESTAMP_EXPECTED);
    }
    case 'enum': {
      const symbols = (type as unknown as { symbols: string[] }).symbols;
      if (typeof value !== 'string' || !symbols.includes(value)) fail(path, `one of ${symbols.join(', ')}`, value);
      return value;
    }
    case 'array': {
      if (!Array.isArray(value)) fail(path, 'array', value);
      const items = (type as unknown as { itemsType: Type }).itemsType;
      return value.map((item, i) => fromPlain(items, item, `${path}[${i}]`, options));
    }
    case 'union:unwrapped': {
      if (value === null) return null;
      const branch = nonNullBranch(type);
      return fromPlain(branch, value, path, options);
    }
    case 'record':
      return recordFromPlain(type, value, path, options);
    default:
      throw new ValidationError(path, type.typeName, `${path}: Avro type ${type.typeName} has no plain-JSON form`);
  }
}

function nonNullBranch(type: Type): Type {
  const branches = (type as unknown as { types: Type[] }).types;
  const branch = branches.find((t) => t.typeName !== 'null');
  if (!branch || branches.length !== 2) throw new ValidationError('', 'nullable union', 'only ["null", T] unions have a plain-JSON form');
  return branch;
}

interface FieldInfo { name: string; type: Type; defaultValue: () => unknown }

function recordFromPlain(type: Type, value: unknown, path: string, options: PlainJsonOptions): Record<string, unknown> {
  const name = String(type.name);
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof JsonNonInteger) {
    fail(path, `object (${name})`, value);
  }
  const input = value as Record<string, unknown>;
  const fields = (type as unknown as { fields: FieldInfo[] }).fields;
  const out: Record<string, unknown> = {};
  const prefix = path ? `${path}.` : '';
  for (const field of fields) {
    const fieldPath = `${prefix}${field.name}`;
    if (!Object.hasOwn(input, field.name) || input[field.name] === undefined) {
      const fallback = field.defaultValue();
      const mayBeAbsent = fallback !== undefined && (fallback !== null || options.absentNullableAsNull === true);
      if (!mayBeAbsent) {
        throw new ValidationError(fieldPath, expectedOf(field.type), `${fieldPath}: expected ${expectedOf(field.type)}, but the field is missing`);
      }
      out[field.name] = fallback;
      continue;
    }
    out[field.name] = fromPlain(field.type, input[field.name], fieldPath, options);
  }
  for (const key of Object.keys(input)) {
    if (!fields.some((f) => f.name === key)) {
      throw new ValidationError(`${prefix}${key}`, `no such field in ${name}`, `${prefix}${key}: unknown field, ${name} has ${fields.map((f) => f.name).join(', ')}`);
    }
  }
  return out;
}

function expectedOf(type: Type): string {
  switch (type.typeName) {
    case 'int': return 'int (whole number, 32-bit)';
    case 'long': return 'long (whole number)';
    case 'logical:timestamp-millis': return TIMESTAMP_EXPECTED;
    case 'enum': return `one of ${(type as unknown as { symbols: string[] }).symbols.join(', ')}`;
    case 'record': return `object (${String(type.name)})`;
    case 'union:unwrapped': return `null or ${expectedOf(nonNullBranch(type))}`;
    default: return type.typeName;
  }
}

/**
 * Checks a parsed plain-JSON value against a record and returns the Avro value (times as epoch
 * millis, defaults filled). Values parsed with `JSON.parse` cannot tell `1437.0` from `1437`;
 * use `fromPlainJsonText` on raw text to refuse it.
 */
export function fromPlainJson<T = Record<string, unknown>>(fullName: string, value: unknown, options: PlainJsonOptions = {}): T {
  return recordFromPlain(annotatedSchemaFor(fullName), value, '', options) as T;
}

/** Parses one JSON text (e.g. a JSONL line) and checks it against a record. Throws ValidationError. */
export function fromPlainJsonText<T = Record<string, unknown>>(fullName: string, text: string, options: PlainJsonOptions = {}): T {
  return fromPlainJson<T>(fullName, parseJsonText(text), options);
}

function toPlain(type: Type, value: unknown): unknown {
  switch (type.typeName) {
    case 'array': {
      const items = (type as unknown as { itemsType: Type }).itemsType;
      return (value as unknown[]).map((item) => toPlain(items, item));
    }
    case 'union:unwrapped':
      return value === null || value === undefined ? null : toPlain(nonNullBranch(type), value);
    case 'record': {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const field of (type as unknown as { fields: FieldInfo[] }).fields) out[field.name] = toPlain(field.type, source[field.name]);
      return out;
    }
    default:
      return value;
  }
}

/** A record as plain JSON for output: fields in schema order, times as epoch millis, null for absent. */
export function toPlainJson(fullName: string, value: unknown): Record<string, unknown> {
  return toPlain(annotatedSchemaFor(fullName), value) as Record<string, unknown>;
}
