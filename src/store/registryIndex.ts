// The registry in memory: one immutable snapshot with the indexes answering needs (names, typos,
// prefixes, listing order), built from the registry as a store reads it. No I/O here: a backend
// reads the registry, this indexes it, and the backend decides when to read it again.
//
// The lookups give what the SQL ones gave before the registry was held in memory (issue 11): the
// same hits in the same order, under the same caps, so answers do not change.
import { isAscii } from 'node:buffer';
import {
  deletionVariants,
  forEachKeyOf,
  MAX_KEY_LENGTH,
  MIN_FUZZY_LENGTH,
  type KeyHit,
  type KeyKind,
} from '../domain/match.ts';
import {
  KEY_KINDS,
  type ApproverGroup,
  type Person,
  type Registry,
  type RiskClass,
  type Tool,
  type ToolRef,
} from '../domain/types.ts';
import type { RegistrySnapshot, ToolListing } from '../service/ports.ts';

/** A word shared by hundreds of names ("code") is a choice of ten at most; fifty candidates are plenty. */
const EXACT_LIMIT = 50;
/** Common short words share variants with thousands of keys; past this many, more candidates only cost time. */
const VARIANT_LIMIT = 200;
const PREFIX_LIMIT = 20;

const SURROGATE = /[\ud800-\udfff]/;

/** Code point order, which is SQLite's BINARY order for text (UTF-8 bytes compare as code points). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
/** UTF-16 order, which is code point order for text without surrogates (nearly all of it), and much faster. */
const compareUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const orderFor = (texts: readonly string[]) =>
  texts.some((t) => SURROGATE.test(t)) ? compareCodePoints : compareUnits;

/** SQLite's NOCASE: ASCII letters folded, nothing else. */
const foldAscii = (text: string): string => text.replace(/[A-Z]+/g, (m) => m.toLowerCase());

// The typo index (symmetric delete): every key and each of its one-deletion variants, by a 32-bit
// hash of the variant, in buckets (CSR arrays, a few bytes per variant instead of a string each).
// A hash hit is checked against the key itself, so a collision never becomes a hit.
const POLY = 0x01000193;

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const codePoints = (text: string): number[] => [...text].map((c) => c.codePointAt(0) as number);

/** The hash of a variant as the query side computes it: a polynomial over its code points, mixed. */
function variantHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i) as number;
    if (c > 0xffff) i++;
    h = (Math.imul(h, POLY) + c) | 0;
  }
  return mix(h);
}

/** Whether `variant` is one of deletionVariants(key), without making them. */
function isVariantOf(key: string, variant: string): boolean {
  if (variant === key) return true;
  if (key.length < MIN_FUZZY_LENGTH) return false;
  if (SURROGATE.test(key)) return deletionVariants(key).includes(variant);
  if (key.length !== variant.length + 1) return false;
  let i = 0;
  while (i < variant.length && key.charCodeAt(i) === variant.charCodeAt(i)) i++;
  for (; i < variant.length; i++) if (key.charCodeAt(i + 1) !== variant.charCodeAt(i)) return false;
  return true;
}

/** The most variants a query key has: itself and one deletion at each of its letters. */
const MAX_VARIANTS = MAX_KEY_LENGTH + 1;

/**
 * A query key and its distinct one-deletion variants, as positions (-1: the key itself; i: the key
 * without its i-th letter) with their hashes, written into `at` and `hashes` (unordered); returns
 * how many. No variant string is made. Keys with surrogate pairs go the plain way (-1).
 */
function queryVariants(key: string, at: Int32Array, hashes: Uint32Array): number {
  if (SURROGATE.test(key) || key.length > MAX_KEY_LENGTH) return -1;
  const n = key.length;
  let whole = 0;
  for (let i = 0; i < n; i++) whole = (Math.imul(whole, POLY) + key.charCodeAt(i)) | 0;
  at[0] = -1;
  hashes[0] = mix(whole);
  if (n < MIN_FUZZY_LENGTH) return 1;
  let count = 1;
  const suffix = new Int32Array(n + 1);
  let power = 1;
  for (let i = n - 1; i >= 0; i--) {
    suffix[i] = ((suffix[i + 1] as number) + Math.imul(key.charCodeAt(i), power)) | 0;
    power = Math.imul(power, POLY);
  }
  // powers[n-1-i] for the prefix, built as i goes down from n-1.
  const powers = new Int32Array(n);
  powers[0] = 1;
  for (let i = 1; i < n; i++) powers[i] = Math.imul(powers[i - 1] as number, POLY);
  let prefix = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || key.charCodeAt(i) !== key.charCodeAt(i - 1)) {
      at[count] = i;
      hashes[count++] = mix((Math.imul(prefix, powers[n - 1 - i] as number) + (suffix[i + 1] as number)) | 0);
    }
    prefix = (Math.imul(prefix, POLY) + key.charCodeAt(i)) | 0;
  }
  return count;
}

/** The order of two variants of `key` by position (-1 the key itself), as their strings compare. */
function compareVariants(key: string, a: number, b: number): number {
  if (a === b) return 0;
  const n = key.length;
  // The variant at position x read at p: the key's letter p, or p+1 from x on (the key itself: x = n).
  const at = (x: number, p: number) => key.charCodeAt(p < x ? p : p + 1);
  const x = a < 0 ? n : a;
  const y = b < 0 ? n : b;
  const la = a < 0 ? n : n - 1;
  const lb = b < 0 ? n : n - 1;
  for (let p = Math.min(x, y); p < Math.min(la, lb); p++) {
    const d = at(x, p) - at(y, p);
    if (d !== 0) return d;
  }
  return la - lb;
}

