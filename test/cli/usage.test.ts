// The command line behaves as gh and kubectl do: --help and --version on stdout with exit 0, a
// mistake in one line on stderr with a pointer to the command's --help, exit 2.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { REGISTRY_PATH, tempDbPath, tempDir } from '../helpers/tmp.ts';

/** A database with the shipped registry in it (and its audit key made), so stderr holds only what a test asks. */
async function seededDb(): Promise<string> {
  const db = tempDbPath();
  expect((await cli(['registry', 'import'], { DATABASE_PATH: db })).code).toBe(0);
  return db;
}

/** Every command, as a person types it. */
const COMMANDS = [
  ['ask'],
  ['registry'],
  ['registry', 'import'],
  ['registry', 'export'],
  ['registry', 'list'],
  ['registry', 'check'],
  ['registry', 'edit'],
  ['registry', 'history'],
  ['sweep'],
  ['requests'],
  ['requests', 'list'],
  ['requests', 'show'],
  ['outbox'],
  ['outbox', 'failed'],
  ['outbox', 'retry'],
  ['audit'],
  ['audit', 'verify'],
  ['audit', 'acknowledge'],
  ['audit', 'export'],
  ['help'],
];

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('toolgate --help and --version', () => {
  it('toolgate --help lists every command on stdout, exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await cli(args);
      expect(r, args.join(' ')).toMatchObject({ code: 0, err: '' });
      expect(r.out).toMatch(/^Usage: toolgate <command> \[options\]/);
      for (const name of ['ask', 'registry', 'whois', 'sweep', 'requests', 'outbox', 'audit'])
        expect(r.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
      expect(r.out).toContain('Exit codes: 0 answered, 1 not found (or a check failed), 2 bad input or set-up.');
    }
  });

  it('every command, nested ones too, has its own --help on stdout, exit 0, without opening a database', async () => {
    const db = tempDbPath();
    for (const path of COMMANDS) {
      const r = await cli([...path, '--help'], { DATABASE_PATH: db });
      expect(r, path.join(' ')).toMatchObject({ code: 0, err: '' });
      expect(r.out.split('\n')[0]).toMatch(new RegExp(`^Usage: toolgate ${path.join(' ')}\\b`));
      expect(r.out).toContain('-h, --help');
    }
    expect((await cli(['help', 'ask'], { DATABASE_PATH: db })).out).toMatch(
      /^Usage: toolgate ask \[options\] <tool\.\.\.>/,
    );
    expect(await cli(['help', 'registry', 'import'], { DATABASE_PATH: db })).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Usage: toolgate registry import \[options\] \[file\]/),
      err: '',
    });
    expect((await cli(['registry', 'list', '--help'], { DATABASE_PATH: db })).out).toMatch(/--category <category>/);
    expect((await cli(['audit', 'export', '--help'], { DATABASE_PATH: db })).out).toMatch(/--format <format>/);
    expect(existsSync(db)).toBe(false);
  });

  it('--version prints the package version on stdout, exit 0', async () => {
    for (const flag of ['--version', '-V']) expect(await cli([flag])).toEqual({ code: 0, out: VERSION, err: '' });
  });
});

