// Forgiving tool-name matching. The store finds candidate keys through indexes;
// this module decides what they mean, so the rules can be unit-tested without a database.
import type { KEY_KINDS, ToolRef } from './types.ts';

/** How a key was derived from a tool; `word` keys are single words of a longer name. */
export type KeyKind = (typeof KEY_KINDS)[number];

export interface KeyHit extends ToolRef {
  key: string;
  kind: KeyKind;
}

export type MatchVia = 'exact' | 'word' | 'typo' | 'prefix';

export type MatchResult =
  | { kind: 'match'; tool: ToolRef; via: MatchVia; others: ToolRef[] }
  | { kind: 'ambiguous'; via: MatchVia; options: ToolRef[] }
  | { kind: 'none'; suggestions: ToolRef[] };

/** Longest query we look at: more only costs time and never matches a tool name. */
export const MAX_KEY_LENGTH = 48;
/** Keys shorter than this get no typo tolerance: "q" is not a typo of "qt". */
export const MIN_FUZZY_LENGTH = 4;
const MAX_OPTIONS = 10;
const MAX_SUGGESTIONS = 3;

/** ASCII is its own NFKD form and has no marks: the Unicode steps below change nothing in it. */
const ASCII = /^\p{ASCII}*$/u;

/** Case, spaces, hyphens, punctuation and accents do not matter: "Claude-Code" is "claudecode". */
export function normalizeKey(text: string): string {
  // The fast path gives the same key for ASCII text (a test holds it to that); names are mostly ASCII.
  if (ASCII.test(text))
    return text
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, MAX_KEY_LENGTH);
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')
    .slice(0, MAX_KEY_LENGTH);
}

/** Words of a name worth matching on their own ("copilot" in "GitHub Copilot"). */
export function wordKeys(text: string): string[] {
  const words = (
    ASCII.test(text)
      ? text.toLowerCase().split(/[^a-z0-9]+/)
      : text
          .normalize('NFKD')
          .replace(/\p{M}/gu, '')
          .toLowerCase()
          .split(/[^\p{L}\p{N}]+/u)
  ).filter((w) => w.length >= 4);
  return words.length > 1 ? [...new Set(words)] : [];
}

/**
 * The names a tool answers to, each once, under its strongest kind (id, name, alias, then words of
 * the name and aliases), in that order. `emit` is called for each: this runs for every tool when
 * the registry is indexed.
 */
export function forEachKeyOf(
  tool: { id: string; name: string; aliases: readonly string[] },
  emit: (key: string, kind: KeyKind) => void,
): void {
  const seen: string[] = [];
  const add = (key: string, kind: KeyKind) => {
    if (!key || seen.includes(key)) return;
    seen.push(key);
    emit(key, kind);
  };
  add(normalizeKey(tool.id), 'id');
  add(normalizeKey(tool.name), 'name');
  for (const a of tool.aliases) add(normalizeKey(a), 'alias');
  for (const w of wordKeys(tool.name)) add(w, 'word');
  for (const a of tool.aliases) for (const w of wordKeys(a)) add(w, 'word');
}

export function keysOf(tool: { id: string; name: string; aliases: readonly string[] }): Array<{
  key: string;
  kind: KeyKind;
}> {
  const keys: Array<{ key: string; kind: KeyKind }> = [];
  forEachKeyOf(tool, (key, kind) => keys.push({ key, kind }));
  return keys;
}

/**
 * The key and every key one deletion away. Two strings within edit distance 1
 * (insertion, deletion, substitution or adjacent swap) share one of these, so an
 * index of the same variants finds typo candidates without scanning (symmetric delete).
 */
export function deletionVariants(key: string): string[] {
  const out = new Set<string>([key]);
  if (key.length < MIN_FUZZY_LENGTH) return [...out];
  // Without surrogate pairs a code unit is a character: slice the string rather than an array of them.
  if (!SURROGATE.test(key)) {
    for (let i = 0; i < key.length; i++) out.add(key.slice(0, i) + key.slice(i + 1));
    return [...out];
  }
  const chars = [...key];
  for (let i = 0; i < chars.length; i++) out.add(chars.slice(0, i).join('') + chars.slice(i + 1).join(''));
  return [...out];
}

const SURROGATE = /[\ud800-\udfff]/;
/** Rows and code buffers reused between calls (this runs for every candidate of every query): grown, never shrunk. */
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];
let codesA = new Int32Array(64);
let codesB = new Int32Array(64);

/** Puts the text's characters (code points) into `codesA` (first) or `codesB`, grown when needed; returns how many. */
function codesOf(text: string, first: boolean): number {
  const chars = SURROGATE.test(text) ? [...text] : null;
  const n = chars ? chars.length : text.length;
  let out = first ? codesA : codesB;
  if (out.length < n) {
    out = new Int32Array(2 * n);
    if (first) codesA = out;
    else codesB = out;
  }
  if (chars) for (let i = 0; i < n; i++) out[i] = chars[i]?.codePointAt(0) as number;
  else for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i);
  return n;
}

/**
 * Edit distance counting an adjacent swap as one edit (optimal string alignment), in characters.
 * With `max`, anything further than `max` is reported as `max + 1` without finishing: callers that
 * only keep what is within a limit stop as soon as every path is past it. Three rolling rows.
 */