/** Whether a candidate key shares the variant of `query` at `at` (as isVariantOf on the variant's string). */
function sharesVariant(candidate: string, query: string, at: number): boolean {
  const vLength = at < 0 ? query.length : query.length - 1;
  const v = (p: number) => query.charCodeAt(at < 0 || p < at ? p : p + 1);
  if (candidate.length === vLength) {
    for (let p = 0; p < vLength; p++) if (candidate.charCodeAt(p) !== v(p)) return false;
    return true;
  }
  if (candidate.length < MIN_FUZZY_LENGTH || SURROGATE.test(candidate) || candidate.length !== vLength + 1)
    return false;
  let p = 0;
  while (p < vLength && candidate.charCodeAt(p) === v(p)) p++;
  for (; p < vLength; p++) if (candidate.charCodeAt(p + 1) !== v(p)) return false;
  return true;
}

/**
 * The typo table's entries are held in chunks of 2^ENTRY_CHUNK_BITS numbers (64 KB, a kept
 * snapshot's piece): read back kept, each piece SQLite gives is a chunk as it is, where one array
 * would need them all copied into it (at 50,000 tools, 27 MB of fresh memory touched at start, a
 * tenth of a second here). A variant's pair of numbers never straddles two chunks.
 */
const ENTRY_CHUNK_BITS = 14;
const ENTRY_CHUNK_MASK = (1 << ENTRY_CHUNK_BITS) - 1;

/** `entries` as chunks of 2^ENTRY_CHUNK_BITS numbers (views, not copies). */
const entryChunksOf = (entries: Uint32Array): Uint32Array[] =>
  Array.from({ length: Math.ceil(entries.length / (1 << ENTRY_CHUNK_BITS)) }, (_, i) =>
    entries.subarray(i << ENTRY_CHUNK_BITS, (i + 1) << ENTRY_CHUNK_BITS),
  );

interface TypoIndex {
  shift: number;
  offsets: Uint32Array;
  /**
   * Per variant, its hash and its key's number, side by side: one cache line holds a bucket. In
   * chunks: number e is entries[e >>> ENTRY_CHUNK_BITS][e & ENTRY_CHUNK_MASK].
   */
  entries: Uint32Array[];
  /**
   * Per bucket, a 32-bit filter of its hashes (two bits of each set): most variants of a query are
   * in no key, and this tells so from a table that stays in the cache, without reading the bucket.
   */
  filters: Int32Array;
  /**
   * Per key, 1 when no other key's text shares a hash with any of its variants: a query that is
   * such a key finds only that key (and keys of the same text) under every one of its variants.
   */
  alone: Uint8Array;
}

/** The two filter bits of a hash (its low ten bits; the bucket is its high bits). */
const filterBits = (h: number): number => (1 << (h & 31)) | (1 << ((h >>> 5) & 31));

/**
 * The hashes of every key and of its distinct one-deletion variants, key after key, with how many
 * each key has. O(length) a key: the hash of a deletion is a prefix sum times a power plus a suffix sum.
 * This runs over millions of variants at 50,000 tools, so it works in typed arrays, without closures.
 */
function variantHashes(keys: readonly string[]): { all: Uint32Array; perKey: Uint16Array; count: number } {
  let bound = 0;
  let longest = 0;
  for (const key of keys) {
    bound += key.length < MIN_FUZZY_LENGTH ? 1 : key.length + 1;
    longest = Math.max(longest, key.length);
  }
  const all = new Uint32Array(bound);
  const perKey = new Uint16Array(keys.length);
  const powers = new Int32Array(longest + 1);
  powers[0] = 1;
  for (let i = 1; i <= longest; i++) powers[i] = Math.imul(powers[i - 1] as number, POLY);
  const cps = new Int32Array(longest);
  const suffix = new Int32Array(longest + 1);
  let count = 0;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    let n = key.length;
    if (SURROGATE.test(key)) {
      const points = codePoints(key);
      n = points.length;
      for (let i = 0; i < n; i++) cps[i] = points[i] as number;
    } else for (let i = 0; i < n; i++) cps[i] = key.charCodeAt(i);
    const start = count;
    let whole = 0;
    for (let i = 0; i < n; i++) whole = (Math.imul(whole, POLY) + (cps[i] as number)) | 0;
    all[count++] = mix(whole);
    if (key.length >= MIN_FUZZY_LENGTH) {
      // suffix[i]: what cps[i..] add to the hash, in place (the exponent of cps[j] is n-1-j).
      suffix[n] = 0;
      for (let i = n - 1; i >= 0; i--)
        suffix[i] = ((suffix[i + 1] as number) + Math.imul(cps[i] as number, powers[n - 1 - i] as number)) | 0;
      let prefix = 0; // the hash of cps[0..i)
      for (let i = 0; i < n; i++) {
        // Deleting any letter of a run of equal letters gives one and the same string: count it once.
        if (i === 0 || cps[i] !== cps[i - 1])
          all[count++] = mix((Math.imul(prefix, powers[n - 1 - i] as number) + (suffix[i + 1] as number)) | 0);
        prefix = (Math.imul(prefix, POLY) + (cps[i] as number)) | 0;
      }
    }
    perKey[k] = count - start;
  }
  return { all, perKey, count };
}

