// docker-compose.kafka.yml: parsed and cross-checked here (services, health checks, dependency
// conditions, secrets, mounted files, Prometheus targets, Grafana datasources); validated by
// `docker-compose config` too where the Debian docker-compose binary is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../engine/config.ts';
import { loadSecuritySettings } from '../../../engine/security.ts';

const composeFile = join(REPO_ROOT, 'docker-compose.kafka.yml');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  restart?: string;
  read_only?: boolean;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  ports?: string[];
}
interface Compose { services: Record<string, Service>; secrets: Record<string, { file: string }>; volumes: Record<string, unknown> }

const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as Compose;
const services = compose.services;
const dockerfileHasHealthcheck = /^HEALTHCHECK /m.test(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));

function isOneShot(service: Service): boolean {
  return service.restart === 'no';
}

function hasHealthcheck(service: Service): boolean {
  if (service.healthcheck?.disable) return false;
  return service.healthcheck?.test !== undefined || (service.build === '.' && dockerfileHasHealthcheck);
}

describe('docker-compose.kafka.yml parsed as YAML', () => {
  test('brings up the whole stack', () => {
    for (const name of ['kafka', 'schema-registry', 'redis', 'clickhouse', 'member', 'card-fraud', 'sink', 'dashboard', 'prometheus', 'grafana']) {
      assert.ok(services[name], `service ${name} is missing`);
    }
    assert.match(services.kafka?.image ?? '', /^apache\/kafka:/);
    assert.match(services['schema-registry']?.image ?? '', /^confluentinc\/cp-schema-registry:/);
    assert.deepEqual(services.member?.command?.slice(0, 2), ['run', 'member']);
    assert.deepEqual(services['card-fraud']?.command?.slice(0, 2), ['run', 'card-fraud']);
    assert.deepEqual(services.sink?.command?.slice(0, 3), ['sink', 'clickhouse', '--clickhouse-url']);
  });

  test('every image is pinned to a version, never latest', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.image ?? s.build, `${name} has neither image nor build`);
      if (s.image) assert.match(s.image, /:[\w.-]+$/, `${name} image has no tag`);
      assert.doesNotMatch(s.image ?? '', /:latest$/);
    }
  });

  test('every long-running service has a health check; one-shot jobs do not restart', () => {
    for (const [name, s] of Object.entries(services)) {
      if (isOneShot(s)) continue;
      assert.ok(hasHealthcheck(s), `${name} has no health check`);
    }
  });

  test('depends_on names existing services with a condition that can be met', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = services[dep];
        assert.ok(target, `${name} depends on unknown ${dep}`);
        if (condition === 'service_healthy') assert.ok(hasHealthcheck(target), `${name} waits for ${dep} to be healthy, but it has no health check`);
        else assert.equal(condition, 'service_completed_successfully', `${name} -> ${dep}`);
        if (condition === 'service_completed_successfully') assert.ok(isOneShot(target), `${dep} must be a one-shot job`);
      }
    }
    for (const name of ['member', 'card-fraud', 'sink']) {
      const deps = services[name]?.depends_on ?? {};
      for (const dep of ['kafka', 'redis', 'schema-registry', 'topics', 'schemas']) assert.ok(deps[dep], `${name} must wait for ${dep}`);
    }
  });

  test('loyalty services run read-only, bind all interfaces, and take secrets from files that exist', () => {
    for (const [name, s] of Object.entries(services).filter(([, s]) => s.build === '.')) {
      assert.equal(s.read_only, true, `${name} should run with a read-only root`);
      assert.equal(s.environment?.LOYALTY_HTTP_HOST, '0.0.0.0', `${name} would bind 127.0.0.1, unreachable from other containers`);
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        assert.doesNotMatch(key, /PASSWORD$/, `${name} has a password in ${key}; use ${key}_FILE`);
        if (key.endsWith('_FILE')) assert.ok(s.secrets?.some((secret) => value === `/run/secrets/${secret}`), `${name} ${key} names no mounted secret`);
      }
    }
    for (const [name, { file }] of Object.entries(compose.secrets)) assert.ok(existsSync(join(REPO_ROOT, file)), `secret ${name} file ${file} is missing`);
  });

  test("the loyalty services' environment is a valid security configuration (SCRAM, Redis AUTH, ClickHouse password)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'loyalty-compose-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, { file }] of Object.entries(compose.secrets)) writeFileSync(join(dir, name), readFileSync(join(REPO_ROOT, file)));
    const env = Object.fromEntries(Object.entries(services.member?.environment ?? {}).map(([k, v]) => [k, String(v).replace('/run/secrets', dir)]));
    const security = loadSecuritySettings(env, { redisUrl: env.REDIS_URL ?? '', clickhouseUrl: env.CLICKHOUSE_URL });
    assert.equal(security.kafka.sasl?.mechanism, 'scram-sha-256');
    assert.ok(security.redis.password);
    assert.ok(security.clickhouse.password);
  });

  test('bind-mounted files exist in the repository', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) assert.ok(existsSync(join(REPO_ROOT, source)), `${name} mounts missing ${source}`);
        else if (source.startsWith('/')) assert.fail(`${name} mounts a host path ${source}`);
        else assert.ok(source in compose.volumes, `${name} uses undeclared volume ${source}`);
      }
    }
  });
});

