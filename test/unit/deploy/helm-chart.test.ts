// Checks the Helm chart without Helm (see template-subset.ts for why): the templates are rendered
// with the chart's own values.yaml through a minimal substitution of the Go-template subset they
// use, parsed as YAML the way Kubernetes reads it (YAML 1.1), and checked against the shape of the
// Kubernetes objects: names, selectors matching labels, probes, security context, references
// between objects, KEDA caps. It cannot catch what only an API server or `helm lint` would.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../../engine/config.ts';
import { loadSecuritySettings } from '../../../engine/security.ts';
import { specOfTopic } from '../../../topics/catalog.ts';
import { renderFile, type RenderContext } from './template-subset.ts';

const chartDir = join(REPO_ROOT, 'helm', 'loyalty-streams');
const templatesDir = join(chartDir, 'templates');
const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string };
const defaults = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;

type Obj = Record<string, unknown>;
interface Manifest { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Obj; data?: Obj; stringData?: Obj }

function merge(base: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch) || base === null || typeof base !== 'object' || Array.isArray(base)) return patch;
  const out: Obj = { ...(base as Obj) };
  for (const [key, value] of Object.entries(patch)) out[key] = merge(out[key], value);
  return out;
}

function render(overrides: Obj = {}): Manifest[] {
  const ctx: RenderContext = {
    values: merge(structuredClone(defaults), overrides) as Obj,
    release: { Name: 'ls', Namespace: 'loyalty', Service: 'Helm', Revision: 3 },
    chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    templatesDir,
  };
  const manifests: Manifest[] = [];
  for (const file of readdirSync(templatesDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = renderFile(file, ctx);
    assert.equal(text.includes('{{'), false, `${file} left template syntax unrendered`);
    for (const doc of parseAllDocuments(text, { version: '1.1' })) {
      assert.deepEqual(doc.errors, [], `${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value = doc.toJS() as Manifest | null;
      if (value !== null) manifests.push(value);
    }
  }
  return manifests;
}

function all(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

function one(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  assert.ok(found, `${kind} ${name} is not rendered`);
  return found;
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

interface Container { name: string; image: string; ports?: { name: string; containerPort: number }[]; livenessProbe?: Obj; readinessProbe?: Obj; startupProbe?: Obj; securityContext?: Obj; resources?: { requests?: Obj; limits?: Obj }; envFrom?: { configMapRef?: { name: string } }[]; volumeMounts?: { name: string }[] }
interface PodSpec { containers: Container[]; initContainers?: Container[]; securityContext?: Obj; volumes?: { name: string; secret?: { secretName: string } }[] }
interface PodTemplate { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec }

function podTemplate(m: Manifest): PodTemplate {
  return (m.spec as { template: PodTemplate }).template;
}

const deploymentNames = ['ls-card-fraud', 'ls-dashboard', 'ls-member', 'ls-sink'];

describe('helm chart rendered by minimal substitution of values.yaml (not helm)', () => {
  const manifests = render();

  test('every object has apiVersion, kind and a DNS-1123 metadata.name', () => {
    assert.ok(manifests.length > 0);
    for (const m of manifests) {
      assert.match(m.apiVersion, /^([a-z0-9.-]+\/)?v\d+(alpha\d+|beta\d+)?$/, `${m.kind} apiVersion`);
      assert.match(m.kind, /^[A-Z][A-Za-z]+$/);
      assert.match(m.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${m.kind} name`);
      assert.ok(m.metadata.name.length <= 63, `${m.metadata.name} is longer than 63`);
    }
  });

  test('one Deployment, Service and PodDisruptionBudget per workload, selectors matching pod labels', () => {
    assert.deepEqual(all(manifests, 'Deployment').map((d) => d.metadata.name).sort(), deploymentNames);
    for (const name of deploymentNames) {
      const deployment = one(manifests, 'Deployment', name);
      const labels = podTemplate(deployment).metadata.labels;
      const selector = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      assert.ok(matches(selector, labels), `${name} selector does not match its pod labels`);
      const service = one(manifests, 'Service', name).spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
      assert.ok(matches(service.selector, labels), `Service ${name} selects no pod of its Deployment`);
      const portNames = podTemplate(deployment).spec.containers.flatMap((c) => c.ports ?? []).map((p) => p.name);
      for (const port of service.ports) assert.ok(portNames.includes(port.targetPort), `Service ${name} targets a missing port ${port.targetPort}`);
      const pdb = one(manifests, 'PodDisruptionBudget', name).spec as { selector: { matchLabels: Record<string, string> }; maxUnavailable: number };
      assert.ok(matches(pdb.selector.matchLabels, labels));
      assert.equal(pdb.maxUnavailable, 1);
      // No two workloads' selectors overlap, or a Service would mix their pods.
      for (const other of deploymentNames.filter((n) => n !== name)) {
        assert.equal(matches(selector, podTemplate(one(manifests, 'Deployment', other)).metadata.labels), false);
      }
    }
  });

  test('the processors run `loyalty run <processor>`, the sink `sink clickhouse`, each on its declared port', () => {
    const args = (name: string): string[] => (podTemplate(one(manifests, 'Deployment', name)).spec.containers[0] as Container & { args: string[] }).args;
    assert.deepEqual(args('ls-member').slice(0, 2), ['run', 'member']);
    assert.deepEqual(args('ls-card-fraud').slice(0, 2), ['run', 'card-fraud']);
    assert.deepEqual(args('ls-sink').slice(0, 2), ['sink', 'clickhouse']);
    for (const name of deploymentNames) {
      const container = podTemplate(one(manifests, 'Deployment', name)).spec.containers[0];
      // `loyalty run` names its metrics/health port --http-port; sink and dashboard say --port.
      const portFlag = args(name).findIndex((arg) => arg === (args(name)[0] === 'run' ? '--http-port' : '--port'));
      assert.ok(portFlag > 0, `${name} does not pass its port flag`);
      assert.equal(Number(args(name)[portFlag + 1]), container?.ports?.[0]?.containerPort, `${name} port flag differs from its containerPort`);
    }
    assert.equal((one(manifests, 'ConfigMap', 'ls-config').data as Obj).LOYALTY_HTTP_HOST, '0.0.0.0');
  });

  test('probes hit a port the container declares; processors: liveness /healthz, readiness /readyz', () => {
    const path = (container: Container, probe: 'livenessProbe' | 'startupProbe' | 'readinessProbe'): string | undefined =>
      (container[probe] as { httpGet?: { path: string } } | undefined)?.httpGet?.path;
    for (const name of deploymentNames) {
      for (const container of podTemplate(one(manifests, 'Deployment', name)).spec.containers) {
        const ports = (container.ports ?? []).map((p) => p.name);
        for (const probe of ['livenessProbe', 'startupProbe', 'readinessProbe'] as const) {
          const get = (container[probe] as { httpGet?: { path: string; port: string } } | undefined)?.httpGet;
          assert.match(get?.path ?? '', /^\//, `${name} ${probe} has no path`);
          assert.ok(ports.includes(get?.port ?? ''), `${name} ${probe} port ${get?.port} is not declared`);
        }
        assert.equal(path(container, 'startupProbe'), path(container, 'livenessProbe'));
        assert.ok(Number((container.livenessProbe as { failureThreshold: number }).failureThreshold) >= 3, 'liveness must tolerate a slow rebalance');
      }
    }
    for (const name of ['ls-member', 'ls-card-fraud']) {
      const container = podTemplate(one(manifests, 'Deployment', name)).spec.containers[0] as Container;
      assert.equal(path(container, 'livenessProbe'), '/healthz');
      assert.equal(path(container, 'readinessProbe'), '/readyz');
    }
  });

  test('pods run non-root with a read-only root file system and no privilege escalation; resources set', () => {
    const pods = [...all(manifests, 'Deployment'), ...all(manifests, 'Job')].map(podTemplate);
    assert.ok(pods.length >= 5);
    for (const pod of pods) {
      const podSecurity = pod.spec.securityContext as { runAsNonRoot: boolean; runAsUser: number };
      assert.equal(podSecurity.runAsNonRoot, true);
      assert.notEqual(podSecurity.runAsUser, 0);
      for (const container of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
        const security = container.securityContext as { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
        assert.equal(security.readOnlyRootFilesystem, true, container.name);
        assert.equal(security.allowPrivilegeEscalation, false, container.name);
        assert.deepEqual(security.capabilities.drop, ['ALL']);
        const volumes = (pod.spec.volumes ?? []).map((v) => v.name);
        for (const mount of container.volumeMounts ?? []) assert.ok(volumes.includes(mount.name), `${container.name} mounts missing volume ${mount.name}`);
        assert.ok((container.volumeMounts ?? []).some((m) => m.name === 'tmp'), `${container.name} needs a writable /tmp (tsx cache)`);
      }
    }
    for (const name of deploymentNames) {
      const resources = podTemplate(one(manifests, 'Deployment', name)).spec.containers[0]?.resources;
      assert.ok(resources?.requests?.memory && resources.limits?.memory, `${name} resources`);
    }
  });

  test('pods reference the rendered ConfigMap and Secret; checksums roll pods on a config change', () => {
    const configMap = one(manifests, 'ConfigMap', 'ls-config');
    one(manifests, 'Secret', 'ls-secrets');
    for (const name of deploymentNames) {
      const pod = podTemplate(one(manifests, 'Deployment', name));
      assert.equal(pod.spec.containers[0]?.envFrom?.[0]?.configMapRef?.name, configMap.metadata.name);
      assert.equal(pod.spec.volumes?.find((v) => v.name === 'secrets')?.secret?.secretName, 'ls-secrets');
      assert.match(pod.metadata.annotations?.['checksum/config'] ?? '', /^[0-9a-f]{64}$/);
    }
    const before = podTemplate(one(manifests, 'Deployment', 'ls-member')).metadata.annotations?.['checksum/config'];
    const after = podTemplate(one(render({ redis: { url: 'redis://other:6379' } }), 'Deployment', 'ls-member')).metadata.annotations?.['checksum/config'];
    assert.notEqual(before, after);
  });

  test('no secret value is in the ConfigMap, and its env with the Secret files is a valid configuration', () => {
    const rendered = render({ secrets: { kafkaSaslPassword: 'kpw', redisPassword: 'rpw', clickhousePassword: 'cpw' } });
    const data = one(rendered, 'ConfigMap', 'ls-config').data as Record<string, string>;
    for (const key of Object.keys(data)) assert.doesNotMatch(key, /PASSWORD$|SECRET|TOKEN/, `${key} looks like a secret in a ConfigMap`);
    const dir = mkdtempSync(join(tmpdir(), 'loyalty-helm-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    for (const [key, value] of Object.entries(one(rendered, 'Secret', 'ls-secrets').stringData as Record<string, string>)) writeFileSync(join(dir, key), value);
    const env = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace('/var/run/secrets/loyalty', dir)]));
    const security = loadSecuritySettings(env, { redisUrl: data.REDIS_URL ?? '', clickhouseUrl: data.CLICKHOUSE_URL });
    assert.equal(security.kafka.sasl?.mechanism, 'scram-sha-256');
    assert.equal(security.kafka.sasl?.password.reveal(), 'kpw');
    assert.equal(security.redis.password?.reveal(), 'rpw');
    assert.equal(security.clickhouse.password?.reveal(), 'cpw');
  });

  test('existingSecret replaces the chart Secret everywhere', () => {
    const rendered = render({ secrets: { existingSecret: 'prod-loyalty' } });
    assert.equal(all(rendered, 'Secret').some((s) => s.metadata.name === 'ls-secrets'), false);
    for (const d of all(rendered, 'Deployment')) assert.equal(podTemplate(d).spec.volumes?.find((v) => v.name === 'secrets')?.secret?.secretName, 'prod-loyalty');
  });

  test('no ScaledObject or ServiceMonitor by default', () => {
    assert.equal(all(manifests, 'ScaledObject').length, 0);
    assert.equal(all(manifests, 'ServiceMonitor').length, 0);
  });
});

