// What the operator commands need to know about the processors: their definitions (names,
// inputs, global tables), the topics they read (writing there changes live results, so replay
// and redrive ask for --yes), their consumer group and changelog names.
import { changelogTopic } from '../../engine/changelog.ts';
import type { ProcessorDefinition } from '../../engine/types.ts';
import { createProcessors, PROCESSOR_NAMES, type ProcessorName } from '../../processors/index.ts';
import { loadProgram } from '../../processors/program.ts';
import { CliError, EXIT } from '../output.ts';

/** The processors as `loyalty run` builds them for this topic prefix (undefined: the environment's). */
export function processorDefinitions(prefix?: string): Record<ProcessorName, ProcessorDefinition> {
  return createProcessors({ program: loadProgram(), ...(prefix === undefined ? {} : { topicPrefix: prefix }) });
}

/** Every topic some processor reads: its inputs and its global tables. */
export function processorReadTopics(prefix?: string): Set<string> {
  const topics = new Set<string>();
  for (const definition of Object.values(processorDefinitions(prefix))) {
    for (const input of definition.inputs) topics.add(input.topic);
    for (const table of Object.values(definition.globals ?? {})) topics.add(table.topic);
  }
  return topics;
}

/** The input topics of every processor (where stream time enters), in a stable order. */
export function processorInputTopics(prefix?: string): string[] {
  const topics = new Set<string>();
  for (const definition of Object.values(processorDefinitions(prefix))) for (const input of definition.inputs) topics.add(input.topic);
  return [...topics].sort();
}

export function processorByName(name: string, prefix?: string): ProcessorDefinition {
  if (!(PROCESSOR_NAMES as readonly string[]).includes(name)) {
    throw new CliError(`unknown processor ${JSON.stringify(name)}: use one of ${PROCESSOR_NAMES.join(', ')}`, EXIT.USAGE);
  }
  return processorDefinitions(prefix)[name as ProcessorName];
}

/** The consumer group of a processor, as the engine names it. */
export function processorGroup(appId: string, processor: string): string {
  return `${appId}-${processor}`;
}

export function processorChangelog(appId: string, processor: string): string {
  return changelogTopic(appId, processor);
}
