// Starts the project's schema registry (`loyalty registry serve`, written in cli/commands/registry.ts
// by the contracts work) as a detached child of the stack. Until that command exists the stack runs
// without a registry and says so in its status.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type ProcessState } from '../engine/config.ts';
import { freePort, isOurProcess, spawnDetached, stopProcess, waitUntil } from './process.ts';

export type RegistryState = ProcessState & { url: string; port: number };

const BIN = join(REPO_ROOT, 'bin', 'loyalty.js');

export function registryCommandExists(): boolean {
  return existsSync(join(REPO_ROOT, 'cli', 'commands', 'registry.ts'));
}

export function registryMarkers(port: number): string[] {
  return [BIN, 'registry', 'serve', `--port ${port}`];
}

/** Healthy = GET <url>/subjects answers 200. */
export async function registryHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Reuses or starts the registry. A registry that does not come up is reported as a problem instead
 * of thrown: tests and tools that do not need it keep working, and `stack status` shows it unhealthy.
 */
export async function ensureRegistry(home: string, brokers: string[], previous: RegistryState | null): Promise<{ state: RegistryState; outcome: 'reused' | 'started' | 'failed'; problem?: string }> {
  if (previous && isOurProcess(previous.pid, registryMarkers(previous.port)) && (await registryHealthy(previous.url))) {
    return { state: previous, outcome: 'reused' };
  }
  const port = await freePort();
  const logFile = join(home, 'registry', 'registry.log');
  const pid = spawnDetached(process.execPath, [BIN, 'registry', 'serve', '--port', String(port), '--brokers', brokers.join(',')], logFile, REPO_ROOT);
  const url = `http://127.0.0.1:${port}`;
  const state: RegistryState = { url, port, pid, startedByStack: true, logFile };
  try {
    await waitUntil('schema registry', 30_000, () => registryHealthy(url), () => isOurProcess(pid, registryMarkers(port)), `see ${logFile}`);
    return { state, outcome: 'started' };
  } catch (err) {
    await stopProcess(pid, 5000);
    return { state: { ...state, pid: null }, outcome: 'failed', problem: err instanceof Error ? err.message : String(err) };
  }
}
