// THE wire-format module: Avro values in the Confluent framing (magic byte 0, 4-byte big-endian
// schema id, Avro body), with schema ids from the registry cached. Subjects follow Confluent's
// TopicNameStrategy, `<topic>-value`. After `prepare`/`ensureSchemas` every call is synchronous,
// because the engine encodes and decodes thousands of records per batch.
import type { Type } from 'avsc';
import { DecodeError, LoyaltyError, ValidationError } from '../engine/errors.ts';
import { RegistryClient, type RegistryAuth } from './registry-client.ts';
import { isRecordName, parseSchema, schemaFor, schemaText } from './schemas.ts';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export interface Decoded<T = Record<string, unknown>> {
  schemaId: number;
  /** Full name of the writer's record, e.g. `loyalty.orders.OrderEvent`. */
  fullName: string;
  value: T;
}

/** How the bytes of one schema id are read: the writer's type, resolved into ours when we know the record. */
interface Reader {
  fullName: string;
  writer: Type;
  read: (body: Buffer) => { value: unknown; offset: number };
  /** Turns avsc record instances into plain objects. */
  plain: (value: unknown) => unknown;
}

interface Writer { id: number; type: Type; fullName: string }

export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** The schema id of a framed record, or a DecodeError saying why the bytes are not framed. */
export function schemaIdOf(buf: Buffer | null | undefined): number {
  if (!buf || buf.length < HEADER_SIZE) {
    throw new DecodeError(`not Confluent-framed Avro: ${buf ? `${buf.length} bytes` : 'no value'}, need at least ${HEADER_SIZE}`);
  }
  if (buf[0] !== MAGIC_BYTE) {
    throw new DecodeError(`not Confluent-framed Avro: first byte is 0x${buf[0]?.toString(16).padStart(2, '0')}, expected 0x00`);
  }
  return buf.readUInt32BE(1);
}

type Plainer = (value: unknown) => unknown;
const identity: Plainer = (value) => value;

/** A converter from avsc's decoded values (record class instances) to plain objects. */
function plainerFor(type: Type): Plainer {
  switch (type.typeName) {
    case 'record': {
      const fields = (type as unknown as { fields: { name: string; type: Type }[] }).fields.map((f) => [f.name, plainerFor(f.type)] as const);
      return (value) => {
        const source = value as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [name, plain] of fields) out[name] = plain(source[name]);
        return out;
      };
    }
    case 'array': {
      const items = plainerFor((type as unknown as { itemsType: Type }).itemsType);
      return items === identity ? identity : (value) => (value as unknown[]).map(items);
    }
    case 'union:unwrapped': {
      const branches = (type as unknown as { types: Type[] }).types.map(plainerFor).filter((p) => p !== identity);
      const [only] = branches;
      if (branches.length === 0 || !only) return identity;
      if (branches.length > 1) throw new DecodeError(`union ${JSON.stringify(type.schema())} has several record branches; not supported`);
      return (value) => (value === null ? null : only(value));
    }
    default:
      return identity;
  }
}

/** Path and expected type of the first fault of an invalid value, for a clear error. */
function firstFault(type: Type, value: unknown): ValidationError {
  let fault: ValidationError | undefined;
  type.isValid(value, {
    errorHook(path: string[], _bad: unknown, faultType: Type) {
      fault ??= new ValidationError(path.join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]'), faultType.typeName);
    },
  });
  return fault ?? new ValidationError('', String(type.name), 'value cannot be encoded');
}

export interface SerdeOptions { auth?: RegistryAuth }

export class Serde {
  readonly registry: RegistryClient;
  private readonly writers = new Map<string, Writer>();
  private readonly readers = new Map<number, Reader>();
  private readonly loading = new Map<number, Promise<Reader | null>>();
  private readonly unknownIds = new Set<number>();

  constructor(registryUrl: string, options: SerdeOptions = {}) {
    this.registry = new RegistryClient(registryUrl, options.auth);
  }

  /** Registers (or finds) the schema of `fullName` under `<topic>-value` once; then encodeSync works for the topic. */
  async prepare(topic: string, fullName: string): Promise<number> {
    const cached = this.writers.get(topic);
    if (cached?.fullName === fullName) return cached.id;
    const type = schemaFor(fullName);
    const id = await this.registry.register(valueSubject(topic), schemaText(fullName));
    this.writers.set(topic, { id, type, fullName });
    this.readers.set(id, this.readerFor(fullName, type));
    return id;
  }

