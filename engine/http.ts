// The engine's HTTP endpoints: /metrics (prom-client, injected registry), /healthz (liveness: the
// process and its event loop answer, never failing during a rebalance) and /readyz (partitions
// assigned, tasks open and caught up).

import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface Readiness {
  ready: boolean;
  detail: Record<string, unknown>;
}

export async function startHttp(port: number, host: string, registry: Registry, readiness: () => Readiness): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const state = readiness();
    reply.code(state.ready ? 200 : 503);
    return { status: state.ready ? 'ready' : 'not ready', ...state.detail };
  });
  await app.listen({ port, host });
  return app;
}
