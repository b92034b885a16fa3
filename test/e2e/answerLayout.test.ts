// What a /can-i-use answer shows, over signed HTTP: the verdict above the fold, words instead of
// codes, conditions only where they can apply, and a corrected name said right under the title.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/standIn/index.ts';
import { ask, fileRequest, FAST_OUTBOX } from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
});
afterAll(async () => {
  await h.stop();
});

const textOf = (block: SlackBlock | undefined): string => visibleText(block ? [block] : []);

describe('a tool answer reads in one glance', () => {
  it('verdict, reason, conditions and alternatives in one section; the facts in one context line', async () => {
    const a = await ask(h, 'U0BOB', 'claude code');
    expect(a.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'context']);
    const verdict = textOf(a.blocks[1]);
    expect(verdict.split('\n')[0]).toBe(
      ':warning: *Exception required* · Your region: Global, because you are listed in the registry',
    );
    expect(verdict).toContain('sends code and prompts');
    expect(verdict).toContain('*Conditions:* Exceptions cover open-source');
    expect(verdict).toContain('*Approved alternatives:* *GitHub Copilot*, *Continue*');
    expect(textOf(a.blocks[3])).toBe(
      'Anthropic, United States · High risk · AI coding assistant · Reviewed 2025-03-10 · <https://wiki.example.com/ai-tools/claude-code|Policy>',
    );
  });

  it('shows display names, never region or category ids', async () => {
    const alice = await ask(h, 'U0ALICE', 'claude code'); // listed in region cn
    expect(alice.shown).toContain('Your region: China mainland');
    expect(alice.shown).not.toMatch(/\bcn\b/);
    expect(alice.shown).not.toContain('ai-coding-assistant');
    const list = await ask(h, 'U0ALICE', 'list ai coding assistant');
    expect(textOf(list.blocks[0])).toBe('AI coding assistant tools in China mainland');
    expect(list.shown).toMatch(/Categories: .*AI chat assistant.*/);
    expect(list.shown).toMatch(/Categories: .*AI coding assistant.*/);
  });

  it('a Prohibited answer carries no conditions: the global entry’s cannot apply there', async () => {
    const alice = await ask(h, 'U0ALICE', 'claude code');
    expect(alice.text).toBe('Claude Code: Prohibited');
    expect(alice.shown).not.toContain('Conditions');
    expect(alice.shown).not.toContain('open-source');
    expect(alice.shown).toContain('No exceptions are granted for prohibited tools');
  });

  it('a corrected name is said right under the title, with the query as code', async () => {
    const a = await ask(h, 'U0BOB', 'claud code');
    expect(a.blocks[0]?.type).toBe('header');
    expect(a.blocks[1]?.type).toBe('context');
    expect(textOf(a.blocks[1])).toBe('You asked for `claud code`; this is *Claude Code*.');
    expect((await ask(h, 'U0BOB', 'claude code')).shown).not.toContain('You asked for');
  });

  it('an echoed query with mrkdwn in it cannot break the text around it', async () => {
    const a = await ask(h, 'U0BOB', '*bold* _it_ `tick` ~x~');
    expect(a.shown).toContain('`*bold* _it_ \u02cbtick\u02cb ~x~` is not a tool');
    const typo = await ask(h, 'U0BOB', 'claud *code*');
    expect(typo.shown).toContain('You asked for `claud *code*`; this is *Claude Code*.');
  });
});

describe('an answer follows the asker’s own state', () => {
  it('with an open request, the answer names it instead of offering another', async () => {
    await fileRequest(h, 'U0CAROL', 'cursor');
    const a = await ask(h, 'U0CAROL', 'cursor');
    expect(a.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(textOf(a.blocks[2])).toMatch(
      /^:inbox_tray: You asked for an exception: request #\d+, filed \d{4}-\d{2}-\d{2}, is waiting for \*Security review\*/,
    );
  });
});