function buildTypoIndex(keys: readonly string[]): TypoIndex {
  const { all, perKey, count } = variantHashes(keys);
  // About eight variants a bucket, so the table of buckets stays small enough to stay in the cache;
  // each bucket lists its variants in key order (count, then fill).
  const bits = Math.max(4, Math.min(22, Math.ceil(Math.log2(count + 1)) - 3));
  const shift = 32 - bits;
  const offsets = new Uint32Array((1 << bits) + 1);
  for (let i = 0; i < count; i++) (offsets[((all[i] as number) >>> shift) + 1] as number)++;
  for (let b = 1; b < offsets.length; b++) offsets[b] = (offsets[b] as number) + (offsets[b - 1] as number);
  const next = offsets.slice(0, -1);
  const entries = new Uint32Array(2 * count);
  let at = 0;
  for (let k = 0; k < keys.length; k++) {
    for (let j = 0; j < (perKey[k] as number); j++, at++) {
      const h = all[at] as number;
      const slot = 2 * (next[h >>> shift] as number)++;
      entries[slot] = h;
      entries[slot + 1] = k;
    }
  }
  const filters = new Int32Array(offsets.length - 1);
  const alone = new Uint8Array(keys.length).fill(1);
  // A bucket's distinct hashes, with the first key of each and whether another text shares it. A
  // bucket can hold thousands of entries (a word in thousands of names) but only a few hashes.
  let largest = 0;
  for (let b = 0; b < filters.length; b++)
    largest = Math.max(largest, (offsets[b + 1] as number) - (offsets[b] as number));
  const groupHash = new Uint32Array(largest);
  const groupKey = new Uint32Array(largest);
  const groupMixed = new Uint8Array(largest);
  for (let b = 0; b < filters.length; b++) {
    const start = 2 * (offsets[b] as number);
    const end = 2 * (offsets[b + 1] as number);
    let filter = 0;
    let groups = 0;
    let mixed = false;
    for (let e = start; e < end; e += 2) {
      const h = entries[e] as number;
      const k = entries[e + 1] as number;
      filter |= filterBits(h);
      let g = 0;
      while (g < groups && groupHash[g] !== h) g++;
      if (g === groups) {
        groupHash[g] = h;
        groupKey[g] = k;
        groupMixed[g] = 0;
        groups++;
      } else if (groupMixed[g] === 0 && keys[k] !== keys[groupKey[g] as number]) {
        groupMixed[g] = 1;
        mixed = true;
      }
    }
    filters[b] = filter;
    if (!mixed) continue;
    for (let e = start; e < end; e += 2) {
      let g = 0;
      while (groupHash[g] !== entries[e]) g++;
      if (groupMixed[g] === 1) alone[entries[e + 1] as number] = 0;
    }
  }
  return { shift, offsets, entries: entryChunksOf(entries), filters, alone };
}

/** The tools of a snapshot by number (registry order): what hits and listings show of each, and each whole when asked for. */
interface ToolTable {
  ids: readonly string[];
  names: readonly string[];
  vendors: readonly string[];
  categories: readonly string[];
  tool(i: number): Tool;
}

/** The lookups' arrays, made from the tools' keys: what a kept snapshot stores and reads back. */
interface IndexParts {
  /** Every key of every tool, numbered in registry order: a key's number orders hits as its row id did. */
  keyText: string[];
  /** Per key, its kind's place in KEY_KINDS. */
  keyKind: Uint8Array;
  /** Per key, its tool's number. */
  keyTool: Uint32Array;
  typos: TypoIndex;
  /** The distinct keys, in key order (for prefixes). */
  sortedKeys: string[];
  /** Whether keys compare by code point (some have surrogate pairs) instead of by UTF-16 unit. */
  codePointOrder: boolean;
}

const KIND_CODE = Object.fromEntries(KEY_KINDS.map((kind, i) => [kind, i])) as Record<KeyKind, number>;

function indexParts(tools: ReadonlyArray<{ id: string; name: string; aliases: readonly string[] }>): IndexParts {
  const keyText: string[] = [];
  const kinds: number[] = [];
  const owners: number[] = [];
  let ti = 0;
  const addKey = (key: string, kind: KeyKind) => {
    keyText.push(key);
    kinds.push(KIND_CODE[kind]);
    owners.push(ti);
  };
  for (; ti < tools.length; ti++) forEachKeyOf(tools[ti] as Tool, addKey);
  // One table serves both exact keys (a key is its own variant) and typos.
  const typos = buildTypoIndex(keyText);
  // Distinct keys in order, for prefixes: a native sort, then equal neighbours dropped.
  const codePointOrder = orderFor(keyText) === compareCodePoints;
  const sortedKeys = codePointOrder ? keyText.slice().sort(compareCodePoints) : keyText.slice().sort();
  let distinct = 0;
  for (let i = 0; i < sortedKeys.length; i++)
    if (i === 0 || sortedKeys[i] !== sortedKeys[distinct - 1]) sortedKeys[distinct++] = sortedKeys[i] as string;
  sortedKeys.length = distinct;
  return {
    keyText,
    keyKind: Uint8Array.from(kinds),
    keyTool: Uint32Array.from(owners),
    typos,
    sortedKeys,
    codePointOrder,
  };
}

/** What a snapshot was made of, for keeping it (keptSnapshotOf). */
const madeOf = new WeakMap<
  RegistrySnapshot,
  { registry: Registry; table: ToolTable; parts: IndexParts; parseRange?: (from: number, to: number) => void }
>();

export function indexRegistry(registry: Registry): RegistrySnapshot {
  const tools = registry.tools;
  const table: ToolTable = {
    ids: tools.map((t) => t.id),
    names: tools.map((t) => t.name),
    vendors: tools.map((t) => t.vendor),
    categories: tools.map((t) => t.category),
    tool: (i) => tools[i] as Tool,
  };
  return snapshotOf(registry, table, indexParts(tools));
}

