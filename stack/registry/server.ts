// A Confluent Schema Registry API-compatible server (Avro only) over fastify, its state in a
// compacted Kafka topic. One instance writes at a time: writes are serialized here and land in
// the log before they are visible, so a restart replays exactly what clients were told.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { KafkaConfig } from 'kafkajs';
import { logLevel } from '../../engine/kafka.ts';
import { ConfigError } from '../../engine/errors.ts';
import { isCompatibilityLevel, type CompatibilityLevel } from './compatibility.ts';
import { RegistryApiError } from './errors.ts';
import { SchemaLog } from './kafka-log.ts';
import { RegistryState, parseCandidate, type LogRecord } from './state.ts';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
export const DEFAULT_SCHEMAS_TOPIC = '_schemas';

export interface RegistryOptions {
  port: number;
  /** Kafka client settings (brokers, security) of the log topic; or just `brokers`. */
  kafka?: KafkaConfig;
  /** Brokers (list or comma separated) when no `kafka` settings are given. */
  brokers?: string[] | string;
  topic?: string;
  host?: string;
  log?: (line: string) => void;
}

export interface RunningRegistry { url: string; close(): Promise<void> }

type Params = { subject: string; version: string; id: string };
type Query = { permanent?: string; deleted?: string; verbose?: string; defaultToGlobal?: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Query; Body: Record<string, unknown> | null }>;

function body(request: Req): Record<string, unknown> {
  const value = request.body;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RegistryApiError(422, 42201, 'Invalid request body: expected a JSON object');
  return value;
}

function parseId(text: string): number {
  const id = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new RegistryApiError(404, 40403, 'Schema not found');
  return id;
}

function routes(app: FastifyInstance, state: RegistryState, write: (records: LogRecord[]) => Promise<void>): void {
  const serialized = createSerializer();
  app.get('/', async () => ({}));
  app.get('/schemas/types', async () => ['AVRO']);

  app.get('/schemas/ids/:id', async (request: Req) => ({ schema: state.schemaById(parseId(request.params.id)) }));
  app.get('/schemas/ids/:id/schema', async (request: Req) => JSON.parse(state.schemaById(parseId(request.params.id))) as unknown);

  app.get('/subjects', async (request: Req) => state.subjectNames(request.query.deleted === 'true'));
  app.get('/subjects/:subject/versions', async (request: Req) =>
    state.versions(request.params.subject, request.query.deleted === 'true').map((v) => v.version));

  const versionInfo = (request: Req): { subject: string; version: number; id: number; schema: string } => {
    const v = state.version(request.params.subject, request.params.version, request.query.deleted === 'true');
    return { subject: v.subject, version: v.version, id: v.id, schema: v.schema };
  };
  app.get('/subjects/:subject/versions/:version', async (request: Req) => versionInfo(request));
  app.get('/subjects/:subject/versions/:version/schema', async (request: Req) => JSON.parse(versionInfo(request).schema) as unknown);

  app.post('/subjects/:subject/versions', async (request: Req) => {
    const { schema, schemaType } = body(request);
    const candidate = parseCandidate(schema, schemaType);
    return serialized(async () => {
      const plan = state.planRegister(request.params.subject, candidate.text, candidate.type);
      if (plan.record) await write([plan.record]);
      return { id: plan.id };
    });
  });

  app.post('/subjects/:subject', async (request: Req) => {
    const { schema, schemaType } = body(request);
    const candidate = parseCandidate(schema, schemaType);
    state.versions(request.params.subject);
    const found = state.findInSubject(request.params.subject, candidate.text);
    if (!found) throw new RegistryApiError(404, 40403, 'Schema not found');
    return { subject: found.subject, version: found.version, id: found.id, schema: found.schema };
  });

  app.post('/compatibility/subjects/:subject/versions/:version', async (request: Req) => {
    const { schema, schemaType } = body(request);
    const candidate = parseCandidate(schema, schemaType);
    const problems = state.checkCompatibility(request.params.subject, request.params.version, candidate.type);
    return request.query.verbose === 'true' ? { is_compatible: problems.length === 0, messages: problems } : { is_compatible: problems.length === 0 };
  });

  const level = (request: Req): CompatibilityLevel => {
    const value = body(request).compatibility;
    if (!isCompatibilityLevel(value)) throw new RegistryApiError(422, 42203, `Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive and full_transitive`);
    return value;
  };
  app.get('/config', async () => ({ compatibilityLevel: state.compatibility(null) }));
  app.put('/config', async (request: Req) => {
    const compatibility = level(request);
    await serialized(() => write([{ key: { keytype: 'CONFIG', subject: null, magic: 0 }, value: { compatibilityLevel: compatibility } }]));
    return { compatibility };
  });
  app.get('/config/:subject', async (request: Req) => {
    const own = state.subjectCompatibility(request.params.subject);
    if (own) return { compatibilityLevel: own };
    if (request.query.defaultToGlobal === 'true') return { compatibilityLevel: state.compatibility(null) };
    throw new RegistryApiError(404, 40408, `Subject '${request.params.subject}' does not have subject-level compatibility configured`);
  });
  app.put('/config/:subject', async (request: Req) => {
    const compatibility = level(request);
    await serialized(() => write([{ key: { keytype: 'CONFIG', subject: request.params.subject, magic: 0 }, value: { compatibilityLevel: compatibility } }]));
    return { compatibility };
  });
  app.delete('/config/:subject', async (request: Req) => {
    const previous = state.compatibility(request.params.subject);
    await serialized(() => write([{ key: { keytype: 'CONFIG', subject: request.params.subject, magic: 0 }, value: null }]));
    return { compatibilityLevel: previous };
  });

  const remove = async (request: Req, versionText: string | null): Promise<number[]> => serialized(async () => {
    const plan = state.planDelete(request.params.subject, versionText, request.query.permanent === 'true');
    await write(plan.records);
    return plan.versions;
  });
  app.delete('/subjects/:subject', async (request: Req) => remove(request, null));
  app.delete('/subjects/:subject/versions/:version', async (request: Req) => (await remove(request, request.params.version))[0]);
}

