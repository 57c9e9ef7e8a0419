// A small client of the Confluent Schema Registry REST API (ours or Confluent's), over fetch.
// Chosen over @kafkajs/confluent-schema-registry because the serde needs the raw schema text by id
// and a synchronous cached path; see docs/decisions.md.
import { LoyaltyError, UnreachableError } from '../engine/errors.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** The registry answered with an error (Confluent `error_code`, e.g. 40403, 409, 42201). */
export class RegistryError extends LoyaltyError {
  constructor(readonly status: number, readonly errorCode: number, message: string) {
    super('REGISTRY_REJECTED', `schema registry: ${message} (error ${errorCode})`, { usage: status === 409 || status === 422 });
  }
}

export interface RegistryAuth { username: string; password: string }

export interface RegisteredSchema { subject: string; id: number; version: number; schema: string }

export interface CompatibilityResult { isCompatible: boolean; messages: string[] }

export class RegistryClient {
  private readonly base: string;
  private readonly authorization: string | undefined;

  constructor(url: string, auth?: RegistryAuth, private readonly timeoutMs = 10_000) {
    this.base = url.replace(/\/+$/, '');
    this.authorization = auth ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : undefined;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    if (body !== undefined) headers['content-type'] = CONTENT_TYPE;
    if (this.authorization) headers.authorization = this.authorization;
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new UnreachableError('schema registry', `${method} ${this.base}${path} failed (${(err as Error).message})`, err);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const error = (parsed ?? {}) as { error_code?: number; message?: string };
      if (response.status >= 500) {
        throw new UnreachableError('schema registry', `${method} ${path} answered ${response.status}: ${error.message ?? text}`);
      }
      throw new RegistryError(response.status, error.error_code ?? response.status, error.message ?? `${method} ${path} answered ${response.status}`);
    }
    return parsed as T;
  }

  private static subjectPath(subject: string): string {
    return `/subjects/${encodeURIComponent(subject)}`;
  }

  /** Registers a schema under a subject (idempotent) and returns its global id. */
  async register(subject: string, schema: string): Promise<number> {
    const { id } = await this.call<{ id: number }>('POST', `${RegistryClient.subjectPath(subject)}/versions`, { schema, schemaType: 'AVRO' });
    return id;
  }

  /** The version of a schema under a subject, or null when the subject does not have it. */
  async lookup(subject: string, schema: string): Promise<RegisteredSchema | null> {
    try {
      return await this.call<RegisteredSchema>('POST', RegistryClient.subjectPath(subject), { schema, schemaType: 'AVRO' });
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return null;
      throw err;
    }
  }

  /** The schema text of a global id, or null when the registry has no such id. */
  async schemaById(id: number): Promise<string | null> {
    try {
      return (await this.call<{ schema: string }>('GET', `/schemas/ids/${id}`)).schema;
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return null;
      throw err;
    }
  }

  /** The latest version of a subject, or null when the subject does not exist. */
  async latest(subject: string): Promise<RegisteredSchema | null> {
    try {
      return await this.call<RegisteredSchema>('GET', `${RegistryClient.subjectPath(subject)}/versions/latest`);
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return null;
      throw err;
    }
  }

  /** Whether a schema could be registered under a subject as its next version. */
  async testCompatibility(subject: string, schema: string): Promise<CompatibilityResult> {
    const result = await this.call<{ is_compatible: boolean; messages?: string[] }>(
      'POST', `/compatibility${RegistryClient.subjectPath(subject)}/versions/latest?verbose=true`, { schema, schemaType: 'AVRO' });
    return { isCompatible: result.is_compatible, messages: result.messages ?? [] };
  }

  /** The compatibility level of a subject (its own, else the global one). */
  async compatibility(subject: string): Promise<string> {
    try {
      return (await this.call<{ compatibilityLevel: string }>('GET', `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`)).compatibilityLevel;
    } catch (err) {
      if (!(err instanceof RegistryError && err.status === 404)) throw err;
      return (await this.call<{ compatibilityLevel: string }>('GET', '/config')).compatibilityLevel;
    }
  }

  async subjects(): Promise<string[]> {
    return this.call<string[]>('GET', '/subjects');
  }
}
