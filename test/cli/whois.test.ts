// `toolgate whois` and the region rules in `toolgate registry check` (issue 13): the same reasoning
// as the bot's answers, from the registry and the profiles the bot cached; the CLI calls no Slack.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedExampleDirectory } from '../../src/standIn/index.ts';
import { cli } from '../helpers/cli.ts';
import { ask, FAST_OUTBOX } from '../helpers/exceptions.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { REGISTRY_PATH, tempDbPath, tempDir } from '../helpers/tmp.ts';

let h: Harness;
// The database outlives each test (tempDir's are removed after every test), so the CLI can read what the bot wrote.
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'toolgate-whois-'));
  h = await startHarness({ env: FAST_OUTBOX, databasePath: join(dir, 'toolgate.db') });
  seedExampleDirectory(h.standIn);
});
afterAll(async () => {
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('toolgate whois', () => {
  it('someone the registry lists: their entry, no profile needed', async () => {
    const r = await cli(['whois', 'U0ALICE'], { DATABASE_PATH: h.config.databasePath });
    expect(r.code).toBe(0);
    expect(r.out).toContain('U0ALICE: China mainland (cn), department engineering');
    expect(r.out).toContain('Why:        China mainland, because they are listed in the registry');
    expect(r.out).toContain('Profile:    not needed (the registry lists them)');
  });

  it('someone the bot has read from Slack: the rule that matched, and when the profile was read', async () => {
    const asked = await ask(h, 'U0MEI', 'claude code');
    expect(asked.shown).toContain('from your Slack profile (Office: Hangzhou)');
    const r = await cli(['whois', 'U0MEI'], { DATABASE_PATH: h.config.databasePath });
    expect(r.out).toContain('U0MEI: China mainland (cn), department Product');
    expect(r.out).toContain('Why:        China mainland, from their Slack profile (Office: Hangzhou)');
    expect(r.out).toContain('Rule:       region_rules[0] matched (first match wins)');
    expect(r.out).toMatch(/Profile: {4}as the bot read it from Slack at \d{4}-\d{2}-\d{2}T/);
  });

  it('someone never read: the default, saying the CLI does not call Slack', async () => {
    const calls = h.standIn.callsTo('users.info').length;
    const r = await cli(['whois', 'U0TOM'], { DATABASE_PATH: h.config.databasePath });
    expect(r.out).toContain(
      'Why:        Global, the default, because no Slack profile of theirs is known here and region_rules need one',
    );
    expect(r.out).toContain('this command does not call Slack');
    expect(h.standIn.callsTo('users.info').length).toBe(calls);
  });

  it('ask --user says where the region came from, in the same words', async () => {
    const mei = await cli(['ask', 'claude code', '--user', 'U0MEI'], { DATABASE_PATH: h.config.databasePath });
    expect(mei.out).toContain('Region:       China mainland, from their Slack profile (Office: Hangzhou)');
    const stranger = await cli(['ask', 'claude code', '--user', 'U0NEVER'], { DATABASE_PATH: h.config.databasePath });
    expect(stranger.out).toContain(
      'Region:       Global, the default, because no Slack profile of theirs is cached (the CLI does not call Slack; see toolgate whois)',
    );
  });

  it('--team: as if asked from a Grid workspace; a bad id is a usage error', async () => {
    const r = await cli(['whois', 'U0MEI', '--team', 'T0CHINA', '--json'], { DATABASE_PATH: h.config.databasePath });
    expect(JSON.parse(r.out)).toMatchObject({ user: 'U0MEI', region: 'cn', source: { kind: 'rule', rule: 0 } });
    expect((await cli(['whois', 'mei'], { DATABASE_PATH: h.config.databasePath })).code).toBe(2);
    expect((await cli(['whois', 'U0MEI', '--team', 'china'], { DATABASE_PATH: h.config.databasePath })).err).toContain(
      '--team must be a Slack workspace id',
    );
  });
});

describe('toolgate registry check: region rules', () => {
  it('reports a rule that can never match, naming the rule that matches first', async () => {
    const file = join(tempDir(), 'registry.yml');
    const shipped = readFileSync(REGISTRY_PATH, 'utf8');
    const anchor = '  - { team: T0CHINA, region: cn, department_field: Department }\n';
    expect(shipped).toContain(anchor);
    writeFileSync(file, shipped.replace(anchor, `${anchor}  - { tz: Asia/Shanghai, region: global }\n`));
    const shippedCheck = await cli(['registry', 'check', '--max-age-days', '36500'], { DATABASE_PATH: tempDbPath() });
    expect(shippedCheck.out).not.toContain('Region rules');
    const r = await cli(['registry', 'check', '--max-age-days', '36500'], {
      DATABASE_PATH: tempDbPath(),
      REGISTRY_PATH: file,
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Region rules that can never match, or only in part (first match wins):');
    expect(r.out).toContain(
      'region_rules[4]: never matches, region_rules[1] matches the same people first; delete it, or move it above region_rules[1]',
    );
    // One finding more than the shipped registry's: the dead rule.
    const count = (err: string) => Number(/(\d+) findings/.exec(err)?.[1]);
    expect(count(r.err)).toBe(count(shippedCheck.err) + 1);
  });
});
