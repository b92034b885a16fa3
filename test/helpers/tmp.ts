import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop() as string, { recursive: true, force: true });
});

/** A fresh directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'toolgate-test-'));
  dirs.push(dir);
  return dir;
}

export const tempDbPath = (): string => join(tempDir(), 'toolgate.db');

export const REGISTRY_PATH = fileURLToPath(new URL('../../data/registry.yml', import.meta.url));
