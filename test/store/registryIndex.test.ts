// The in-memory registry index (issue 11) against a plain reference: the lookups the SQL store made,
// written out naively (every key, every variant, sorted lists), over random registries whose names
// collide, carry typos and use other scripts. Same hits in the same order, under the same caps.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deletionVariants, keysOf, normalizeKey, type KeyHit } from '../../src/domain/match.ts';
import type { Registry, Tool, ToolStatus } from '../../src/domain/types.ts';
import {
  indexRegistry,
  keptSnapshotOf,
  snapshotFromKept,
  toolsParsedAhead,
  type KeptSnapshot,
} from '../../src/store/registryIndex.ts';
import type { RegistrySnapshot } from '../../src/service/ports.ts';

/** SQLite itself says how ORDER BY name COLLATE NOCASE sorts these names. */
function nocaseOrder(names: string[]): string[] {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (name TEXT)');
  const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
  for (const n of names) insert.run(n);
  const sorted = db.prepare('SELECT name FROM t ORDER BY name COLLATE NOCASE').pluck().all() as string[];
  db.close();
  return sorted;
}

const byCodePoint = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
};

/** The SQL store's findKeyHits, naively: exact (50), shared variant (200, variants in order), prefix (20). */
function referenceHits(registry: Registry, key: string, variants: readonly string[]): KeyHit[] {
  const keys = registry.tools.flatMap((t) => keysOf(t).map((k) => ({ ...k, tool: t })));
  const hit = (k: (typeof keys)[number]): KeyHit => ({
    key: k.key,
    kind: k.kind,
    id: k.tool.id,
    name: k.tool.name,
    vendor: k.tool.vendor,
  });
  const out = keys
    .filter((k) => k.key === key)
    .slice(0, 50)
    .map(hit);
  const viaVariants: KeyHit[] = [];
  for (const v of [...new Set(variants)].sort(byCodePoint))
    for (const k of keys) if (deletionVariants(k.key).includes(v)) viaVariants.push(hit(k));
  out.push(...viaVariants.slice(0, 200));
  if (key.length >= 3) {
    const ordered = keys.map((k, i) => ({ k, i })).sort((a, b) => byCodePoint(a.k.key, b.k.key) || a.i - b.i);
    out.push(
      ...ordered
        .filter(({ k }) => k.key.startsWith(key))
        .slice(0, 20)
        .map(({ k }) => hit(k)),
    );
  }
  return out;
}

const tool = (id: string, name: string, aliases: string[], extra: Partial<Tool> = {}): Tool => ({
  id,
  name,
  vendor: `Vendor of ${name}`,
  vendorCountry: 'US',
  category: 'misc',
  aliases,
  risk: 'low',
  status: 'approved',
  reason: 'Reviewed.',
  conditions: null,
  alternatives: [],
  maxExceptionDays: null,
  approvers: null,
  data: {},
  facts: {},
  policyUrl: null,
  reviewed: null,
  regions: {},
  ...extra,
});

const registryOf = (tools: Tool[]): Registry => ({
  regions: ['global', 'cn'],
  names: { regions: {}, categories: {} },
  rubric: null,
  regionRules: [],
  admins: [],
  reviewChannel: null,
  auditChannel: null,
  approverGroups: [],
  approvalChains: { low: [], medium: [], high: [], critical: [] },
  people: [],
  tools: [...tools].sort((a, b) => byCodePoint(a.id, b.id)),
});

// Few letters, so that names share words, prefixes and typo variants; some accents, other scripts, astral letters.
const letter = fc.constantFrom('a', 'b', 'c', 'o', 'd', 'e', 'A', 'é', 'ß', '码', '𝒜', '1');
const word = fc.string({ unit: letter, minLength: 1, maxLength: 7 });
const name = fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '));
const tools = fc
  .array(fc.record({ name, aliases: fc.array(name, { maxLength: 2 }) }), { minLength: 1, maxLength: 40 })
  .map((ts) => ts.map((t, i) => tool(`tool-${i}`, t.name, t.aliases)));
