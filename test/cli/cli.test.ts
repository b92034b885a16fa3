import { fileURLToPath } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { REGISTRY_PATH, tempDbPath, tempDir } from '../helpers/tmp.ts';

describe('toolgate CLI', () => {
  it('ask: the same answer as Slack, importing the registry into an empty database first', async () => {
    const r = await cli(['ask', 'claude', 'code']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Status:       Exception required');
    expect(r.err).toContain('imported 45 tools');
  });

  it('ask --user and --region apply the region rules; --json is for machines', async () => {
    const db = tempDbPath();
    expect((await cli(['ask', 'claude-code', '--user', 'U0ALICE'], { DATABASE_PATH: db })).out).toContain('Prohibited');
    expect((await cli(['ask', 'claude-code', '--region', 'cn'], { DATABASE_PATH: db })).out).toContain('Prohibited');
    const json = JSON.parse((await cli(['ask', 'claude-code', '--json'], { DATABASE_PATH: db })).out);
    expect(json).toMatchObject({
      kind: 'found',
      tool: { id: 'claude-code' },
      verdict: { status: 'exception_required', label: 'Exception required' },
    });
  });

  it('exit codes: 0 found, 1 not found, 2 bad input', async () => {
    const db = tempDbPath();
    expect((await cli(['ask', 'no such tool anywhere'], { DATABASE_PATH: db })).code).toBe(1);
    const words = await cli(['ask', 'copilot', 'chat', 'enterprise'], { DATABASE_PATH: db });
    expect(words).toMatchObject({
      code: 1,
      out: expect.stringMatching(/Not in registry\nDid you mean: GitHub Copilot, Microsoft Copilot/),
    });
    expect((await cli(['ask'], { DATABASE_PATH: db })).code).toBe(2);
    expect((await cli(['ask', 'cursor', '--bogus'], { DATABASE_PATH: db })).code).toBe(2);
    expect((await cli(['ask', 'cursor', '--user', 'alice'], { DATABASE_PATH: db })).err).toContain(
      '--user must be a Slack user id',
    );
    expect((await cli(['frobnicate'], { DATABASE_PATH: db })).code).toBe(2);
    expect((await cli(['ask', 'cursor'], { DATABASE_PATH: db, DEFAULT_REGION: 'Not A Region!' })).code).toBe(2);
  });

  it('registry export produces YAML that imports back to the same registry', async () => {
    const db = tempDbPath();
    const exported = (await cli(['registry', 'export'], { DATABASE_PATH: db })).out;
    const file = join(tempDir(), 'exported.yml');
    writeFileSync(file, exported);
    const db2 = tempDbPath();
    const imported = await cli(['registry', 'import', file], { DATABASE_PATH: db2 });
    expect(imported.out).toMatch(/45 added, 0 updated, 0 unchanged, 0 removed/);
    expect((await cli(['registry', 'export'], { DATABASE_PATH: db2 })).out).toBe(exported);
    expect((await cli(['registry', 'import', file], { DATABASE_PATH: db2 })).out).toMatch(
      /0 added, 0 updated, 45 unchanged/,
    );
  });

  it('registry import of a bad file names the bad field and changes nothing', async () => {
    const db = tempDbPath();
    await cli(['registry', 'import'], { DATABASE_PATH: db });
    const before = (await cli(['registry', 'export'], { DATABASE_PATH: db })).out;
    const bad = join(tempDir(), 'bad.yml');
    writeFileSync(bad, readFileSync(REGISTRY_PATH, 'utf8').replace('status: exception_required', 'status: maybe'));
    const r = await cli(['registry', 'import', bad, '--prune'], { DATABASE_PATH: db });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/tools\[0\]\.status: expected one of approved\|conditional\|exception_required\|prohibited/);
    expect((await cli(['registry', 'export'], { DATABASE_PATH: db })).out).toBe(before);
  });

  it('registry list shows every tool with its status for a region', async () => {
    const db = tempDbPath();
    const r = await cli(['registry', 'list', '--region', 'cn'], { DATABASE_PATH: db });
    expect(r.out.split('\n')).toHaveLength(45);
    expect(r.out).toMatch(/claude-code\s+prohibited/);
  });

  it('the installed bin runs without Slack credentials', () => {
    const db = tempDbPath();
    const bin = fileURLToPath(new URL('../../bin/toolgate.mjs', import.meta.url));
    const out = execFileSync(bin, ['ask', 'chatgtp'], {
      env: { ...process.env, DATABASE_PATH: db, REGISTRY_PATH },
      encoding: 'utf8',
    });
    expect(out).toContain('ChatGPT (OpenAI, US)');
    const missing = spawnSync(bin, ['ask', 'nothing like it at all'], {
      env: { ...process.env, DATABASE_PATH: db },
      encoding: 'utf8',
    });
    expect(missing.status).toBe(1);
  });

  it('does not load Bolt or anything of Slack: the compiled CLI answers without it', () => {
    // Bolt and the Slack SDK are CommonJS: whatever of them is loaded shows in require's cache.
    const script = `
      import { createRequire } from 'node:module';
      const { runCli } = await import('./dist/cli/main.js');
      const code = await runCli(['ask', 'cursor'], { DATABASE_PATH: process.env.DATABASE_PATH, REGISTRY_PATH: process.env.REGISTRY_PATH }, { out() {}, err() {} });
      const slack = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('@slack'));
      console.log(JSON.stringify({ code, slack }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', DATABASE_PATH: tempDbPath(), REGISTRY_PATH },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ code: 0, slack: [] });
  });

  it('registry import of YAML with an alias to nothing says so, exit 2, no stack trace', async () => {
    const bad = join(tempDir(), 'alias.yml');
    writeFileSync(bad, 'regions: *nothing\n');
    const r = await cli(['registry', 'import', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not a valid registry');
    expect(r.err).toContain('YAML: ');
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
