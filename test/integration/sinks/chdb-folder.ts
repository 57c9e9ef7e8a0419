// A fresh chDB data folder for one test under `.loyalty/tmp/` (git-ignored), removed afterwards.
// chDB binds one data folder per process, so a test file opens its folders one after the other.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../engine/config.ts';
import { uniqueName } from '../harness.ts';

export interface ChdbFolder {
  path: string;
  remove(): void;
}

export function chdbFolder(label: string): ChdbFolder {
  const path = join(loadConfig().home, 'tmp', uniqueName(`chdb-${label}`));
  mkdirSync(path, { recursive: true });
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
