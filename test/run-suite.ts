// Runs one suite with node's test runner: `unit` (pure, no services, files in parallel),
// `integration` (integration and e2e tests on the real local stack) or `chaos`. Node 20's runner
// does not expand globs, so the files are listed here. The stack comes up once here rather than in
// every test file; afterwards it is stopped only if this run started it, so CI leaves no process
// behind and a developer's running stack is kept. The runner's output (with its summary lines) is
// streamed through unchanged.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../engine/config.ts';
import { stackDown, stackUp } from '../stack/index.ts';

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const suite = process.argv[2] ?? 'integration';
const rootsBySuite: Record<string, string[]> = { unit: ['test/unit'], integration: ['test/integration', 'test/e2e'], chaos: ['test/chaos'] };
const roots = rootsBySuite[suite];
if (!roots) {
  process.stderr.write(`unknown suite "${suite}"; expected one of ${Object.keys(rootsBySuite).join(', ')}\n`);
  process.exit(2);
}
const files = roots.flatMap((root) => testFiles(join(REPO_ROOT, root))).map((f) => relative(REPO_ROOT, f));

if (files.length === 0) {
  process.stdout.write(`no test files under ${roots.join(', ')}\n`);
  process.exit(0);
}

const log = (line: string): void => {
  process.stderr.write(`[stack] ${line}\n`);
};
const needsStack = suite !== 'unit';
let startedHere = false;
if (needsStack) {
  const up = await stackUp({ log });
  startedHere = up.started.length > 0;
  for (const problem of up.problems) log(`warning: ${problem}`);
  log(`${startedHere ? `started ${up.started.join(', ')}` : 'reusing the running stack'}; running ${files.length} test file(s)`);
}

const exitCode = await new Promise<number>((resolveExit) => {
  const concurrency = needsStack ? 1 : 2;
  const runner = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { cwd: REPO_ROOT, stdio: 'inherit' });
  // On Ctrl-C or a CI cancel, let the runner finish its own shutdown, then still stop the stack below.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      runner.kill(signal);
    });
  }
  runner.on('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
});

if (startedHere) {
  const down = await stackDown({ log });
  log(`stopped ${down.stopped.join(', ') || 'nothing'} (this run started the stack)`);
}
process.exit(exitCode);