describe('helm chart options rendered by minimal substitution (not helm)', () => {
  test('KEDA: ScaledObject targets its Deployment, maxReplicaCount is the partition count, replicas left to KEDA', () => {
    const rendered = render({ workloads: { member: { partitions: 24, keda: { enabled: true } } } });
    const scaled = one(rendered, 'ScaledObject', 'ls-member').spec as { scaleTargetRef: { name: string }; maxReplicaCount: number; triggers: { type: string; metadata: Obj; authenticationRef?: { name: string } }[] };
    assert.equal(scaled.scaleTargetRef.name, 'ls-member');
    one(rendered, 'Deployment', scaled.scaleTargetRef.name);
    assert.equal(scaled.maxReplicaCount, 24);
    assert.equal(scaled.triggers[0]?.type, 'kafka');
    assert.equal(scaled.triggers[0]?.metadata.consumerGroup, 'loyalty-member');
    assert.equal(scaled.triggers[0]?.authenticationRef?.name, 'ls-kafka');
    one(rendered, 'TriggerAuthentication', 'ls-kafka');
    assert.equal((one(rendered, 'Deployment', 'ls-member').spec as Obj).replicas, undefined);
    assert.equal((one(rendered, 'Deployment', 'ls-sink').spec as Obj).replicas, 1);
  });

  test('ServiceMonitor selects the workload Services and scrapes every one with a metrics port', () => {
    const rendered = render({ serviceMonitor: { enabled: true, labels: { release: 'prom' } } });
    const monitor = one(rendered, 'ServiceMonitor', 'ls');
    assert.equal(monitor.metadata.labels?.release, 'prom');
    const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    const services = all(rendered, 'Service').filter((s) => matches(spec.selector.matchLabels, s.metadata.labels));
    assert.equal(services.length, 4);
    const scraped = spec.endpoints.map((e) => e.port);
    const withMetrics = services.filter((s) => (s.spec as { ports: { name: string }[] }).ports.some((p) => p.name === 'metrics'));
    assert.deepEqual(withMetrics.map((s) => s.metadata.name).sort(), ['ls-card-fraud', 'ls-member', 'ls-sink']);
    assert.ok(scraped.includes('metrics'));
  });

  test('a disabled workload renders nothing; SASL off removes the KEDA auth objects', () => {
    const rendered = render({ workloads: { dashboard: { enabled: false } }, kafka: { sasl: { enabled: false } } });
    assert.equal(all(rendered, 'Deployment').some((d) => d.metadata.name === 'ls-dashboard'), false);
    assert.equal(all(rendered, 'TriggerAuthentication').length, 0);
    assert.equal((one(rendered, 'ConfigMap', 'ls-config').data as Obj).KAFKA_SASL_MECHANISM, undefined);
  });

  test("each workload's partitions (KEDA's cap) equals the partition count of its input topic in topics/catalog.ts", () => {
    const workloads = defaults.workloads as Record<string, { partitions: number; keda: { topic?: string } }>;
    for (const [key, workload] of Object.entries(workloads)) {
      if (workload.keda.topic === undefined) continue;
      const spec = specOfTopic(workload.keda.topic, '');
      assert.ok(spec, `${key}: topic ${workload.keda.topic} is not in topics/catalog.ts`);
      assert.equal(workload.partitions, spec.partitions, `${key}.partitions`);
    }
  });

  test('the setup Job is named per release revision (Jobs are immutable)', () => {
    one(render(), 'Job', 'ls-setup-3');
  });
});
