// The local HTTP endpoint of the process that owns a chDB folder: /metrics, /healthz and a
// read-only POST /query, bound to 127.0.0.1. chDB allows one process per data folder, so
// `loyalty sql` (and the dashboard) read through the owner while it runs. The owner announces its
// endpoint in `<home>/analytics/<folder hash>.json`, one file per chDB folder, so test sinks on
// their own folders never hide the main one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { LoyaltyError } from '../../engine/errors.ts';
import type { Analytics } from './client.ts';
import { readOnlyStatement } from './read-only.ts';

const queryBody = z.object({ sql: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() });

const endpointRecord = z.object({ url: z.url(), pid: z.number().int().positive(), chdbPath: z.string() });
export type EndpointRecord = z.infer<typeof endpointRecord>;

export interface AnalyticsEndpoint {
  url: string;
  close(): Promise<void>;
}

export async function serveAnalytics(analytics: Analytics, registry: Registry, port = 0, host = '127.0.0.1'): Promise<AnalyticsEndpoint> {
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.post('/query', async (request, reply) => {
    const body = queryBody.safeParse(request.body);
    if (!body.success) {
      reply.code(400);
      return { error: 'expected a JSON body {"sql": "...", "params": {...}}', code: 'BAD_REQUEST' };
    }
    try {
      return await analytics.query(readOnlyStatement(body.data.sql), body.data.params ?? {});
    } catch (err) {
      const loyalty = err instanceof LoyaltyError ? err : undefined;
      reply.code(loyalty?.usage ? 400 : 500);
      return { error: err instanceof Error ? err.message : String(err), code: loyalty?.code ?? 'QUERY_FAILED' };
    }
  });
  await app.listen({ port, host });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return { url: `http://127.0.0.1:${boundPort}`, close: () => app.close() };
}

export function endpointFile(home: string, chdbPath: string): string {
  const hash = createHash('sha256').update(chdbPath).digest('hex').slice(0, 16);
  return join(home, 'analytics', `${hash}.json`);
}

export function announceEndpoint(home: string, record: EndpointRecord): () => void {
  const file = endpointFile(home, record.chdbPath);
  mkdirSync(join(home, 'analytics'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live owner's endpoint for a chDB folder, or null (no file, unreadable, or its process is gone). */
export function findEndpoint(home: string, chdbPath: string): EndpointRecord | null {
  const file = endpointFile(home, chdbPath);
  if (!existsSync(file)) return null;
  try {
    const record = endpointRecord.parse(JSON.parse(readFileSync(file, 'utf8')));
    return record.chdbPath === chdbPath && isAlive(record.pid) ? record : null;
  } catch {
    return null;
  }
}