/** Queries near the registry's own names: as typed, with a letter dropped, doubled or changed, and cut short. */
const queryFor = (reg: Registry) =>
  fc.oneof(
    name,
    fc
      .tuple(fc.nat(reg.tools.length - 1), fc.nat(10), fc.constantFrom('drop', 'double', 'change', 'cut'))
      .map(([t, at, how]) => {
        const chars = [...(reg.tools[t] as Tool).name];
        const i = at % chars.length;
        if (how === 'drop') chars.splice(i, 1);
        if (how === 'double') chars.splice(i, 0, chars[i] as string);
        if (how === 'change') chars[i] = 'x';
        return how === 'cut' ? chars.slice(0, i + 1).join('') : chars.join('');
      }),
  );

/** keptSnapshotOf, run to its end. */
const keep = (snapshot: RegistrySnapshot) => {
  const steps = keptSnapshotOf(snapshot);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
};

describe('registry index', () => {
  it('finds the same key hits, in the same order, as the store did', () => {
    fc.assert(
      fc.property(
        tools.chain((ts) => {
          const reg = registryOf(ts);
          return fc.tuple(fc.constant(reg), fc.array(queryFor(reg), { minLength: 1, maxLength: 10 }));
        }),
        ([reg, queries]) => {
          const index = indexRegistry(reg);
          for (const q of queries) {
            const key = normalizeKey(q);
            if (!key) continue;
            expect(index.findKeyHits(key, true)).toEqual(referenceHits(reg, key, deletionVariants(key)));
            expect(index.findKeyHits(key.slice(0, 3), false)).toEqual(referenceHits(reg, key.slice(0, 3), []));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('finds the same hits in a registry large enough that most typo buckets lack a query variant', () => {
    // Hundreds of tools: the typo table's per-bucket filters turn most variants away unread, and a
    // query that is a key shared with no other key (alone) is answered without reading the buckets.
    const syllables = ['ka', 'zu', 'mi', 'ro', 'te', 'tor', 'vex', 'dra'];
    let seed = 7;
    const pick = () => syllables[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % syllables.length] as string;
    const names = Array.from({ length: 600 }, (_, i) => `${pick()}${pick()}${pick()} ${i % 97}`);
    const reg = registryOf(names.map((n, i) => tool(`t-${String(i).padStart(3, '0')}`, n, i % 3 ? [] : [`${n}x`])));
    const index = indexRegistry(reg);
    const queries = names.slice(0, 40).flatMap((n, i) => [n, n.slice(0, 2) + n.slice(3), `${n}${i}`, `zz${n}`]);
    for (const q of queries) {
      const key = normalizeKey(q);
      expect(index.findKeyHits(key, true)).toEqual(referenceHits(reg, key, deletionVariants(key)));
    }
  });

  it('reads back a typo table of many chunks, from pieces as stored, aligned or not', () => {
    // Thousands of tools: the table's entries span several 64 KB chunks (one kept piece each), so
    // buckets straddle chunks; read back, the chunks are SQLite's pieces themselves, or copies.
    const syllables = ['ka', 'zu', 'mi', 'ro', 'te', 'tor', 'vex', 'dra', 'lin', 'qua'];
    let seed = 11;
    const pick = () => syllables[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % syllables.length] as string;
    const names = Array.from({ length: 3000 }, (_, i) => `${pick()}${pick()}${pick()}${pick()} ${i % 89}`);
    const reg = registryOf(names.map((n, i) => tool(`t-${String(i).padStart(4, '0')}`, n, i % 4 ? [] : [`${n} pro`])));
    const built = indexRegistry(reg);
    const kept = keep(built) as KeptSnapshot;
    const meta = JSON.parse(kept.meta.join('')) as { sections: Array<[number, number]> };
    expect((meta.sections[4] as [number, number])[1]).toBeGreaterThan(3 * 16384); // several chunks
    // And some bucket straddles two of them (its pairs start in one chunk and end in the next).
    const [offsetsAt, buckets] = meta.sections[3] as [number, number];
    const all = Buffer.concat(kept.arrays);
    const offsets = new Uint32Array(
      all.buffer.slice(all.byteOffset + offsetsAt, all.byteOffset + offsetsAt + buckets * 4),
    );
    const straddles = offsets.some(
      (o, b) =>
        b + 1 < offsets.length &&
        (offsets[b + 1] as number) > o &&
        (2 * o) >> 14 !== (2 * (offsets[b + 1] as number) - 1) >> 14,
    );
    expect(straddles).toBe(true);
    const source = {
      tools: kept.tools.length,
      meta: kept.meta.join(''),
      strings: kept.strings,
      toolJson: (n: number) => kept.tools[n] as string,
      toolJsons: (from: number, to: number) => kept.tools.slice(from, to),
    };
    const unaligned = kept.arrays.map((piece) => Buffer.concat([new Uint8Array(1), piece]).subarray(1));
    const queries = names.slice(0, 60).flatMap((n, i) => [n, n.slice(0, 3) + n.slice(4), `${n}${i}`, n.slice(0, 5)]);
    for (const arrays of [kept.arrays, unaligned]) {
      const readBack = snapshotFromKept({ ...source, arrays }) as RegistrySnapshot;
      expect(readBack).not.toBeNull();
      for (const q of queries) {
        const key = normalizeKey(q);
        expect(readBack.findKeyHits(key, true)).toEqual(built.findKeyHits(key, true));
      }
    }
    for (const q of queries.slice(0, 40)) {
      const key = normalizeKey(q);
      expect(built.findKeyHits(key, true)).toEqual(referenceHits(reg, key, deletionVariants(key)));
    }
  });

  it('keeps to the caps when a word is shared by hundreds of tools', () => {
    const many = registryOf(
      Array.from({ length: 300 }, (_, i) => tool(`shared-${String(i).padStart(3, '0')}`, `Coder Helper ${i}`, [])),
    );
    const index = indexRegistry(many);
    for (const key of ['coder', 'codr', 'code', 'coders'])
      expect(index.findKeyHits(key, true)).toEqual(referenceHits(many, key, deletionVariants(key)));
    expect(index.findKeyHits('coder', false).filter((h) => h.key === 'coder')).toHaveLength(50 + 20);
  });

  it('lists tools by name as SQLite NOCASE orders them, with the status a region sees', () => {
    const status = (s: ToolStatus) => ({ status: s });
    const reg = registryOf([
      tool('b', 'beta', [], { category: 'y' }),
      tool('a', 'Alpha', [], { category: 'x', regions: { cn: status('prohibited') } }),
      tool('c', 'ábaco', [], { category: 'x', status: 'conditional' }),
      tool('d', 'Zed', [], { category: 'y', regions: { cn: { reason: 'No status of its own.' } } }),
      tool('e', '_under', [], { category: 'x' }),
    ]);
    expect(nocaseOrder(reg.tools.map((t) => t.name))).toEqual(['_under', 'Alpha', 'beta', 'Zed', 'ábaco']);
    const index = indexRegistry(reg);
    expect(index.listTools('global', null, 10).tools.map((t) => t.name)).toEqual(
      nocaseOrder(reg.tools.map((t) => t.name)),
    );
    expect(index.listTools('cn', 'x', 10)).toEqual({
      tools: [
        { id: 'e', name: '_under', vendor: 'Vendor of _under', category: 'x', status: 'approved' },
        { id: 'a', name: 'Alpha', vendor: 'Vendor of Alpha', category: 'x', status: 'prohibited' },
        { id: 'c', name: 'ábaco', vendor: 'Vendor of ábaco', category: 'x', status: 'conditional' },
      ],
      total: 3,
    });
    expect(index.listTools('cn', 'y', 1)).toEqual({
      tools: [{ id: 'b', name: 'beta', vendor: 'Vendor of beta', category: 'y', status: 'approved' }],
      total: 2,
    });
    expect(index.listTools('global', 'none', 10)).toEqual({ tools: [], total: 0 });
    expect(index.categories()).toEqual([
      { category: 'x', count: 3 },
      { category: 'y', count: 2 },
    ]);
  });

  it("lists any names in SQLite's NOCASE order", () => {
    fc.assert(
      fc.property(tools, (ts) => {
        const reg = registryOf(ts.map((t, i) => ({ ...t, name: `${t.name}${i}` })));
        expect(
          indexRegistry(reg)
            .listTools('global', null, 1000)
            .tools.map((t) => t.name),
        ).toEqual(nocaseOrder(reg.tools.map((t) => t.name)));
      }),
      { numRuns: 100 },
    );
  });

  it('finds tools by id, in any order the registry comes in', () => {
    const ts = [tool('zeta', 'Zeta', []), tool('alpha', 'Alpha', []), tool('mid', 'Mid', [])];
    for (const list of [ts, registryOf(ts).tools]) {
      const index = indexRegistry({ ...registryOf([]), tools: list });
      expect(index.tool('alpha')?.name).toBe('Alpha');
      expect(index.tool('zeta')?.name).toBe('Zeta');
      expect(index.tool('nope')).toBeNull();
      expect(index.toolRefs(['mid', 'nope', 'alpha'])).toEqual([
        { id: 'mid', name: 'Mid', vendor: 'Vendor of Mid' },
        { id: 'alpha', name: 'Alpha', vendor: 'Vendor of Alpha' },
      ]);
    }
  });

  it('answers alike when kept and read back, or holding its tools through their JSON', () => {
    // What a start reads back instead of building (issue 11): the same hits, tools, refs, listings,
    // categories, people and groups, for registries with other scripts and astral letters.
    const alike = (a: RegistrySnapshot, b: RegistrySnapshot, reg: Registry, queries: string[]) => {
      for (const q of queries) {
        const key = normalizeKey(q);
        if (!key) continue;
        expect(b.findKeyHits(key, true)).toEqual(a.findKeyHits(key, true));
        expect(b.findKeyHits(key, false)).toEqual(a.findKeyHits(key, false));
      }
      for (const t of reg.tools) expect(b.tool(t.id)).toEqual(a.tool(t.id));
      expect(b.tool('no-such-tool')).toBeNull();
      expect(b.toolRefs(['tool-1', 'nope', 'tool-0'])).toEqual(a.toolRefs(['tool-1', 'nope', 'tool-0']));
      for (const region of ['global', 'cn'])
        for (const category of [null, 'misc', 'other'])
          expect(b.listTools(region, category, 7)).toEqual(a.listTools(region, category, 7));
      expect(b.categories()).toEqual(a.categories());
      expect(b.person('U0BOB')).toEqual(a.person('U0BOB'));
      expect(b.approverGroup('security')).toEqual(a.approverGroup('security'));
      expect(b.approvalChain('high')).toEqual(a.approvalChain('high'));
      expect(JSON.parse(JSON.stringify(b.registry))).toEqual(JSON.parse(JSON.stringify(a.registry)));
    };
    fc.assert(
      fc.property(
        tools.chain((ts) => {
          const reg: Registry = {
            ...registryOf(
              ts.map((t, i) =>
                i % 3 === 0 ? { ...t, category: 'other', regions: { cn: { status: 'prohibited' } } } : t,
              ),
            ),
            people: [{ user: 'U0BOB', name: 'Bob', region: 'cn', department: null }],
            approverGroups: [
              { id: 'security', name: 'Security', channel: 'C0SEC', members: ['U0SEC'], usergroup: null, backup: null },
            ],
            approvalChains: { low: [], medium: [], high: ['security'], critical: ['security'] },
          };
          return fc.tuple(fc.constant(reg), fc.array(queryFor(reg), { minLength: 1, maxLength: 8 }));
        }),
        ([reg, queries]) => {
          const built = indexRegistry(reg);
          const kept = keep(built) as KeptSnapshot;
          const asked: number[] = [];
          const toolJson = (n: number) => {
            asked.push(n);
            return kept.tools[n] as string;
          };
          // Through the bytes as a backend gives them back: each piece a buffer of its own, here at
          // an offset that is not aligned (so the typo table's chunks and the sections are copies).
          const unaligned = kept.arrays.map((piece) => Buffer.concat([new Uint8Array(3), piece]).subarray(3));
          const toolJsons = (from: number, to: number) => kept.tools.slice(from, to);
          const source = {
            tools: kept.tools.length,
            meta: kept.meta.join(''),
            strings: kept.strings,
            arrays: unaligned,
          };
          const readBack = snapshotFromKept({ ...source, toolJson, toolJsons });
          expect(readBack).not.toBeNull();
          expect(asked).toEqual([]); // no tool is read until one is asked for
          alike(built, readBack as RegistrySnapshot, reg, queries);
          // Aligned, as SQLite's buffers come: the pieces are held as they are.
          alike(
            built,
            snapshotFromKept({ ...source, arrays: kept.arrays, toolJson, toolJsons }) as RegistrySnapshot,
            reg,
            queries,
          );
          // Its tools parsed ahead, a batch at a time: then no tool is read one by one any more.
          const again = snapshotFromKept({ ...source, toolJson, toolJsons });
          let batches = 0;
          const ahead = toolsParsedAhead(again as RegistrySnapshot);
          while (!ahead.next().done) batches++;
          expect(batches).toBe(Math.ceil(reg.tools.length / 1000));
          asked.length = 0;
          alike(built, again as RegistrySnapshot, reg, queries);
          expect(asked).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a kept snapshot whose bytes do not add up', () => {
    const reg = registryOf([tool('a-tool', 'A Tool', ['atool'])]);
    const made = keep(indexRegistry(reg)) as KeptSnapshot;
    const kept = {
      tools: made.tools.length,
      meta: made.meta.join(''),
      strings: made.strings,
      arrays: made.arrays,
      toolJsons: (from: number, to: number) => made.tools.slice(from, to),
    };
    const toolJson = (n: number) => made.tools[n] as string;
    expect(snapshotFromKept({ ...kept, toolJson })).not.toBeNull();
    expect(snapshotFromKept({ ...kept, meta: '{"ids": [', toolJson })).toBeNull();
    // The last section's piece (the keys' texts) cut short.
    const { sections } = JSON.parse(kept.meta) as { sections: Array<[number, number]> };
    let start = 0;
    const shorter = kept.arrays.map((piece) => {
      const cut = start === (sections[6] as [number, number])[0] ? piece.subarray(0, piece.byteLength - 4) : piece;
      start += piece.byteLength;
      return cut;
    });
    expect(snapshotFromKept({ ...kept, arrays: shorter, toolJson })).toBeNull();
    expect(snapshotFromKept({ ...kept, arrays: kept.arrays.slice(1), toolJson })).toBeNull();
    // All the bytes, but in one piece: no section starts where the kept numbers say.
    expect(snapshotFromKept({ ...kept, arrays: [Buffer.concat(kept.arrays)], toolJson })).toBeNull();
    const meta = JSON.parse(kept.meta) as { tools: number };
    expect(snapshotFromKept({ ...kept, meta: JSON.stringify({ ...meta, tools: 2 }), toolJson })).toBeNull();
    expect(snapshotFromKept({ ...kept, strings: [...kept.strings, 'one more'], toolJson })).toBeNull();
    expect(snapshotFromKept({ ...kept, tools: 0, toolJson })).toBeNull(); // its tools' rows are not all there
    // An empty registry reads back too (its sections of keys are empty).
    const empty = keep(indexRegistry(registryOf([]))) as KeptSnapshot;
    const emptySource = { tools: 0, meta: empty.meta.join(''), strings: empty.strings, arrays: empty.arrays };
    expect(snapshotFromKept({ ...emptySource, toolJson, toolJsons: () => [] })?.findKeyHits('atool', true)).toEqual([]);
    // A name that could not be split back: not kept at all.
    expect(keep(indexRegistry(registryOf([tool('a-tool', 'A \u0000 Tool', [])])))).toBeNull();
  });
});
