// `npm run bench [-- name…]`: runs the benchmarks in bench/<name>/run.ts one after another (all by
// default), each on the real local stack; engine, serde, sink and replay append their section to BENCHMARKS.md (member prints its table).
// Benchmarks are not tests: they measure and report, they never fail on a number.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../engine/config.ts';

const benchDir = join(REPO_ROOT, 'bench');
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .sort();
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : available) {
  process.stdout.write(`== bench/${name}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, name, 'run.ts')], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`bench/${name} exited with ${result.status ?? result.signal}\n`);
    process.exit(1);
  }
}
