// The Dockerfile read as text (no Docker engine is assumed on build machines): stages, non-root
// user, health check, entrypoint, and that every COPY source exists and survives .dockerignore.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT } from '../../../engine/config.ts';

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
// Comment lines dropped first (Docker drops them inside continued instructions too), then
// continuation lines joined: one instruction per entry.
const instructions = dockerfile.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n')
  .replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '');
const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

function all(keyword: string): string[] {
  return instructions.filter((i) => i.startsWith(`${keyword} `)).map((i) => i.slice(keyword.length + 1).trim());
}

describe('Dockerfile', () => {
  test('two stages on node:20-slim: production dependencies from the lockfile, then the runtime', () => {
    const stages = all('FROM');
    assert.deepEqual(stages, ['node:20-slim AS deps', 'node:20-slim AS runtime']);
    assert.ok(all('RUN').some((r) => r.includes('npm ci --omit=dev')));
    assert.ok(all('COPY').some((c) => c.startsWith('--from=deps /app/node_modules')));
  });

  test('runs as a non-root numeric user with a writable state folder only', () => {
    const users = all('USER');
    assert.equal(users.length, 1);
    assert.match(users[0] ?? '', /^[1-9]\d*:[1-9]\d*$/);
    const userIndex = instructions.findIndex((i) => i.startsWith('USER '));
    const entrypointIndex = instructions.findIndex((i) => i.startsWith('ENTRYPOINT '));
    assert.ok(userIndex < entrypointIndex, 'USER must come before ENTRYPOINT');
    assert.ok(all('VOLUME').some((v) => v.includes('/var/lib/loyalty')));
  });

  test('health check polls /healthz by default on all-interfaces servers; entrypoint is the loyalty CLI', () => {
    assert.match(all('HEALTHCHECK').join(' '), /process\.env\.LOYALTY_HEALTHCHECK_URL/);
    const env = all('ENV').join(' ');
    assert.match(env, /LOYALTY_HEALTHCHECK_URL=http:\/\/127\.0\.0\.1:\d+\/healthz/);
    assert.match(env, /LOYALTY_HTTP_HOST=0\.0\.0\.0/);
    assert.deepEqual(JSON.parse(all('ENTRYPOINT')[0] ?? '[]'), ['node', 'bin/loyalty.js']);
  });

  test('every COPY source from the context exists and is not excluded by .dockerignore', () => {
    const sources = all('COPY').filter((c) => !c.startsWith('--from')).flatMap((c) => c.split(/\s+/).slice(0, -1));
    assert.ok(sources.includes('bin') && sources.includes('engine') && sources.includes('package-lock.json'));
    for (const source of sources) {
      assert.ok(existsSync(join(REPO_ROOT, source)), `COPY ${source}: not in the repository`);
      assert.equal(ignored.includes(source), false, `COPY ${source} is excluded by .dockerignore`);
    }
  });

  test('.dockerignore keeps local state, dependencies and tests out of the context', () => {
    for (const entry of ['node_modules', '.loyalty', '.git', 'test']) assert.ok(ignored.includes(entry), `${entry} is not ignored`);
  });
});