/** `parseRange`: when the table reads its tools from a kept snapshot, parses some of them ahead. */
function snapshotOf(
  registry: Registry,
  table: ToolTable,
  parts: IndexParts,
  parseRange?: (from: number, to: number) => void,
): RegistrySnapshot {
  const { keyText, keyKind, keyTool, typos, sortedKeys } = parts;
  const compare = parts.codePointOrder ? compareCodePoints : compareUnits;

  // A tool by id: a map, as every answer asks for its tool and alternatives by id (a binary search
  // over 50,000 ids takes a cache miss at each of its sixteen steps).
  const byId = new Map<string, number>();
  table.ids.forEach((id, i) => byId.set(id, i));
  const tool = (id: string): Tool | null => {
    const i = byId.get(id);
    return i === undefined ? null : table.tool(i);
  };
  // A key's hit is the same object every time: answers only read it, and this runs for every candidate.
  const hitObjects: Array<KeyHit | undefined> = new Array<KeyHit | undefined>(keyText.length);
  const hit = (k: number): KeyHit => {
    let h = hitObjects[k];
    if (!h) {
      const t = keyTool[k] as number;
      h = {
        key: keyText[k] as string,
        kind: KEY_KINDS[keyKind[k] as number] as KeyKind,
        id: table.ids[t] as string,
        name: table.names[t] as string,
        vendor: table.vendors[t] as string,
      };
      hitObjects[k] = h;
    }
    return h;
  };
  const { offsets, entries, shift, filters, alone } = typos;

  /** Pushes keys equal to `key` (their own variant), in key order, up to `limit` in all; returns how many now. */
  const exactKeys = (key: string, out: KeyHit[], found: number, limit: number, ids?: Set<number>): number => {
    const h = variantHash(key);
    const bucket = h >>> shift;
    let last = -1;
    for (
      let e = 2 * (offsets[bucket] as number), end = 2 * (offsets[bucket + 1] as number);
      e < end && found < limit;
      e += 2
    ) {
      const chunk = entries[e >>> ENTRY_CHUNK_BITS] as Uint32Array;
      if (chunk[e & ENTRY_CHUNK_MASK] !== h) continue;
      const k = chunk[(e & ENTRY_CHUNK_MASK) + 1] as number;
      if (k === last || keyText[k] !== key) continue;
      last = k;
      if (ids) ids.add(k);
      else out.push(hit(k));
      found++;
    }
    return found;
  };
  // Scratch for one query's variants (answers run one at a time on this thread).
  const variantAt = new Int32Array(MAX_VARIANTS);
  const queryHashes = new Uint32Array(MAX_VARIANTS);
  const bucketStart = new Uint32Array(MAX_VARIANTS);
  const bucketEnd = new Uint32Array(MAX_VARIANTS);
  // As `variant IN (...)` walked it: variants in order, each one's keys in key order, each once.
  // Each variant's bucket is a cache miss in a table of megabytes: all buckets are located first,
  // then all are read, so that the misses of the different variants overlap instead of queueing;
  // only the few variants with a hash in their bucket are then put in the order of their strings.
  const variantHits = (key: string, out: KeyHit[]) => {
    const count = queryVariants(key, variantAt, queryHashes);
    if (count < 0) return stringVariantHits(deletionVariants(key), out);
    // The key's own rows share every one of its variants: known without reading them again.
    const own = new Set<number>();
    exactKeys(key, [], 0, Number.MAX_SAFE_INTEGER, own);
    let taken = 0;
    if (own.size > 0 && [...own].every((k) => alone[k] === 1)) {
      // Nothing else shares a variant: each variant's bucket holds just these keys, in key order.
      for (let i = 0; i < count; i++)
        for (const k of own) {
          out.push(hit(k));
          if (++taken >= VARIANT_LIMIT) return;
        }
      return;
    }
    for (let i = 0; i < count; i++) {
      const h = queryHashes[i] as number;
      const bucket = h >>> shift;
      const bits = filterBits(h);
      // An empty range: the filter says the bucket does not hold the hash.
      bucketStart[i] = offsets[bucket] as number;
      bucketEnd[i] = ((filters[bucket] as number) & bits) === bits ? (offsets[bucket + 1] as number) : 0;
    }
    // The variants whose bucket holds their hash, as [variant, entry, entry, ...] runs.
    let found: number[] | null = null;
    for (let i = 0; i < count; i++) {
      const h = queryHashes[i] as number;
      let first = true;
      for (let e = 2 * (bucketStart[i] as number), end = 2 * (bucketEnd[i] as number); e < end; e += 2) {
        if ((entries[e >>> ENTRY_CHUNK_BITS] as Uint32Array)[e & ENTRY_CHUNK_MASK] !== h) continue;
        found ??= [];
        if (first) {
          found.push(-1 - i);
          first = false;
        }
        found.push(e);
      }
    }
    if (!found) return;
    const runs: Array<{ variant: number; from: number; to: number }> = [];
    for (let j = 0; j < found.length; j++) {
      const v = found[j] as number;
      if (v < 0) runs.push({ variant: -1 - v, from: j + 1, to: j + 1 });
      else (runs[runs.length - 1] as { to: number }).to = j + 1;
    }
    if (runs.length > 1)
      runs.sort((a, b) => compareVariants(key, variantAt[a.variant] as number, variantAt[b.variant] as number));
    for (const run of runs) {
      const at = variantAt[run.variant] as number;
      let last = -1;
      for (let j = run.from; j < run.to; j++) {
        const e = found[j] as number;
        const k = (entries[e >>> ENTRY_CHUNK_BITS] as Uint32Array)[(e & ENTRY_CHUNK_MASK) + 1] as number;
        if (k === last || !(own.has(k) || sharesVariant(keyText[k] as string, key, at))) continue;
        last = k;
        out.push(hit(k));
        if (++taken >= VARIANT_LIMIT) return;
      }
    }
  };
  // The same from the variants' strings: for keys with surrogate pairs.
  const stringVariantHits = (variants: readonly string[], out: KeyHit[]) => {
    let found = 0;
    for (const v of [...new Set(variants)].sort(compare)) {
      const h = variantHash(v);
      const bucket = h >>> shift;
      let last = -1;
      for (let e = 2 * (offsets[bucket] as number), end = 2 * (offsets[bucket + 1] as number); e < end; e += 2) {
        const chunk = entries[e >>> ENTRY_CHUNK_BITS] as Uint32Array;
        if (chunk[e & ENTRY_CHUNK_MASK] !== h) continue;
        const k = chunk[(e & ENTRY_CHUNK_MASK) + 1] as number;
        if (k === last || !isVariantOf(keyText[k] as string, v)) continue;
        last = k;
        out.push(hit(k));
        if (++found >= VARIANT_LIMIT) return;
      }
    }
  };
  // As `key GLOB 'prefix*'` walked the key index: keys in order, each one's rows in key order.
  // Where the sorted keys starting with each first three letters lie: a prefix (three letters or
  // more) is searched for among those few, not among all (each step of that search misses the cache).
  // Made when first asked for: a start at 50,000 tools need not wait for 175,000 keys' slices.
  let startRanges: Map<string, [number, number]> | null = null;
  const rangesByStart = (): Map<string, [number, number]> => {
    if (startRanges) return startRanges;
    startRanges = new Map();
    for (let i = 0; i < sortedKeys.length; i++) {
      const start = (sortedKeys[i] as string).slice(0, 3);
      const range = startRanges.get(start);
      if (range) range[1] = i + 1;
      else startRanges.set(start, [i, i + 1]);
    }
    return startRanges;
  };
  const prefixHits = (prefix: string, out: KeyHit[]) => {
    // Keys shorter than three letters sort among those with their letters as a start: search all then.
    const range =
      prefix.length >= 3 && !SURROGATE.test(prefix.slice(0, 3)) ? rangesByStart().get(prefix.slice(0, 3)) : null;
    if (range === undefined) return;
    let lo = range ? range[0] : 0;
    let hi = range ? range[1] : sortedKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(sortedKeys[mid] as string, prefix) < 0) lo = mid + 1;
      else hi = mid;
    }
    let found = 0;
    const end = range ? range[1] : sortedKeys.length;
    for (let i = lo; i < end && found < PREFIX_LIMIT && (sortedKeys[i] as string).startsWith(prefix); i++)
      found = exactKeys(sortedKeys[i] as string, out, found, PREFIX_LIMIT);
  };

  // Listing order (name, NOCASE) is made when first asked for: most snapshots never list.
  let byName: number[] | null = null;
  const byCategory = new Map<string, number[]>();
  const listingOrder = (): number[] => {
    if (!byName) {
      const folded = table.names.map(foldAscii);
      const order = orderFor(folded);
      byName = table.names.map((_, i) => i).sort((a, b) => order(folded[a] as string, folded[b] as string) || a - b);
      for (const i of byName) {
        const category = table.categories[i] as string;
        const list = byCategory.get(category);
        if (list) list.push(i);
        else byCategory.set(category, [i]);
      }
    }
    return byName;
  };
  const counts = new Map<string, number>();
  for (const c of table.categories) counts.set(c, (counts.get(c) ?? 0) + 1);
  const categoryNames = [...counts.keys()];
  const categories = categoryNames
    .sort(orderFor(categoryNames))
    .map((category) => ({ category, count: counts.get(category) as number }));

  const people = new Map<string, Person>(registry.people.map((p) => [p.user, p]));
  const groups = new Map<string, ApproverGroup>(registry.approverGroups.map((g) => [g.id, g]));

  const snapshot: RegistrySnapshot = {
    registry,
    findKeyHits(key, typos) {
      // Exact hits come on their own, so the cap on typo candidates can never hide the tool asked for.
      const hits: KeyHit[] = [];
      exactKeys(key, hits, 0, EXACT_LIMIT);
      if (typos) variantHits(key, hits);
      if (key.length >= 3) prefixHits(key, hits);
      return hits;
    },
    tool,
    toolRefs: (ids) =>
      ids.flatMap((id): ToolRef[] => {
        const i = byId.get(id);
        return i === undefined
          ? []
          : [{ id: table.ids[i] as string, name: table.names[i] as string, vendor: table.vendors[i] as string }];
      }),
    listTools(region, category, limit) {
      const all = listingOrder();
      const order = category === null ? all : (byCategory.get(category) ?? []);
      return {
        tools: order.slice(0, limit).map((i): ToolListing => {
          const t = table.tool(i);
          return {
            id: t.id,
            name: t.name,
            vendor: t.vendor,
            category: t.category,
            status: (Object.hasOwn(t.regions, region) ? t.regions[region]?.status : undefined) ?? t.status,
          };
        }),
        total: order.length,
      };
    },
    categories: () => categories,
    person: (user) => people.get(user) ?? null,
    approverGroup: (id) => groups.get(id) ?? null,
    approvalChain: (risk: RiskClass) => [...(registry.approvalChains[risk] ?? [])],
  };
  madeOf.set(snapshot, parseRange ? { registry, table, parts, parseRange } : { registry, table, parts });
  return snapshot;
}

