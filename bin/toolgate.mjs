#!/usr/bin/env node
// The toolgate command, compiled: `npm install` builds dist/ (the prepare script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/run.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('toolgate is not built yet: run `npm run build` (npm install does it) and try again.');
  process.exit(2);
}
await import(cli.href);
