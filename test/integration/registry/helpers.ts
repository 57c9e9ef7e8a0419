// A registry of our own per test file, on the real broker, with a unique log topic removed afterwards.
import { startRegistry, type RunningRegistry } from '../../../stack/registry/server.ts';
import { deleteTopics, getStack, uniqueName } from '../harness.ts';

export interface TestRegistry extends RunningRegistry { topic: string; restart(): Promise<TestRegistry> }

export async function startTestRegistry(topic = uniqueName('_schemas-test')): Promise<TestRegistry> {
  const { brokers } = await getStack();
  const running = await startRegistry({ port: 0, topic, brokers });
  return {
    ...running,
    topic,
    async restart() {
      await running.close();
      return startTestRegistry(topic);
    },
  };
}

export async function stopTestRegistry(registry: TestRegistry | undefined): Promise<void> {
  if (!registry) return;
  await registry.close();
  await deleteTopics([registry.topic]);
}

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function http(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; type: string | null; json: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': CONTENT_TYPE },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), json: text === '' ? null : JSON.parse(text) };
}

/** A record schema `t.R` with the given fields, as registry request text. */
export function recordSchema(fields: unknown[]): string {
  return JSON.stringify({ type: 'record', name: 'R', namespace: 't', fields });
}