// ------------------------------------------------------------------ kept snapshots
// Building a snapshot of 50,000 tools takes seconds (the rows, then the typo table): too long for a
// start. So a backend may keep what a snapshot was made of, labelled with the registry version it
// is of, and a start at that version reads it back instead: the arrays as they are, the settings
// and names parsed, and each tool parsed from its own JSON only when it is first asked for.

/**
 * The most characters or bytes in one piece of a kept snapshot. Small enough that SQLite reads a
 * piece without a long chain of overflow pages (a 1 MB piece read three times slower here).
 */
export const KEPT_PIECE = 1 << 16;

/** What a kept snapshot is, for a backend to store: text and bytes, nothing of this process, in pieces. */
export interface KeptSnapshot {
  /** JSON in pieces: joined, the settings and where the arrays lie (KeptMeta). */
  meta: string[];
  /**
   * The distinct key texts in key order, then the tools' ids, names, vendors and categories, as
   * UTF-8 bytes in pieces of several, each piece its strings joined by NUL (read back faster than
   * JSON parses them). Each string is decoded on its own: a flat string, where split() gives slices
   * of the piece, and the lookups' comparisons and answers' rendering then read through those (a
   * request at 50,000 tools took half as much CPU again with the names as slices, 15 to 30% more
   * with the keys).
   */
  strings: Uint8Array[];
  /**
   * The typed arrays' bytes in pieces: one after the other, each array at a multiple of 8 bytes and
   * in pieces of its own; the typo table's entries one piece a chunk (ENTRY_CHUNK_BITS).
   */
  arrays: Uint8Array[];
  /** Every tool's JSON, by number. */
  tools: string[];
}

