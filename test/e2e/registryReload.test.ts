// Issue 11: the bot answers from the registry held in memory, and a change committed anywhere is in
// the next answer. Here the change is an import by the compiled CLI, a second process, while the bot runs.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { ask } from '../helpers/exceptions.ts';
import { ROOT } from '../helpers/npmStart.ts';
import { REGISTRY_PATH, tempDir } from '../helpers/tmp.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
});

describe('a registry import from another process', () => {
  it('is in the next answer of the running bot', async () => {
    h = await startHarness({ env: { SWEEP_INTERVAL_MS: '0' } });
    const before = await ask(h, 'U0BOB', 'claude code');
    expect(before.shown).toContain('Claude Code');
    expect(before.shown).toContain('Exception required');
    expect((await ask(h, 'U0BOB', 'claude terminal')).text).not.toMatch(/Claude Code/);

    // The same file with Claude Code renamed, given an alias, and approved.
    const changed = readFileSync(REGISTRY_PATH, 'utf8')
      .replace('name: Claude Code\n', 'name: Claude Code Desk\n')
      .replace(
        'aliases: [claude cli, anthropic claude code]',
        'aliases: [claude cli, anthropic claude code, claude terminal]',
      )
      .replace(/(id: claude-code\n(?:.*\n)*? {4})status: exception_required/, '$1status: approved');
    expect(changed).toContain('Claude Code Desk');
    const file = join(tempDir(), 'registry.yml');
    writeFileSync(file, changed);
    const out = execFileSync(process.execPath, ['bin/toolgate.mjs', 'registry', 'import', file], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_PATH: h.config.databasePath, REGISTRY_PATH },
      encoding: 'utf8',
    });
    expect(out).toContain('1 updated');

    const after = await ask(h, 'U0BOB', 'claude code');
    expect(after.shown).toContain('Claude Code Desk');
    expect(after.shown).toContain('Approved');
    expect(after.shown).not.toContain('Exception required');
    expect((await ask(h, 'U0BOB', 'claude terminal')).shown).toContain('Claude Code Desk');
  });
});