  /** Encodes a value for a topic prepared with `prepare`. Throws ValidationError naming the bad field. */
  encodeSync(topic: string, value: unknown): Buffer {
    const writer = this.writers.get(topic);
    if (!writer) throw new LoyaltyError('SERDE_NOT_PREPARED', `topic ${topic} is not prepared: await serde.prepare(topic, fullName) first`);
    let body: Buffer;
    try {
      body = writer.type.toBuffer(value);
    } catch {
      throw firstFault(writer.type, value);
    }
    const out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
    out[0] = MAGIC_BYTE;
    out.writeUInt32BE(writer.id, 1);
    body.copy(out, HEADER_SIZE);
    return out;
  }

  async encode(topic: string, fullName: string, value: unknown): Promise<Buffer> {
    await this.prepare(topic, fullName);
    return this.encodeSync(topic, value);
  }

  /** Loads the writer schema of an id from the registry once; false when the registry has no such id. */
  async ensureSchema(id: number): Promise<boolean> {
    if (this.readers.has(id)) return true;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.loadReader(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return (await pending) !== null;
  }

  /** Loads the schemas of every framed record of a batch; unframed bytes are left for decodeSync to refuse. */
  async ensureSchemas(buffers: Iterable<Buffer | null | undefined>): Promise<void> {
    const ids = new Set<number>();
    for (const buf of buffers) {
      if (buf && buf.length >= HEADER_SIZE && buf[0] === MAGIC_BYTE) ids.add(buf.readUInt32BE(1));
    }
    await Promise.all([...ids].filter((id) => !this.readers.has(id)).map((id) => this.ensureSchema(id)));
  }

  /**
   * Decodes a framed record whose schema is loaded (`ensureSchema(s)`); known records come back in
   * our current shape (schema resolution), as plain objects. Throws DecodeError on any bad bytes.
   */
  decodeSync<T = Record<string, unknown>>(buf: Buffer | null | undefined): Decoded<T> {
    const schemaId = schemaIdOf(buf);
    const reader = this.readers.get(schemaId);
    if (!reader) {
      throw new DecodeError(this.unknownIds.has(schemaId)
        ? `unknown schema id ${schemaId}: the schema registry has no such schema`
        : `schema id ${schemaId} is not loaded yet: await serde.ensureSchema(${schemaId}) before decodeSync`);
    }
    const body = (buf as Buffer).subarray(HEADER_SIZE);
    let result: { value: unknown; offset: number };
    try {
      result = reader.read(body);
    } catch (err) {
      throw new DecodeError(`record of schema id ${schemaId} (${reader.fullName}) is corrupt: ${(err as Error).message}`, err);
    }
    if (result.offset < 0) throw new DecodeError(`record of schema id ${schemaId} (${reader.fullName}) is truncated: ${body.length} body bytes`);
    if (result.offset !== body.length) {
      throw new DecodeError(`record of schema id ${schemaId} (${reader.fullName}) has ${body.length - result.offset} unexpected trailing bytes`);
    }
    return { schemaId, fullName: reader.fullName, value: reader.plain(result.value) as T };
  }

  async decode<T = Record<string, unknown>>(buf: Buffer | null | undefined): Promise<Decoded<T>> {
    const id = schemaIdOf(buf);
    await this.ensureSchema(id);
    return this.decodeSync<T>(buf);
  }

  private async loadReader(id: number): Promise<Reader | null> {
    const text = await this.registry.schemaById(id);
    if (text === null) {
      this.unknownIds.add(id);
      return null;
    }
    let writer: Type;
    try {
      writer = parseSchema(text);
    } catch (err) {
      throw new DecodeError(`schema id ${id} from the registry is not a valid Avro schema: ${(err as Error).message}`, err);
    }
    const reader = this.readerFor(String(writer.name), writer);
    this.unknownIds.delete(id);
    this.readers.set(id, reader);
    return reader;
  }

  /** Reads with our current type when we own the record (resolving an older writer), else the writer's. */
  private readerFor(fullName: string, writer: Type): Reader {
    if (isRecordName(fullName)) {
      const ours = schemaFor(fullName);
      if (ours.equals(writer)) {
        return { fullName, writer, read: (body) => ours.decode(body, 0), plain: plainerFor(ours) };
      }
      try {
        const resolver = ours.createResolver(writer);
        return { fullName, writer, read: (body) => ours.decode(body, 0, resolver), plain: plainerFor(ours) };
      } catch {
        // A writer we cannot resolve into today's shape is still readable in its own shape.
      }
    }
    return { fullName, writer, read: (body) => writer.decode(body, 0), plain: plainerFor(writer) };
  }
}
