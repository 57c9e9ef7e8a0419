// `loyalty schemas register|check`: the avro/ contracts under their topics' value subjects.
import type { Command } from 'commander';
import { RegistryClient } from '../../avro/registry-client.ts';
import { schemaText } from '../../avro/schemas.ts';
import { valueSubject } from '../../avro/serde.ts';
import { TOPICS, TOPIC_PREFIX_ENV, topicName } from '../../topics/catalog.ts';
import { registrySettings } from '../../topics/connection.ts';
import { CliError, EXIT, printJson } from '../output.ts';

interface Flags { registry?: string; prefix?: string; json?: boolean }

/** Every value subject of the catalog with the record it carries. */
function subjects(prefix: string | undefined): { subject: string; record: string }[] {
  return TOPICS.flatMap((t) => (t.valueRecord ? [{ subject: valueSubject(topicName(t.base, prefix)), record: t.valueRecord }] : []));
}

function client(flags: Flags): RegistryClient {
  const { url, auth } = registrySettings(flags.registry ? { registry: flags.registry } : {});
  return new RegistryClient(url, auth);
}

export function register(program: Command): void {
  const schemas = program.command('schemas').description('Avro contracts (avro/*.avsc) in the schema registry, subjects <topic>-value');
  const common = (cmd: Command): Command => cmd
    .option('--registry <url>', 'schema registry URL (default: config / SCHEMA_REGISTRY_URL / stack)')
    .option('--prefix <prefix>', `topic name prefix (default: env ${TOPIC_PREFIX_ENV})`)
    .option('--json', 'print JSON');

  common(schemas.command('register').description('register every contract under its topic\'s value subject (idempotent)'))
    .action(async (flags: Flags) => {
      const registry = client(flags);
      const results = [];
      for (const { subject, record } of subjects(flags.prefix ?? process.env[TOPIC_PREFIX_ENV])) {
        const id = await registry.register(subject, schemaText(record));
        results.push({ subject, record, id });
        if (!flags.json) process.stdout.write(`${subject}: ${record} -> id ${id}\n`);
      }
      if (flags.json) printJson(results);
    });

  common(schemas.command('check').description('check each contract against the registry\'s latest version under the subject\'s compatibility level'))
    .addHelpText('after', '\nExit code 1 when a contract is incompatible; the message names the field.')
    .action(async (flags: Flags) => {
      const registry = client(flags);
      const results = [];
      for (const { subject, record } of subjects(flags.prefix ?? process.env[TOPIC_PREFIX_ENV])) {
        const latest = await registry.latest(subject);
        const level = await registry.compatibility(subject);
        const { isCompatible, messages } = latest ? await registry.testCompatibility(subject, schemaText(record)) : { isCompatible: true, messages: [] };
        const status = !latest ? 'new subject' : isCompatible ? `compatible (${level}, latest v${latest.version})` : `INCOMPATIBLE (${level})`;
        results.push({ subject, record, level, latestVersion: latest?.version ?? null, compatible: isCompatible, messages });
        if (!flags.json) {
          process.stdout.write(`${subject}: ${record} ${status}\n`);
          for (const message of messages) process.stdout.write(`  ${message}\n`);
        }
      }
      if (flags.json) printJson(results);
      const broken = results.filter((r) => !r.compatible);
      if (broken.length > 0) {
        throw new CliError(`${broken.length} contract(s) incompatible with the registry: ${broken.map((b) => `${b.subject}: ${b.messages.join('; ')}`).join(' | ')}`, EXIT.FAILED);
      }
    });
}
