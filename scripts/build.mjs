#!/usr/bin/env node
// npm run build: compile src/ to plain JavaScript for `node` (tsc, with source maps), then copy
// what tsc does not: the SQL migrations and the playground's page. `node scripts/build.mjs <dir>`
// builds into another directory. tsc builds incrementally and never deletes the output of a removed
// source file: `rm -rf dist && npm run build` when files were removed.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, process.argv[2] ?? 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const ASSETS = [
  // [from, to], relative to src/ and the output directory
  ['store/sqlite/migrations', 'store/sqlite/migrations'],
  ['playground/public', 'playground/public'],
];

execFileSync(
  process.execPath,
  [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir, '--tsBuildInfoFile', join(outDir, '.tsbuildinfo')],
  {
    stdio: 'inherit',
  },
);
for (const [from, to] of ASSETS) {
  const target = join(outDir, to);
  // A file removed from src/ must not linger in the build.
  if (existsSync(target)) rmSync(target, { recursive: true });
  cpSync(join(root, 'src', from), target, { recursive: true, filter: (path) => !path.endsWith('tsconfig.json') });
}
