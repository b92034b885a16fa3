// normalizeKey and wordKeys take a shortcut for ASCII text (issue 11: they run for every name of
// every tool when the registry is indexed). The shortcut must give what the Unicode steps give.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keysOf, MAX_KEY_LENGTH, normalizeKey, wordKeys } from '../../src/domain/match.ts';

const unicodeKey = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')
    .slice(0, MAX_KEY_LENGTH);
const unicodeWords = (text: string) => {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 4);
  return words.length > 1 ? [...new Set(words)] : [];
};

describe('keys of ASCII names', () => {
  it('are the keys the Unicode steps give', () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
      maxLength: 80,
    });
    fc.assert(
      fc.property(ascii, (text) => {
        expect(normalizeKey(text)).toBe(unicodeKey(text));
        expect(wordKeys(text)).toEqual(unicodeWords(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('are listed once each, strongest kind first', () => {
    expect(keysOf({ id: 'github-copilot', name: 'GitHub Copilot', aliases: ['Copilot', 'gh copilot'] })).toEqual([
      { key: 'githubcopilot', kind: 'id' },
      { key: 'copilot', kind: 'alias' },
      { key: 'ghcopilot', kind: 'alias' },
      { key: 'github', kind: 'word' },
    ]);
  });
});