/** Runs writes one at a time, so two registrations never pick the same id or version. */
function createSerializer(): <T>(work: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
}

function errorSender(log: ((line: string) => void) | undefined) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const apiError = error instanceof RegistryApiError ? error
      : (error as { statusCode?: number }).statusCode === 400 || (error as { statusCode?: number }).statusCode === 415
        ? new RegistryApiError(422, 42201, `Invalid request: ${(error as Error).message}`)
        : new RegistryApiError(500, 50001, `Error in the backend data store: ${(error as Error).message}`);
    if (apiError.status >= 500) log?.(`${request.method} ${request.url} failed: ${apiError.message}`);
    void reply.code(apiError.status).type(CONTENT_TYPE).send(apiError.body());
  };
}

/** Builds the HTTP app over a state and a log writer (no network listening yet). */
export function buildRegistryApp(state: RegistryState, write: (records: LogRecord[]) => Promise<void>, log?: (line: string) => void): FastifyInstance {
  const app = Fastify({ logger: false });
  const parseJson = (_request: FastifyRequest, text: string | Buffer, done: (err: Error | null, value?: unknown) => void): void => {
    try {
      const source = text.toString();
      done(null, source.trim() === '' ? null : JSON.parse(source));
    } catch (err) {
      done(new RegistryApiError(422, 42201, `Invalid JSON body: ${(err as Error).message}`));
    }
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', CONTENT_TYPE, 'application/vnd.schemaregistry+json', 'application/octet-stream', 'text/plain'], { parseAs: 'string' }, parseJson);
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('content-type', CONTENT_TYPE);
    return payload;
  });
  app.setErrorHandler(errorSender(log));
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).type(CONTENT_TYPE).send({ error_code: 404, message: `HTTP 404 Not Found: ${request.method} ${request.url}` });
  });
  routes(app, state, write);
  return app;
}

function kafkaOptions(options: RegistryOptions): KafkaConfig {
  if (options.kafka) return options.kafka;
  const brokers = typeof options.brokers === 'string' ? options.brokers.split(',').map((b) => b.trim()).filter((b) => b !== '') : options.brokers ?? [];
  if (brokers.length === 0) throw new ConfigError('startRegistry needs kafka settings or brokers');
  return { clientId: 'schema-registry', brokers, logLevel: logLevel.NOTHING };
}

/** Replays the log, then serves the API. `close()` stops the server and the Kafka clients. */
export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const topic = options.topic ?? DEFAULT_SCHEMAS_TOPIC;
  const log = await SchemaLog.open(kafkaOptions(options), topic);
  const state = new RegistryState();
  const replayed = await log.replay((record) => state.apply(record));
  options.log?.(`replayed ${replayed} records from ${topic}`);
  const app = buildRegistryApp(state, async (records) => {
    await log.append(records);
    for (const record of records) state.apply(record);
  }, options.log);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ port: options.port, host });
  } catch (err) {
    await log.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.log?.(`schema registry listening on http://${host}:${port} (log topic ${topic})`);
  return {
    url: `http://${host}:${port}`,
    async close() {
      await app.close();
      await log.close();
    },
  };
}