/**
 * A kept snapshot as it is read back: its pieces joined, and its tools by number as JSON, read one
 * by one when first asked for (50,000 tools are 47 MB of JSON: a start reads none of it).
 */
export interface KeptSnapshotSource {
  /** How many tools' JSON there is to read. */
  tools: number;
  meta: string;
  strings: ReadonlyArray<Uint8Array | string>;
  /** The arrays' pieces as they were kept. */
  arrays: readonly Uint8Array[];
  toolJson: (n: number, id: string) => string;
  /** Tools `from` to `to`, as JSON, in one read; null if any of them is gone. */
  toolJsons: (from: number, to: number) => string[] | null;
}

interface KeptMeta {
  settings: Omit<Registry, 'tools' | 'toolHistory'>;
  /** How many distinct key texts (each key's text is one of these: the keyText section), and how many tools. */
  texts: number;
  tools: number;
  shift: number;
  codePointOrder: boolean;
  /** [byte offset, length in elements] of keyKind, alone, keyTool, offsets, entries, filters, keyText. */
  sections: Array<[number, number]>;
}

/** The bytes an element of each section takes (KeptMeta.sections' order). */
const SECTION_SIZES = [1, 1, 4, 4, 4, 4, 4] as const;

/** How many tools' JSON (or keys) are made between two yields of keptSnapshotOf, so a caller can spread the work. */
const TOOLS_A_STEP = 1000;
const KEYS_A_STEP = 20_000;

/** `text` in pieces of at most KEPT_PIECE characters. */
const piecesOf = (text: string): string[] =>
  Array.from({ length: Math.ceil(text.length / KEPT_PIECE) }, (_, i) =>
    text.slice(i * KEPT_PIECE, (i + 1) * KEPT_PIECE),
  );

const NUL = '\u0000';

/** `strings` as pieces of about KEPT_PIECE characters, each a run of them joined by NUL. */
function joinedPieces(strings: readonly string[], out: string[]): void {
  let from = 0;
  let length = 0;
  for (let i = 0; i < strings.length; i++) {
    length += (strings[i] as string).length + 1;
    if (length >= KEPT_PIECE || i === strings.length - 1) {
      out.push(strings.slice(from, i + 1).join(NUL));
      from = i + 1;
      length = 0;
    }
  }
}

/**
 * What `snapshot` (made by indexRegistry) is made of, as a KeptSnapshot; a generator that yields
 * every few milliseconds of work, so that a caller on an event loop can do the rest later. The
 * arrays' pieces are views of the snapshot's own arrays, not copies.
 */
export function* keptSnapshotOf(snapshot: RegistrySnapshot): Generator<undefined, KeptSnapshot | null> {
  const made = madeOf.get(snapshot);
  if (!made) throw new Error('keptSnapshotOf: not a snapshot made by indexRegistry');
  const { registry, table, parts } = made;
  const lists = [parts.sortedKeys, table.ids, table.names, table.vendors, table.categories];
  // A name with a NUL in it could not be split back: such a registry is not kept (built at each start).
  for (const list of lists) {
    if (list.some((text) => text.includes(NUL))) return null;
    yield;
  }
  const n = table.ids.length;
  const tools = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    tools[i] = JSON.stringify(table.tool(i));
    if (i % TOOLS_A_STEP === TOOLS_A_STEP - 1) yield;
  }
  // Each key's text as its place among the distinct sorted texts: half as many strings to read back.
  const placeOfText = new Map<string, number>();
  for (let i = 0; i < parts.sortedKeys.length; i++) {
    placeOfText.set(parts.sortedKeys[i] as string, i);
    if (i % KEYS_A_STEP === KEYS_A_STEP - 1) yield;
  }
  const keyText = new Uint32Array(parts.keyText.length);
  for (let k = 0; k < keyText.length; k++) {
    keyText[k] = placeOfText.get(parts.keyText[k] as string) as number;
    if (k % KEYS_A_STEP === KEYS_A_STEP - 1) yield;
  }
  const sections: Array<[number, number]> = [];
  const arrays: Uint8Array[] = [];
  let bytes = 0;
  const { alone, offsets, entries, filters } = parts.typos;
  for (const a of [[parts.keyKind], [alone], [parts.keyTool], [offsets], entries, [filters], [keyText]]) {
    let length = 0;
    let byteLength = 0;
    for (const chunk of a) {
      const whole = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let at = 0; at < whole.length; at += KEPT_PIECE) arrays.push(whole.subarray(at, at + KEPT_PIECE));
      length += chunk.length;
      byteLength += chunk.byteLength;
    }
    sections.push([bytes, length]);
    const padding = (8 - (byteLength % 8)) % 8;
    if (padding) arrays.push(new Uint8Array(padding));
    bytes += byteLength + padding;
  }
  const texts: string[] = [];
  for (const list of lists) {
    joinedPieces(list, texts);
    yield;
  }
  const strings = texts.map((piece) => Buffer.from(piece, 'utf8'));
  const meta: KeptMeta = {
    settings: settingsOf(registry),
    texts: parts.sortedKeys.length,
    tools: n,
    shift: parts.typos.shift,
    codePointOrder: parts.codePointOrder,
    sections,
  };
  return { meta: piecesOf(JSON.stringify(meta)), strings, arrays, tools };
}

/** Whether `a` never goes down. */
function ascending(a: Uint32Array): boolean {
  for (let i = 1; i < a.length; i++) if ((a[i] as number) < (a[i - 1] as number)) return false;
  return true;
}

/** Whether every `step`-th number of `a` from `from` on is below `limit` (a number that names something that is there). */
function below(a: ArrayLike<number>, from: number, step: number, limit: number): boolean {
  for (let i = from; i < a.length; i += step) if ((a[i] as number) >= limit) return false;
  return true;
}

