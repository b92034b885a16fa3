import { describe, expect, it } from 'vitest';
import { cleanUserText, cutText, hasHiddenCharacters } from '../../src/domain/text.ts';

describe('user text', () => {
  it('loses zero-width characters, bidi controls and lone surrogates, and is NFC', () => {
    expect(cleanUserText('\u200B'.repeat(20))).toBe('');
    expect(cleanUserText('pay \u202Eevil\u202C now')).toBe('pay evil now');
    expect(cleanUserText('a\u2066b\u2069c\u200Fd\u061Ce')).toBe('abcde');
    expect(cleanUserText('Cafe\u0301')).toBe('Café');
    expect(cleanUserText('x\uD83D')).toBe('x');
    expect(cleanUserText('ok 😀 中文 عربى')).toBe('ok 😀 中文 عربى');
    expect(hasHiddenCharacters('a\u200Db')).toBe(true);
    expect(hasHiddenCharacters('plain')).toBe(false);
  });

  it('is cut between characters, never inside a surrogate pair', () => {
    const text = `${'x'.repeat(199)}😀`;
    expect(cutText(text, 200)).toBe('x'.repeat(199));
    expect(cutText(text, 201)).toBe(text);
    expect(cutText('short', 200)).toBe('short');
    expect(cutText('😀😀', 3)).toBe('😀');
  });
});
