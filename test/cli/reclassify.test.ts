// Reclassification from the command line (issue 12): an import that revokes needs --yes, a dry run
// changes nothing, `registry edit` does the same for one tool, and `registry history` tells the story.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli as toolgate } from '../helpers/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { openContext } from '../../src/context.ts';
import { decide, requestException } from '../../src/service/exceptions.ts';
import { importRegistryFile } from '../../src/service/registryFile.ts';
import { REGISTRY_PATH, tempDbPath, tempDir } from '../helpers/tmp.ts';

// The CLI runs on the real clock: the exception granted a day ago is still active.
const t0 = new Date(Date.now() - 86_400_000);

const cli = (db: string, args: string[]) => toolgate(args, { DATABASE_PATH: db, USER: 'ops' });

/** Bob holds exception #1 for Claude Code (global); Erin's request #2 for it is pending. */
async function seeded() {
  const db = tempDbPath();
  const { store, ctx } = openContext(loadConfig({ DATABASE_PATH: db }), { now: () => t0 });
  await importRegistryFile(store, REGISTRY_PATH, { prune: false, actor: 'test', now: t0 });
  const input = {
    justification: 'Needed for the open-source SDK work, nothing confidential.',
    usage: 'github.com/acme/sdk',
    dataClass: 'internal' as const,
    durationDays: 30,
    renewalOf: null,
    toolId: 'claude-code',
  };
  expect((await requestException(ctx, { ...input, user: 'U0BOB' })).ok).toBe(true);
  await decide(ctx, { requestId: 1, position: 0, actor: 'U0SEC1', decision: 'approve', note: null });
  await decide(ctx, { requestId: 1, position: 1, actor: 'U0LEGAL1', decision: 'approve', note: null });
  expect((await requestException(ctx, { ...input, user: 'U0ERIN' })).ok).toBe(true);
  store.close();
  return db;
}

/** What the database holds that a reclassification would change. */
function state(db: string) {
  const { store } = openContext(loadConfig({ DATABASE_PATH: db }));
  try {
    const d = store.db;
    return {
      requests: d.prepare('SELECT id, status, ended_by, end_reason FROM exception_requests ORDER BY id').all(),
      stages: d.prepare('SELECT request_id, position, status FROM request_stages ORDER BY request_id, position').all(),
      tool: d.prepare("SELECT status, risk FROM tools WHERE id = 'claude-code'").get(),
      audit: d.prepare('SELECT COUNT(*) AS n FROM audit_log').get(),
      outbox: d.prepare('SELECT message FROM outbox ORDER BY id').all() as Array<{ message: string }>,
      history: d.prepare('SELECT COUNT(*) AS n FROM tool_history').get(),
    };
  } finally {
    store.close();
  }
}

/** The shipped registry with Claude Code (the first tool) prohibited everywhere. */
function prohibitedRegistry(): string {
  const text = readFileSync(REGISTRY_PATH, 'utf8');
  const changed = text.replace('    status: exception_required\n', '    status: prohibited\n');
  expect(changed).not.toBe(text);
  const file = join(tempDir(), 'registry.yml');
  writeFileSync(file, changed);
  return file;
}