describe('toolgate usage errors: one line and a pointer to --help on stderr, exit 2', () => {
  it('bare toolgate and bare ask: a short usage on stderr, nothing on stdout', async () => {
    expect(await cli([])).toEqual({
      code: 2,
      out: '',
      err: 'Usage: toolgate <command> [options]; commands: ask, registry, whois, sweep, report, requests, outbox, audit\nsee `toolgate --help`',
    });
    expect(await cli(['ask'])).toEqual({
      code: 2,
      out: '',
      err: 'Usage: toolgate ask [options] <tool...>\nsee `toolgate ask --help`',
    });
  });

  it('each mistake is said in one line, naming what is wrong, then where the help is', async () => {
    const db = await seededDb();
    const cases: Array<[string[], RegExp, string]> = [
      [['frobnicate'], /^toolgate: unknown command 'frobnicate'$/, 'toolgate'],
      [['help', 'bogus'], /^toolgate: unknown command "bogus"$/, 'toolgate help'],
      [['asq', 'cursor'], /^toolgate: unknown command 'asq' \(did you mean ask\?\)$/, 'toolgate'],
      [['ask', 'cursor', '--bogus'], /^toolgate: unknown option '--bogus'$/, 'toolgate ask'],
      [
        ['ask', 'cursor', '--user', 'alice'],
        /^toolgate: --user must be a Slack user id such as U0123ABC, not "alice"$/,
        'toolgate ask',
      ],
      [['ask', 'cursor', '--region'], /^toolgate: option '--region <region>' argument missing$/, 'toolgate ask'],
      [
        ['registry'],
        /^toolgate: registry needs a command: import, export, list, check, edit or history$/,
        'toolgate registry',
      ],
      [
        ['registry', 'bogus'],
        /^toolgate: unknown registry command "bogus": use import, export, list, check, edit or history$/,
        'toolgate registry',
      ],
      [
        ['requests', 'list', '--status', 'bogus'],
        /^toolgate: option '--status <status>' argument 'bogus' is invalid\. Allowed choices are pending, active, /,
        'toolgate requests list',
      ],
      [
        ['requests', 'list', '--limit', '0'],
        /^toolgate: --limit must be a positive whole number, not "0"$/,
        'toolgate requests list',
      ],
      [['requests', 'show'], /^Usage: toolgate requests show \[options\] <N>$/, 'toolgate requests show'],
      [
        ['requests', 'show', 'x'],
        /^toolgate: request number must be a positive whole number, not "x"$/,
        'toolgate requests show',
      ],
      [['outbox', 'bogus'], /^toolgate: unknown outbox command "bogus": use failed or retry$/, 'toolgate outbox'],
      [
        ['outbox', 'retry', 'x'],
        /^toolgate: message number must be a positive whole number, not "x"$/,
        'toolgate outbox retry',
      ],
      [['sweep', 'now'], /^toolgate: too many arguments for 'sweep'/, 'toolgate sweep'],
      [['sweep', '--now', 'tomorrow'], /^toolgate: --now must be an ISO date or time/, 'toolgate sweep'],
      [['audit'], /^toolgate: audit needs a command: verify, acknowledge or export$/, 'toolgate audit'],
      [
        ['audit', 'export', '--format', 'xml'],
        /^toolgate: option '--format <format>' argument 'xml' is invalid\. Allowed choices are jsonl, csv\.$/,
        'toolgate audit export',
      ],
      [['audit', 'verify', '--anchor', 'nonsense'], /^toolgate: --anchor must be ENTRY:HASH/, 'toolgate audit verify'],
      [['audit', 'acknowledge', '3'], /^toolgate: --reason is required/, 'toolgate audit acknowledge'],
    ];
    for (const [args, first, command] of cases) {
      const r = await cli(args, { DATABASE_PATH: db });
      const lines = r.err.split('\n');
      expect({ code: r.code, out: r.out, lines: lines.length }, args.join(' ')).toEqual({ code: 2, out: '', lines: 2 });
      expect(lines[0], args.join(' ')).toMatch(first);
      expect(lines[1], args.join(' ')).toBe(`see \`${command} --help\``);
    }
  });

  it('the compiled bin: --help to stdout with exit 0, a bare call to stderr with exit 2', () => {
    const bin = fileURLToPath(new URL('../../bin/toolgate.mjs', import.meta.url));
    const env = { ...process.env, DATABASE_PATH: tempDbPath(), REGISTRY_PATH };
    const help = spawnSync(bin, ['registry', 'import', '--help'], { env, encoding: 'utf8' });
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: toolgate registry import \[options\] \[file\]\n/);
    const version = spawnSync(bin, ['--version'], { env, encoding: 'utf8' });
    expect(version).toMatchObject({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
    const bare = spawnSync(bin, [], { env, encoding: 'utf8' });
    expect(bare).toMatchObject({ status: 2, stdout: '' });
    expect(bare.stderr).toMatch(/^Usage: toolgate <command> \[options\]; commands: .*\nsee `toolgate --help`\n$/);
  });
});

describe('values the registry does not know are bad input, naming the ones it knows', () => {
  it('ask --region and registry list --region: exit 2 with the regions', async () => {
    const db = await seededDb();
    const ask = await cli(['ask', 'claude-code', '--region', 'xx'], { DATABASE_PATH: db });
    expect(ask).toMatchObject({ code: 2, out: '' });
    expect(ask.err.split('\n')).toEqual([
      'toolgate: --region "xx" is not in the registry; it knows global, cn',
      'see `toolgate ask --help`',
    ]);
    const list = await cli(['registry', 'list', '--region', 'xx'], { DATABASE_PATH: db });
    expect(list).toMatchObject({ code: 2, out: '' });
    expect(list.err).toContain('--region "xx" is not in the registry; it knows global, cn');
    expect((await cli(['ask', 'claude-code', '--region', 'cn'], { DATABASE_PATH: db })).code).toBe(0);
  });

  it('registry list --category: exit 2 with the categories, rather than "0 tools"', async () => {
    const db = await seededDb();
    const r = await cli(['registry', 'list', '--category', 'nope'], { DATABASE_PATH: db });
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err.split('\n')[0]).toMatch(
      /^toolgate: --category "nope" is not in the registry; it knows ai-chat, ai-coding-assistant, .*writing-assistant$/,
    );
    const known = await cli(['registry', 'list', '--category', 'ai-chat'], { DATABASE_PATH: db });
    expect(known.code).toBe(0);
    expect(known.out.split('\n').every((line) => /\sai-chat\s/.test(line))).toBe(true);
    expect(known.err).toMatch(/^\d+ tools$/);
    // The same for `ask list <category>`, which also takes a category's words.
    const ask = await cli(['ask', 'list', 'nope'], { DATABASE_PATH: db });
    expect(ask).toMatchObject({ code: 2, out: '' });
    expect(ask.err.split('\n')[0]).toMatch(/^toolgate: category "nope" is not in the registry; it knows ai-chat, /);
    expect((await cli(['ask', 'list', 'ai', 'chat'], { DATABASE_PATH: db })).code).toBe(0);
  });
});

describe('registry import of a file with thousands of problems', () => {
  it('prints the first 20 and one line for the rest of the same kind, exit 2', async () => {
    const tools = Array.from({ length: 3000 }, (_, i) => ({
      id: `tool-${i}`,
      name: `Tool ${i}`,
      vendor_country: 'US',
      category: 'ai-chat',
      risk: 'low',
      status: 'approved',
      reason: 'Generated.',
    }));
    const file = join(tempDir(), 'generated.yml');
    writeFileSync(file, stringify({ regions: ['global'], tools }));
    const r = await cli(['registry', 'import', file], { DATABASE_PATH: await seededDb() });
    expect(r).toMatchObject({ code: 2, out: '' });
    const lines = r.err.split('\n');
    expect(lines).toHaveLength(22);
    expect(lines[0]).toBe(`${file} is not a valid registry; nothing was changed:`);
    expect(lines[1]).toMatch(/^ {2}- tools\[0\]\.vendor: /);
    expect(lines[20]).toMatch(/^ {2}- tools\[19\]\.vendor: /);
    expect(lines[21]).toMatch(/^ {2}- \.\.\. and 2980 more of the same kind \(tools\[\*\]\.vendor: .+\)$/);
  });
});
