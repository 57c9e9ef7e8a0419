// The commands the deploy files run (docker-compose.kafka.yml, the Helm chart's values) exist in
// the `loyalty` CLI with the flags they pass: each one's `--help` is asked of the real CLI.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../engine/config.ts';

const run = promisify(execFile);

/** Commands with subcommands; for the others the rest of the arguments are operands and flags. */
const GROUPS = new Set(['sink', 'topics', 'schemas']);

function deployedCommands(): string[][] {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.kafka.yml'), 'utf8'), { merge: true }) as { services: Record<string, { build?: string; command?: string[] }> };
  const fromCompose = Object.values(compose.services).filter((s) => s.build === '.' && s.command).map((s) => s.command as string[]);
  const values = parse(readFileSync(join(REPO_ROOT, 'helm/loyalty-streams/values.yaml'), 'utf8')) as { workloads: Record<string, { args: string[] }> };
  const fromHelm = Object.values(values.workloads).map((w) => w.args);
  const setupJob = readFileSync(join(REPO_ROOT, 'helm/loyalty-streams/templates/setup-job.yaml'), 'utf8');
  const fromJob = [...setupJob.matchAll(/args: (\[.*\])/g)].map((m) => JSON.parse(m[1] ?? '[]') as string[]);
  return [...fromCompose, ...fromHelm, ...fromJob];
}

function commandPath(args: string[]): string[] {
  const [first, second] = args;
  return first !== undefined && GROUPS.has(first) && second !== undefined ? [first, second] : [first ?? ''];
}

describe('deploy files against the loyalty CLI', () => {
  test('every deployed command and flag is in the CLI', { timeout: 120_000 }, async () => {
    const commands = deployedCommands();
    assert.ok(commands.length >= 8);
    const paths = [...new Set(commands.map((args) => commandPath(args).join(' ')))];
    const help = new Map(await Promise.all(paths.map(async (path) => {
      const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'bin', 'loyalty.js'), ...path.split(' '), '--help'], { cwd: REPO_ROOT, timeout: 60_000 });
      return [path, stdout] as const;
    })));
    for (const args of commands) {
      const path = commandPath(args).join(' ');
      const text = help.get(path) ?? '';
      assert.match(text, new RegExp(`^Usage: loyalty ${path} `, 'm'), `loyalty ${path} does not exist`);
      for (const flag of args.filter((a) => a.startsWith('--'))) {
        assert.ok(text.includes(`${flag} `) || text.includes(`${flag}\n`), `loyalty ${path} has no ${flag} (deployed as: ${args.join(' ')})`);
      }
    }
  });
});