describe('Prometheus and Grafana provisioning', () => {
  test('Prometheus scrapes services that exist in the compose file', () => {
    const config = parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; dns_sd_configs?: { names: string[] }[] }[] };
    const names = config.scrape_configs.flatMap((c) => (c.dns_sd_configs ?? []).flatMap((d) => d.names));
    for (const name of ['member', 'card-fraud', 'sink']) assert.ok(names.includes(name), `${name} is not scraped`);
    for (const name of names) assert.ok(services[name], `Prometheus scrapes unknown service ${name}`);
  });

  test('dashboards use only provisioned datasources, and cover throughput, latency, lag, DLQ, commit latency and campaign KPIs', () => {
    const provisioned = parse(readFileSync(join(REPO_ROOT, 'deploy/grafana/provisioning/datasources/datasources.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
    const uids = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));
    const dashboardsDir = join(REPO_ROOT, 'deploy/grafana/dashboards');
    const queries: string[] = [];
    for (const file of readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'))) {
      const dashboard = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as { uid: string; panels: { title: string; targets: { datasource: { uid: string; type: string }; expr?: string; rawSql?: string }[] }[] };
      assert.ok(dashboard.uid, `${file} has no uid`);
      for (const panel of dashboard.panels) {
        assert.ok(panel.targets.length > 0, `${file}: panel ${panel.title} has no query`);
        for (const target of panel.targets) {
          assert.equal(uids.get(target.datasource.uid), target.datasource.type, `${file}: ${panel.title} uses an unprovisioned datasource`);
          queries.push(target.expr ?? target.rawSql ?? '');
        }
      }
    }
    const all = queries.join('\n');
    for (const metric of ['loyalty_engine_records_in_total', 'loyalty_engine_process_seconds', 'loyalty_engine_consumer_lag', 'loyalty_engine_dead_letters_total', 'loyalty_engine_commit_seconds']) {
      assert.ok(all.includes(metric), `no panel shows ${metric}`);
    }
    // Every metric a panel queries is one the engine registers (histograms add _bucket).
    const registered = readFileSync(join(REPO_ROOT, 'engine/metrics.ts'), 'utf8');
    for (const metric of new Set(all.match(/loyalty_\w+/g) ?? [])) {
      assert.ok(registered.includes(`'${metric.replace(/_bucket$/, '')}'`), `dashboards query ${metric}, which engine/metrics.ts does not register`);
    }
    for (const table of ['campaign_hourly', 'campaign_exposure', 'points_liability_daily']) assert.ok(all.includes(table), `no panel reads ${table}`);
  });
});

describe('docker-compose config (Debian docker-compose)', () => {
  const binary = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  const available = binary.status === 0;
  test('validates the file', { skip: available ? false : 'docker-compose is not installed (apt-get install docker-compose)' }, () => {
    const result = spawnSync('docker-compose', ['-f', composeFile, 'config', '-q'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
  });
});
