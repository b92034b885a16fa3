// Shortcuts taken for speed (issue 11: these run for every name when the registry is indexed, and
// for every candidate of every query) must give what the plain versions, written out here, give.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deletionVariants,
  editDistance,
  keysOf,
  MAX_KEY_LENGTH,
  normalizeKey,
  wordKeys,
} from '../../src/domain/match.ts';
import { cleanUserText } from '../../src/domain/text.ts';

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

/** Edit distance with adjacent swaps, over code points, the plain way. */
function plainDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  const d = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i ? (j ? 0 : i) : j)),
  );
  for (let i = 1; i <= s.length; i++)
    for (let j = 1; j <= t.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + (s[i - 1] === t[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  return (d[s.length] as number[])[t.length] as number;
}
const plainVariants = (key: string) => {
  const out = new Set([key]);
  if (key.length < 4) return [...out];
  const chars = [...key];
  chars.forEach((_, i) => out.add(chars.slice(0, i).join('') + chars.slice(i + 1).join('')));
  return [...out];
};
const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '码', '𝒜', '𝒝', '1'), maxLength: 12 });

describe('typo arithmetic', () => {
  it('edit distances and deletion variants are the plain ones, astral characters included', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(editDistance(a, b)).toBe(plainDistance(a, b));
        expect(deletionVariants(a)).toEqual(plainVariants(a));
      }),
      { numRuns: 3000 },
    );
    expect(editDistance('x'.repeat(100), 'y'.repeat(90))).toBe(100);
  });

  it('a distance bounded by `max` is the plain one within it, and max + 1 past it', () => {
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 4 }), (a, b, max) => {
        const plain = plainDistance(a, b);
        expect(editDistance(a, b, max)).toBe(plain <= max ? plain : max + 1);
      }),
      { numRuns: 3000 },
    );
    // Swaps near the cut: "abcd" to "badc" is two swaps.
    expect(editDistance('abcd', 'badc', 1)).toBe(2);
    expect(editDistance('abcd', 'badc', 2)).toBe(2);
  });
});

describe('cleaning user text', () => {
  it('leaves printable ASCII as the Unicode steps leave it', () => {
    const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
    fc.assert(
      fc.property(ascii, (t) => {
        expect(cleanUserText(t)).toBe(t.normalize('NFC'));
      }),
    );
    expect(cleanUserText('a\u200Bb\u202Ec')).toBe('abc');
  });
});
