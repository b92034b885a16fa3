// What people type, made safe to keep, count and show to others. Invisible characters are not
// content: twenty zero-width spaces are not a justification, and bidi controls can make an
// approver read a request in another order than it was written.

/** Zero-width characters and joiners, the word joiner, the BOM / zero-width no-break space, soft hyphen. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/g;
/** Bidi embeddings, overrides and isolates (U+202A–E, U+2066–9), and the marks LRM, RLM and ALM. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
/** A UTF-16 half of a character with no other half: not text, and not storable as written. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const PRINTABLE_ASCII = /^[ -~]*$/;

/** NFC, without invisible characters, bidi controls or lone surrogates. Apply before validating and before showing. */
export function cleanUserText(text: string): string {
  // Printable ASCII is its own NFC form and holds none of the characters below: most of what is typed.
  if (PRINTABLE_ASCII.test(text)) return text;
  return text.normalize('NFC').replace(INVISIBLE, '').replace(BIDI_CONTROLS, '').replace(LONE_SURROGATE, '');
}

/** Whether the text carries anything that cleanUserText would remove. */
export const hasHiddenCharacters = (text: string): boolean => cleanUserText(text) !== text.normalize('NFC');

/**
 * At most `max` UTF-16 units (the unit Slack's and JavaScript's lengths count), cut between two
 * characters: never inside a surrogate pair, so what is stored is what was hashed and shown.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}
