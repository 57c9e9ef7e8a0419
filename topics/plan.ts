// What `topics apply` would change: a pure comparison of the catalog with the cluster's topics.
// Partition increases of keyed topics are refused unless forced, and decreases always are,
// because Kafka cannot remove partitions and a key's partition is hash(key) % partitions.
import type { CleanupPolicy, TopicSpec } from './catalog.ts';

export interface ExistingTopic {
  partitions: number;
  replication: number;
  configs: { 'cleanup.policy'?: string; 'retention.ms'?: string };
}

export interface WantedTopic { name: string; spec: TopicSpec; replication: number }

export type TopicChange =
  | { kind: 'create'; name: string; partitions: number; replication: number; configs: ManagedConfigs }
  | { kind: 'partitions'; name: string; from: number; to: number }
  | { kind: 'config'; name: string; configs: ManagedConfigs; diff: { config: string; from: string | undefined; to: string }[] };

export interface TopicNote { name: string; message: string }

export interface TopicPlan {
  changes: TopicChange[];
  /** Changes refused (the apply stops when there is any). */
  refusals: TopicNote[];
  /** Differences reported but not changed (replication) and topics already matching. */
  notes: TopicNote[];
  unchanged: string[];
}

export interface ManagedConfigs { 'cleanup.policy': CleanupPolicy; 'retention.ms': string }

export function managedConfigs(spec: TopicSpec): ManagedConfigs {
  return { 'cleanup.policy': spec.cleanupPolicy, 'retention.ms': String(spec.retentionMs) };
}

/** The catalog under a prefix, with replication capped to the brokers the cluster has. */
export function wantedTopics(specs: readonly TopicSpec[], name: (base: string) => string, brokers: number): WantedTopic[] {
  return specs.map((spec) => ({ name: name(spec.base), spec, replication: Math.max(1, Math.min(spec.replication, brokers)) }));
}

export function planTopics(wanted: WantedTopic[], existing: ReadonlyMap<string, ExistingTopic>, options: { force: boolean }): TopicPlan {
  const plan: TopicPlan = { changes: [], refusals: [], notes: [], unchanged: [] };
  for (const { name, spec, replication } of wanted) {
    const configs = managedConfigs(spec);
    const current = existing.get(name);
    if (!current) {
      plan.changes.push({ kind: 'create', name, partitions: spec.partitions, replication, configs });
      continue;
    }
    let changed = false;
    if (spec.partitions < current.partitions) {
      plan.refusals.push({ name, message: `has ${current.partitions} partitions, the catalog wants ${spec.partitions}: Kafka cannot remove partitions (recreate the topic to shrink it)` });
      changed = true;
    } else if (spec.partitions > current.partitions) {
      if (spec.keyed && !options.force) {
        plan.refusals.push({
          name,
          message: `partitions ${current.partitions} -> ${spec.partitions} refused: the topic is keyed (${spec.key}); keys would move to other partitions, breaking per-key order and the per-partition state built from it. Re-run with --force once consumers are stopped and state can be rebuilt`,
        });
      } else {
        plan.changes.push({ kind: 'partitions', name, from: current.partitions, to: spec.partitions });
      }
      changed = true;
    }
    const diff = (Object.keys(configs) as (keyof ManagedConfigs)[])
      .filter((config) => current.configs[config] !== configs[config])
      .map((config) => ({ config, from: current.configs[config], to: configs[config] }));
    if (diff.length > 0) {
      plan.changes.push({ kind: 'config', name, configs, diff });
      changed = true;
    }
    if (current.replication !== replication) {
      plan.notes.push({ name, message: `replication is ${current.replication}, the catalog wants ${replication}: not changed by apply (needs a partition reassignment)` });
    }
    if (!changed) plan.unchanged.push(name);
  }
  return plan;
}

/** The plan as diff lines: `+` create, `~` change, `!` refused, `=` unchanged, `#` note. */
export function describePlan(plan: TopicPlan): string[] {
  const lines: string[] = [];
  for (const change of plan.changes) {
    if (change.kind === 'create') {
      const configs = Object.entries(change.configs).map(([k, v]) => `${k}=${v}`).join(' ');
      lines.push(`+ ${change.name}: create, partitions=${change.partitions} replication=${change.replication} ${configs}`);
    } else if (change.kind === 'partitions') {
      lines.push(`~ ${change.name}: partitions ${change.from} -> ${change.to}`);
    } else {
      lines.push(`~ ${change.name}: ${change.diff.map((d) => `${d.config} ${d.from ?? '(unset)'} -> ${d.to}`).join(', ')}`);
    }
  }
  for (const refusal of plan.refusals) lines.push(`! ${refusal.name}: ${refusal.message}`);
  for (const note of plan.notes) lines.push(`# ${note.name}: ${note.message}`);
  for (const name of plan.unchanged) lines.push(`= ${name}: up to date`);
  return lines;
}
