// A Kafka record as the operator commands print and filter it: key and headers as text, the value
// decoded through the registry into plain JSON (times as epoch millis), or, when the bytes are not
// a record we can decode (a DLQ keeps the original bytes), the reason and the bytes in base64.
import { toPlainJson } from '../../avro/json.ts';
import { isRecordName } from '../../avro/schemas.ts';
import type { Serde } from '../../avro/serde.ts';
import { DecodeError } from '../../engine/errors.ts';
import type { RawRecord } from './window.ts';

export interface PrintedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  /** Full name of the writer's record, null when there is no value or it cannot be decoded. */
  schema: string | null;
  value: unknown;
  /** Why the value could not be decoded (and then `valueBase64` holds the bytes). */
  undecodable?: string;
  valueBase64?: string;
}

export async function printable(serde: Serde, record: RawRecord): Promise<PrintedRecord> {
  const base = {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: record.timestamp,
    key: record.key === null ? null : record.key.toString('utf8'),
    headers: record.headers,
  };
  if (record.value === null) return { ...base, schema: null, value: null };
  try {
    const decoded = await serde.decode(record.value);
    const value = isRecordName(decoded.fullName) ? toPlainJson(decoded.fullName, decoded.value) : decoded.value;
    return { ...base, schema: decoded.fullName, value };
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return { ...base, schema: null, value: null, undecodable: err.message, valueBase64: record.value.toString('base64') };
  }
}