describe('toolgate registry import, reclassifying', () => {
  it('--dry-run prints the impact and changes nothing; without --yes it is refused; with --yes it is carried out', async () => {
    const db = await seeded();
    const file = prohibitedRegistry();
    const before = state(db);

    const dry = await cli(db, ['registry', 'import', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('Claude Code (claude-code): prohibited');
    expect(dry.out).toContain('1 active exceptions revoked: #1 U0BOB (Global)');
    expect(dry.out).toContain('1 pending requests closed (now prohibited): #2 U0ERIN (Global)');
    expect(dry.out).toMatch(/Dry run, nothing was changed\..* 1 updated/);
    expect(state(db)).toEqual(before);

    const refused = await cli(db, ['registry', 'import', file]);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('1 active exceptions revoked: #1 U0BOB (Global)');
    expect(refused.err).toMatch(/nothing was changed\. Run it again with --yes/);
    expect(state(db)).toEqual(before);

    const applied = await cli(db, ['registry', 'import', file, '--yes']);
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('1 active exceptions revoked: #1 U0BOB (Global)');
    expect(applied.out).toMatch(/Imported .*: 0 added, 1 updated/);
    const after = state(db);
    expect(after.tool).toEqual({ status: 'prohibited', risk: 'high' });
    expect(after.requests).toEqual([
      {
        id: 1,
        status: 'revoked',
        ended_by: 'cli:ops',
        end_reason: expect.stringMatching(/^Claude Code is now Prohibited in Global: /),
      },
      {
        id: 2,
        status: 'cancelled',
        ended_by: 'cli:ops',
        end_reason: expect.stringMatching(/^Claude Code is now Prohibited/),
      },
    ]);
    expect(after.stages.filter((s) => (s as { request_id: number }).request_id === 2)).toEqual([
      { request_id: 2, position: 0, status: 'cancelled' },
      { request_id: 2, position: 1, status: 'cancelled' },
    ]);
    const dms = after.outbox.map((m) => JSON.parse(m.message) as { kind: string; event?: string; user?: string });
    expect(dms.filter((n) => n.kind === 'dm' && n.event === 'reclassified').map((n) => n.user)).toEqual([
      'U0BOB',
      'U0ERIN',
    ]);
    expect(after.history).toEqual({ n: 1 });

    // The audit log says what happened, and still verifies (its replay of the requests included).
    const verify = await cli(db, ['audit', 'verify']);
    expect(verify.code).toBe(0);
    const shown = await cli(db, ['requests', 'show', '1']);
    expect(shown.out).toContain('request.revoked');

    // Importing the same file again changes nothing more.
    const again = await cli(db, ['registry', 'import', file]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/0 updated/);
  });

  it('an import that revokes nothing needs no --yes, and the file’s history: is loaded once', async () => {
    const db = await seeded();
    const text = readFileSync(REGISTRY_PATH, 'utf8').replace(
      '    reviewed: 2025-03-10\n',
      '    reviewed: 2025-03-10\n    history:\n      - { date: 2023-05, status: prohibited, reason: ChatGPT-era ban on cloud assistants }\n      - { date: 2024-06, status: conditional, by: CISO }\n',
    );
    const file = join(tempDir(), 'registry.yml');
    writeFileSync(file, text);
    expect((await cli(db, ['registry', 'import', file])).code).toBe(0);
    expect((await cli(db, ['registry', 'import', file])).code).toBe(0);
    const history = await cli(db, ['registry', 'history', 'claude-code']);
    expect(history.code).toBe(0);
    expect(history.out.split('\n')[0]).toBe('Claude Code: 2023-05 prohibited → 2024-06 approved with conditions');
    expect(history.out).toContain('2024-06  from the registry file by CISO: prohibited → approved with conditions');
    expect(state(db).history).toEqual({ n: 2 });
  });

  it('a new chain for a risk class: pending requests keep theirs, said and not done, no --yes needed', async () => {
    const db = await seeded();
    const text = readFileSync(REGISTRY_PATH, 'utf8').replace('  high: [security, legal]\n', '  high: [security]\n');
    const file = join(tempDir(), 'registry.yml');
    writeFileSync(file, text);
    const before = state(db);
    const run = await cli(db, ['registry', 'import', file]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Claude Code (claude-code): approval chain for high risk changed');
    expect(run.out).toContain('1 pending requests keep the approval chain they were filed under: #2 U0ERIN (Global)');
    const after = state(db);
    expect(after.requests).toEqual(before.requests);
    expect(after.stages).toEqual(before.stages);
  });

  it('a bad history: entry is named by its path, and nothing is imported', async () => {
    const db = await seeded();
    const text = readFileSync(REGISTRY_PATH, 'utf8').replace(
      '    reviewed: 2025-03-10\n',
      '    reviewed: 2025-03-10\n    history:\n      - { date: 2023-13, status: banned, region: mars }\n',
    );
    const file = join(tempDir(), 'registry.yml');
    writeFileSync(file, text);
    const run = await cli(db, ['registry', 'import', file]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('tools[0].history[0].date: not a real date');
    expect(run.err).toContain(
      'tools[0].history[0].status: expected one of approved|conditional|exception_required|prohibited',
    );
  });
});

describe('toolgate registry edit and history', () => {
  it('three reclassifications, each with its impact, and the history of all three', async () => {
    const db = await seeded();
    const before = state(db);

    // A dry run of the first prints who it touches, and changes nothing.
    const dry = await cli(db, [
      'registry',
      'edit',
      'claude-code',
      '--status',
      'prohibited',
      '--reason',
      'Banned after the 2025 review',
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('1 active exceptions revoked: #1 U0BOB (Global)');
    expect(state(db)).toEqual(before);

    // Without --yes, a change that revokes is refused.
    const refused = await cli(db, [
      'registry',
      'edit',
      'claude-code',
      '--status',
      'prohibited',
      '--reason',
      'Banned after the 2025 review',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--yes');
    expect(state(db)).toEqual(before);

    const first = await cli(db, [
      'registry',
      'edit',
      'claude-code',
      '--status',
      'prohibited',
      '--reason',
      'Banned after the 2025 review',
      '--yes',
    ]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toContain('Changed claude-code: 1 exceptions revoked, 1 requests closed (each told by DM).');

    // Nothing open any more: the next two need no --yes.
    const second = await cli(db, [
      'registry',
      'edit',
      'claude-code',
      '--status',
      'conditional',
      '--reason',
      'Enterprise plan signed',
    ]);
    expect(second.code).toBe(0);
    const third = await cli(db, [
      'registry',
      'edit',
      'claude-code',
      '--risk',
      'critical',
      '--region',
      'cn=inherit',
      '--reason',
      'Re-assessed: agentic access to repositories',
    ]);
    expect(third.code).toBe(0);

    const history = await cli(db, ['registry', 'history', 'claude-code']);
    expect(history.code).toBe(0);
    const [line, ...detail] = history.out.split('\n');
    expect(line).toMatch(
      /^Claude Code: high risk, exception required, prohibited in China mainland → \d{4}-\d{2} prohibited → \d{4}-\d{2} approved with conditions → \d{4}-\d{2} critical risk, as globally in China mainland$/,
    );
    expect(detail).toHaveLength(3);
    expect(detail[0]).toMatch(
      /registry edit by cli:ops: high risk, exception required, prohibited in China mainland → high risk, prohibited, prohibited in China mainland; reason: Banned after the 2025 review$/,
    );
    expect(detail[2]).toContain('reason: Re-assessed: agentic access to repositories');
    expect((await cli(db, ['registry', 'history', 'nope'])).code).toBe(1);
  });

  it('mistakes are named and change nothing', async () => {
    const db = await seeded();
    const before = state(db);
    expect(await cli(db, ['registry', 'edit', 'claude-code', '--status', 'prohibited'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--reason is required'),
    });
    expect(
      await cli(db, ['registry', 'edit', 'claude-code', '--region', 'xx=prohibited', '--reason', 'because']),
    ).toMatchObject({
      code: 2,
      err: expect.stringContaining('--region "xx" is not in the registry'),
    });
    const file = join(tempDir(), 'tool.yml');
    writeFileSync(
      file,
      'id: claude-code\nname: Claude Code\nvendor: Anthropic\nvendor_country: US\ncategory: ai-coding-assistant\nrisk: extreme\nstatus: prohibited\nreason: x\nalternatives: [nope]\n',
    );
    const bad = await cli(db, ['registry', 'edit', 'claude-code', '--file', file, '--reason', 'because']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('risk: expected one of low|medium|high|critical');
    expect(state(db)).toEqual(before);
  });
});