/**
 * The arrays' pieces as they were kept, read by section (each starts a piece of its own): a
 * section in one piece is a view of it, a longer one a copy; the typo table's entries are the
 * pieces themselves, one chunk each, unless their bytes come unaligned or cut otherwise. Null
 * for a section the pieces do not hold.
 */
function keptArrays(pieces: readonly Uint8Array[]) {
  const startOf = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < pieces.length; i++) {
    startOf.set(total, i);
    total += (pieces[i] as Uint8Array).byteLength;
  }
  /** The bytes `offset` to `offset + length`, at an offset a typed array of 8-byte numbers can view. */
  const bytes = (offset: number, length: number): Uint8Array | null => {
    if (length === 0 && offset <= total) return new Uint8Array(0); // a section of nothing (no keys)
    const first = startOf.get(offset);
    if (first === undefined || !Number.isInteger(length) || length < 0 || offset + length > total) return null;
    const piece = pieces[first] as Uint8Array;
    if (piece.byteLength >= length && piece.byteOffset % 8 === 0) return piece.subarray(0, length);
    const copy = new Uint8Array(length);
    for (let i = first, at = 0; at < length; i++) {
      const part = (pieces[i] as Uint8Array).subarray(0, length - at);
      copy.set(part, at);
      at += part.byteLength;
    }
    return copy;
  };
  const chunkBytes = 4 << ENTRY_CHUNK_BITS;
  const entryChunks = (offset: number, length: number): Uint32Array[] | null => {
    if (length === 0 && offset <= total) return [];
    const first = startOf.get(offset);
    if (first === undefined || offset + length * 4 > total) return null;
    const chunks: Uint32Array[] = [];
    for (let i = first, left = length * 4; left > 0; i++) {
      const piece = pieces[i] as Uint8Array;
      const want = Math.min(chunkBytes, left);
      if (piece.byteLength < want || (piece.byteLength > want && want === chunkBytes)) {
        // Cut otherwise than in chunks: the section copied whole, then viewed in chunks.
        const whole = bytes(offset, length * 4);
        return whole && entryChunksOf(new Uint32Array(whole.buffer, whole.byteOffset, length));
      }
      const aligned = piece.byteOffset % 4 === 0 ? piece : new Uint8Array(piece.subarray(0, want));
      chunks.push(new Uint32Array(aligned.buffer, aligned.byteOffset, want / 4));
      left -= want;
    }
    return chunks;
  };
  return { bytes, entryChunks };
}

/**
 * The snapshot a KeptSnapshot was made of, answering as it did; null when the bytes do not add up
 * (a damaged row), so the caller builds it from the registry instead.
 */
export function snapshotFromKept(kept: KeptSnapshotSource): RegistrySnapshot | null {
  let meta: KeptMeta;
  try {
    meta = JSON.parse(kept.meta) as KeptMeta;
  } catch {
    return null;
  }
  const { texts, tools: n, sections: s } = meta;
  const keys = s?.[0]?.[1];
  if (!Array.isArray(s) || s.length !== 7 || !Number.isInteger(n) || !Number.isInteger(texts)) return null;
  if (typeof keys !== 'number' || kept.tools !== n) return null;
  if (!Number.isInteger(meta.shift) || meta.shift < 10 || meta.shift > 28) return null;
  // Hundreds of thousands of strings: each list made at its size and filled, never grown.
  const sortedKeys = new Array<string>(texts);
  const perTool = [new Array<string>(n), new Array<string>(n), new Array<string>(n), new Array<string>(n)];
  let at = 0;
  const put = (text: string) => {
    if (at < texts) sortedKeys[at] = text;
    else if (at < texts + 4 * n) (perTool[Math.floor((at - texts) / n)] as string[])[(at - texts) % n] = text;
    at++;
  };
  for (const piece of kept.strings) {
    if (typeof piece === 'string') return null;
    // Each string decoded on its own from the piece's bytes (see KeptSnapshot.strings); Latin-1
    // decodes ASCII as UTF-8 does, faster.
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const encoding = isAscii(bytes) ? 'latin1' : 'utf8';
    for (let start = 0; start <= bytes.length;) {
      let end = bytes.indexOf(0, start);
      if (end < 0) end = bytes.length;
      put(bytes.toString(encoding, start, end));
      start = end + 1;
    }
  }
  if (at !== texts + 4 * n) return null;
  const [ids, toolNames, vendors, categories] = perTool as [string[], string[], string[], string[]];
  const names = { ids, names: toolNames, vendors, categories };
  // The sections one after the other, each at a multiple of 8 bytes, and the pieces' bytes all of them.
  let end = 0;
  for (let i = 0; i < s.length; i++) {
    const [offset, length] = s[i] as [number, number];
    if (offset !== end || !Number.isInteger(length) || length < 0) return null;
    end = offset + Math.ceil((length * (SECTION_SIZES[i] as number)) / 8) * 8;
  }
  if (kept.arrays.reduce((sum, piece) => sum + piece.byteLength, 0) !== end) return null;
  const arrays = keptArrays(kept.arrays);
  const section = <T>(
    make: new (buffer: ArrayBufferLike, offset: number, length: number) => T,
    i: number,
  ): T | null => {
    const [offset, length] = s[i] as [number, number];
    const bytes = arrays.bytes(offset, length * (SECTION_SIZES[i] as number));
    return bytes && new make(bytes.buffer, bytes.byteOffset, length);
  };
  const keyKind = section(Uint8Array, 0);
  const alone = section(Uint8Array, 1);
  const keyTool = section(Uint32Array, 2);
  const offsets = section(Uint32Array, 3);
  const [entriesAt, entryCount] = s[4] as [number, number];
  const entries = arrays.entryChunks(entriesAt, entryCount);
  const filters = section(Int32Array, 5);
  const textOfKey = section(Uint32Array, 6);
  if (!keyKind || !alone || !keyTool || !offsets || !entries || !filters || !textOfKey) return null;
  if (
    alone.length !== keys ||
    keyTool.length !== keys ||
    textOfKey.length !== keys ||
    filters.length !== offsets.length - 1 ||
    entryCount !== 2 * (offsets[offsets.length - 1] ?? 0) ||
    offsets.length !== 2 ** (32 - meta.shift) + 1 ||
    !ascending(offsets) ||
    !below(keyKind, 0, 1, KEY_KINDS.length) ||
    !below(keyTool, 0, 1, n) ||
    !below(textOfKey, 0, 1, texts) ||
    !entries.every((chunk) => below(chunk, 1, 2, keys))
  )
    return null;
  const keyText = new Array<string>(keys);
  for (let k = 0; k < keys; k++) keyText[k] = sortedKeys[textOfKey[k] as number] as string;
  const { registry, table, parseRange } = lazyTools(meta.settings, names, kept.toolJson, kept.toolJsons);
  const parts: IndexParts = {
    keyText,
    keyKind,
    keyTool,
    typos: { shift: meta.shift, offsets, entries, filters, alone },
    sortedKeys,
    codePointOrder: meta.codePointOrder,
  };
  return snapshotOf(registry, table, parts, parseRange);
}