export function editDistance(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  const m = codesOf(a, true);
  const n = codesOf(b, false);
  if (Math.abs(m - n) > max) return max + 1;
  const sa = codesA;
  const tb = codesB;
  if ((rows[0] as Int32Array).length <= n) rows = rows.map(() => new Int32Array(2 * (n + 1)));
  let prev2 = rows[0] as Int32Array;
  let prev = rows[1] as Int32Array;
  let cur = rows[2] as Int32Array;
  for (let j = 0; j <= n; j++) prev[j] = j;
  let prevMin = 0;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = i;
    const si = sa[i - 1] as number;
    for (let j = 1; j <= n; j++) {
      const tj = tb[j - 1] as number;
      const cost = si === tj ? 0 : 1;
      let best = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && si === tb[j - 2] && sa[i - 2] === tj) best = Math.min(best, (prev2[j - 2] as number) + 1);
      cur[j] = best;
      if (best < rowMin) rowMin = best;
    }
    // Once two rows in a row are all past `max`, every later one is (an edit builds on the row above, a
    // swap on the one above that, each adding to it): so is the distance.
    if (rowMin > max && prevMin > max) return max + 1;
    prevMin = rowMin;
    const spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  return Math.min(prev[n] as number, max + 1);
}

/** How many typos a key of this length may carry and still count as meant. */
function typoAllowance(length: number): number {
  if (length < MIN_FUZZY_LENGTH) return 0;
  return length < 8 ? 1 : 2;
}

interface Scored {
  tool: ToolRef;
  score: number;
}

function uniqueTools(scored: Scored[]): ToolRef[] {
  const best = new Map<string, Scored>();
  for (const s of scored) {
    const prev = best.get(s.tool.id);
    if (!prev || s.score < prev.score) best.set(s.tool.id, s);
  }
  return [...best.values()]
    .sort((a, b) => a.score - b.score || a.tool.name.localeCompare(b.tool.name))
    .map((s) => s.tool);
}

const ref = (h: KeyHit): ToolRef => ({ id: h.id, name: h.name, vendor: h.vendor });

const sameVendor = (tools: readonly ToolRef[]): boolean => tools.every((t) => t.vendor === tools[0]?.vendor);

/**
 * Decide what a query means, given every key hit the indexes found for it
 * (exact key, shared deletion variant, or key prefix). Tiers are tried in order;
 * the first tier with hits decides: one tool is a match, several are a choice.
 */
export function resolveQuery(key: string, hits: readonly KeyHit[]): MatchResult {
  const allowance = typoAllowance(key.length);
  // One pass over the hits, each distance taken once and only as far as the allowance: a typo
  // further than that is no typo, and prefixes score by length, not distance.
  const exact: Scored[] = [];
  const word: Scored[] = [];
  const typo: Scored[] = [];
  const wordTypo: Scored[] = [];
  const prefix: Scored[] = [];
  for (const h of hits) {
    const isWord = h.kind === 'word';
    if (h.key === key) (isWord ? word : exact).push({ tool: ref(h), score: 0 });
    else {
      if (allowance > 0) {
        const score = editDistance(key, h.key, allowance);
        if (score <= allowance) (isWord ? wordTypo : typo).push({ tool: ref(h), score });
      }
      if (key.length >= 3 && h.key.startsWith(key)) prefix.push({ tool: ref(h), score: h.key.length - key.length });
    }
  }

  const tiers: Array<{ via: MatchVia; scored: Scored[]; closestOnly?: boolean }> = [
    { via: 'exact', scored: exact },
    { via: 'word', scored: word },
    { via: 'typo', scored: typo, closestOnly: true },
    { via: 'typo', scored: wordTypo, closestOnly: true },
    { via: 'prefix', scored: prefix },
  ];

  for (const [index, tier] of tiers.entries()) {
    if (tier.scored.length === 0) continue;
    let scored = tier.scored;
    if (tier.closestOnly) {
      const min = Math.min(...scored.map((s) => s.score));
      scored = scored.filter((s) => s.score === min);
    }
    const tools = uniqueTools(scored);
    const only = tools.length === 1 ? tools[0] : undefined;
    if (only) {
      // "open" starts "OpenAI Codex CLI", but a start shorter than half the name is a hint, not a match.
      if (tier.via === 'prefix' && !scored.some((s) => s.tool.id === only.id && s.score <= key.length))
        return { kind: 'none', suggestions: [only] };
      const others = uniqueTools(tiers.slice(index + 1).flatMap((t) => t.scored)).filter((t) => t.id !== only.id);
      return { kind: 'match', tool: only, via: tier.via, others: others.slice(0, MAX_SUGGESTIONS) };
    }
    // A word, typo or start shared by tools of different vendors ("code", "coder") is a common word,
    // not a choice between the tools: the query names none of them. The same vendor's tools sharing
    // it ("gemini", "clau") are a real choice.
    if (tier.via !== 'exact' && !sameVendor(tools))
      return { kind: 'none', suggestions: tools.slice(0, MAX_SUGGESTIONS) };
    return { kind: 'ambiguous', via: tier.via, options: tools.slice(0, MAX_OPTIONS) };
  }

  return { kind: 'none', suggestions: suggest(key, hits) };
}

/** Nothing close enough to be meant: offer what is nearest, if anything is near at all. */
export function suggest(key: string, hits: readonly KeyHit[]): ToolRef[] {
  const limit = Math.max(2, typoAllowance(key.length) + 1);
  // Lengths further apart than the limit cannot be within it: skip the distance for those.
  const near: Scored[] = [];
  for (const h of hits) {
    const score = editDistance(key, h.key, limit);
    if (score <= limit) near.push({ tool: ref(h), score });
  }
  return uniqueTools(near).slice(0, MAX_SUGGESTIONS);
}
