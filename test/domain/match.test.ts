import { describe, expect, it } from 'vitest';
import {
  deletionVariants,
  editDistance,
  normalizeKey,
  resolveQuery,
  wordKeys,
  type KeyHit,
} from '../../src/domain/match.ts';

describe('normalizeKey', () => {
  it('ignores case, spaces, hyphens, punctuation and accents', () => {
    for (const q of ['Claude-Code', 'claude code', 'CLAUDE CODE', ' claude_code! ', 'Cláude.Code'])
      expect(normalizeKey(q)).toBe('claudecode');
  });
  it('keeps letters of every script', () => {
    expect(normalizeKey('通义 灵码')).toBe('通义灵码');
  });
  it('splits names into words worth matching alone', () => {
    expect(wordKeys('GitHub Copilot')).toEqual(['github', 'copilot']);
    expect(wordKeys('Cursor')).toEqual([]);
  });
});

describe('editDistance', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('copilto', 'copilot')).toBe(1);
    expect(editDistance('claudcode', 'claudecode')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('deletionVariants', () => {
  it('shares a variant between any two keys one edit apart', () => {
    const pairs: Array<[string, string]> = [
      ['copilto', 'copilot'], // swap
      ['claudcode', 'claudecode'], // deletion
      ['cursorr', 'cursor'], // insertion
      ['cursar', 'cursor'], // substitution
    ];
    for (const [a, b] of pairs) {
      const shared = deletionVariants(a).filter((v) => deletionVariants(b).includes(v));
      expect(shared.length, `${a} ~ ${b}`).toBeGreaterThan(0);
    }
  });
  it('gives short keys no typo variants', () => {
    expect(deletionVariants('q')).toEqual(['q']);
  });
});

const hit = (id: string, key: string, kind: KeyHit['kind'] = 'name'): KeyHit => ({
  id,
  name: id,
  vendor: 'V',
  key,
  kind,
});

describe('resolveQuery', () => {
  it('an exact name beats everything else', () => {
    const r = resolveQuery('claude', [
      hit('claude', 'claude'),
      hit('claude-code', 'claude', 'word'),
      hit('claude-code', 'claudecode'),
    ]);
    expect(r).toMatchObject({ kind: 'match', tool: { id: 'claude' }, via: 'exact', others: [{ id: 'claude-code' }] });
  });
  it('several tools with the same word are a choice, not a guess', () => {
    const r = resolveQuery('copilot', [
      hit('github-copilot', 'copilot', 'word'),
      hit('microsoft-copilot', 'copilot', 'word'),
    ]);
    expect(r).toMatchObject({ kind: 'ambiguous', options: [{ id: 'github-copilot' }, { id: 'microsoft-copilot' }] });
  });
  it('a small typo finds the tool', () => {
    expect(resolveQuery('claudcode', [hit('claude-code', 'claudecode')])).toMatchObject({ kind: 'match', via: 'typo' });
  });
  it('the closest typo wins over a farther one', () => {
    const r = resolveQuery('cursorx', [hit('cursor', 'cursor'), hit('cursive', 'cursive')]);
    expect(r).toMatchObject({ kind: 'match', tool: { id: 'cursor' } });
  });
  it('a prefix narrows down to the tools that start with it', () => {
    expect(resolveQuery('clau', [hit('claude', 'claude'), hit('claude-code', 'claudecode')])).toMatchObject({
      kind: 'ambiguous',
      via: 'prefix',
    });
    expect(resolveQuery('wind', [hit('windsurf', 'windsurf')])).toMatchObject({ kind: 'match', via: 'prefix' });
  });
  it('too far to be meant: not found, with the nearest as suggestions', () => {
    const r = resolveQuery('curzzr', [hit('cursor', 'cursor')]);
    expect(r).toEqual({ kind: 'none', suggestions: [{ id: 'cursor', name: 'cursor', vendor: 'V' }] });
  });
  it('nothing near: no suggestions', () => {
    expect(resolveQuery('zzzz', [])).toEqual({ kind: 'none', suggestions: [] });
  });
});

describe('resolveQuery: loose matches are not a choice (issue 12)', () => {
  const of = (id: string, key: string, vendor: string, kind: KeyHit['kind'] = 'name'): KeyHit => ({
    id,
    name: id,
    vendor,
    key,
    kind,
  });
  it('a common word of different vendors’ tools is Not in registry, with them as suggestions', () => {
    const r = resolveQuery('code', [
      of('claude-code', 'code', 'Anthropic', 'word'),
      of('code-llama', 'code', 'Meta', 'word'),
      of('gemini-code-assist', 'code', 'Google', 'word'),
    ]);
    expect(r).toMatchObject({
      kind: 'none',
      suggestions: [{ id: 'claude-code' }, { id: 'code-llama' }, { id: 'gemini-code-assist' }],
    });
  });
  it('a typo of such a word, or a start shared by different vendors, neither', () => {
    expect(
      resolveQuery('codex', [of('claude-code', 'code', 'Anthropic', 'word'), of('code-llama', 'code', 'Meta', 'word')]),
    ).toMatchObject({ kind: 'none' });
    expect(
      resolveQuery('cod', [of('codestral', 'codestral', 'Mistral'), of('codegeex', 'codegeex', 'Zhipu')]),
    ).toMatchObject({ kind: 'none' });
  });
  it('one vendor’s tools sharing the word are a real choice', () => {
    expect(
      resolveQuery('gemini', [
        of('gemini-cli', 'gemini', 'Google', 'word'),
        of('gemini-code-assist', 'gemini', 'Google', 'word'),
      ]),
    ).toMatchObject({ kind: 'ambiguous', options: [{ id: 'gemini-cli' }, { id: 'gemini-code-assist' }] });
  });
  it('a start shorter than half of the only name it starts is a suggestion, not a match', () => {
    expect(resolveQuery('open', [of('codex-cli', 'openaicodex', 'OpenAI', 'alias')])).toEqual({
      kind: 'none',
      suggestions: [{ id: 'codex-cli', name: 'codex-cli', vendor: 'OpenAI' }],
    });
    expect(resolveQuery('curs', [of('cursor', 'cursor', 'Anysphere')])).toMatchObject({ kind: 'match', via: 'prefix' });
  });
});