/**
 * Parses the tools of a snapshot read back kept (snapshotFromKept) ahead of need, TOOLS_A_STEP
 * tools a step, each step's JSON read in one go (toolJsons; each tool alone when that fails):
 * afterwards the snapshot holds every tool as one built from the rows does, and answers read no
 * tool from anywhere. Nothing to do for a snapshot built from a registry.
 */
export function* toolsParsedAhead(snapshot: RegistrySnapshot): Generator<undefined, void> {
  const made = madeOf.get(snapshot);
  if (!made?.parseRange) return;
  const n = made.table.ids.length;
  for (let from = 0; from < n; from += TOOLS_A_STEP) {
    made.parseRange(from, Math.min(from + TOOLS_A_STEP, n));
    yield;
  }
}

/** The registry without its tools (and without a file's past classifications, which only an import reads). */
function settingsOf(registry: Registry): KeptMeta['settings'] {
  return {
    regions: registry.regions,
    names: registry.names,
    admins: registry.admins,
    reviewChannel: registry.reviewChannel,
    reviewGroup: registry.reviewGroup,
    auditChannel: registry.auditChannel,
    rubric: registry.rubric,
    approverGroups: registry.approverGroups,
    approvalChains: registry.approvalChains,
    people: registry.people,
    regionRules: registry.regionRules,
  };
}

/** A registry and tool table whose tools are each parsed from `toolJson` when first asked for. */
function lazyTools(
  settings: Omit<Registry, 'tools' | 'toolHistory'>,
  names: Pick<ToolTable, 'ids' | 'names' | 'vendors' | 'categories'>,
  toolJson: KeptSnapshotSource['toolJson'],
  toolJsons: KeptSnapshotSource['toolJsons'],
): { registry: Registry; table: ToolTable; parseRange: (from: number, to: number) => void } {
  const { ids } = names;
  const parsed = new Array<Tool | undefined>(ids.length);
  const tool = (i: number): Tool => (parsed[i] ??= JSON.parse(toolJson(i, ids[i] as string)) as Tool);
  /** Tools `from` to `to` parsed, read in one go if any is not yet (a loop, not some(): holes are skipped by it). */
  const parseRange = (from: number, to: number) => {
    let missing = false;
    for (let i = from; i < to && !missing; i++) missing = parsed[i] === undefined;
    if (!missing) return;
    const read = toolJsons(from, to);
    for (let i = from; i < to; i++) parsed[i] ??= read ? (JSON.parse(read[i - from] as string) as Tool) : tool(i);
  };
  let all: Tool[] | null = null;
  // The registry as a read of it gives it; its tools made only if something asks for all of them.
  const registry = { ...settings } as Registry;
  Object.defineProperty(registry, 'tools', {
    enumerable: true,
    get: () => {
      if (!all) {
        for (let from = 0; from < ids.length; from += TOOLS_A_STEP)
          parseRange(from, Math.min(from + TOOLS_A_STEP, ids.length));
        all = ids.map((_, i) => tool(i));
      }
      return all;
    },
  });
  return {
    registry,
    table: { ids, names: names.names, vendors: names.vendors, categories: names.categories, tool },
    parseRange,
  };
}

/**
 * What kept snapshots made by this code are labelled with: a change to how keys are hashed or
 * bucketed changes it by itself (the arrays of a small sample registry are part of it), so a
 * snapshot kept by other code is never read as this code's.
 */
export const keptSnapshotFormat: () => string = (() => {
  let format: string | null = null;
  return () => {
    if (format === null) {
      // Names that go through every rule of the keys: words, punctuation, case, other scripts,
      // astral letters, and one longer than a key may be.
      const sample = [
        'Claude Code',
        'GitHub Copilot (Enterprise)',
        'Cursor',
        'ChatGPT-4o',
        'Tabnine AI',
        'Ünïcode Tool',
        '𝒳 Writer',
        '通义灵码',
        `${'Very Long Name '.repeat(8)}Assistant`,
      ];
      const parts = indexParts(sample.map((name, i) => ({ id: `t${i}`, name, aliases: [`${name} app`] })));
      let h = 0;
      const fold = (a: ArrayLike<number>) => {
        for (let i = 0; i < a.length; i++) h = (Math.imul(h, POLY) + (a[i] as number)) | 0;
      };
      const { typos } = parts;
      for (const a of [parts.keyKind, parts.keyTool, typos.offsets, ...typos.entries, typos.filters, typos.alone])
        fold(a);
      for (const k of parts.sortedKeys) fold(codePoints(k));
      // The number is the layout of what is kept (KeptMeta, the sections): changed by hand with it.
      format = `registry-snapshot-4:${MAX_KEY_LENGTH}:${MIN_FUZZY_LENGTH}:${mix(h).toString(16)}`;
    }
    return format;
  };
})();
