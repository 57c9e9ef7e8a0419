// Serves the campaign dashboard: the page, its script (bundled at start with esbuild from
// dashboard/web/app.ts), ECharts from the local node_modules (no CDN) and the JSON API.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Fastify from 'fastify';
import { registerApi } from './api.ts';
import type { QueryRunner } from './queries.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export interface DashboardOptions {
  db: QueryRunner;
  port?: number;
  host?: string;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

async function bundleApp(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'web', 'app.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    minify: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no dashboard bundle');
  return file.text;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const [appJs, indexHtml, styleCss] = await Promise.all([
    bundleApp(),
    Promise.resolve(readFileSync(join(here, 'public', 'index.html'), 'utf8')),
    Promise.resolve(readFileSync(join(here, 'public', 'style.css'), 'utf8')),
  ]);
  const echartsJs = readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
  const app = Fastify({ logger: false });
  app.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').send(indexHtml));
  app.get('/app.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(appJs));
  app.get('/style.css', (_req, reply) => reply.type('text/css; charset=utf-8').send(styleCss));
  app.get('/healthz', (_req, reply) => reply.send({ status: 'ok' }));
  app.get('/vendor/echarts.min.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(echartsJs));
  registerApi(app, options.db);
  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  return { url: address, close: () => app.close() };
}
