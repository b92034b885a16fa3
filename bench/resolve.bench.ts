// npm run bench: how long resolving a query takes against a registry of 50,000 tools.
// A benchmark, not a test: it prints figures and asserts nothing.
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readRegistryFile } from '../src/service/registryFile.ts';
import { answer } from '../src/service/answer.ts';
import type { Tool } from '../src/domain/types.ts';
import { openSqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import { systemClock } from '../src/service/ports.ts';

const TOOLS = Number(process.env.BENCH_TOOLS ?? 50_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 20_000);
const EXCEPTIONS = Number(process.env.BENCH_EXCEPTIONS ?? 20_000);

const syllables = [
  'ka',
  'zu',
  'mi',
  'ro',
  'te',
  'na',
  'shi',
  'lo',
  'vex',
  'dra',
  'quin',
  'bel',
  'tor',
  'pha',
  'gen',
  'ix',
  'or',
  'um',
  'sol',
  'tri',
];
// A deterministic generator, so every run measures the same registry.
let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
const word = () => Array.from({ length: 2 + rand(3) }, () => syllables[rand(syllables.length)]).join('');
const cap = (s: string) => s[0]?.toUpperCase() + s.slice(1);

function generate(base: Tool[]): Tool[] {
  const tools = [...base];
  const seen = new Set(base.map((t) => t.id));
  for (let i = 0; tools.length < TOOLS; i++) {
    const name = `${cap(word())} ${cap(word())}${i % 3 === 0 ? ` ${cap(word())}` : ''}`;
    const id = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${i}`;
    if (seen.has(id)) continue;
    seen.add(id);
    tools.push({
      ...(base[i % base.length] as Tool),
      id,
      name: `${name} ${i}`,
      aliases: [`${word()} ${i}`],
      alternatives: [],
      regions: {},
    });
  }
  return tools;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main() {
  // BENCH_DB keeps the generated database for a closer look (EXPLAIN, profiling).
  const dir = mkdtempSync(join(tmpdir(), 'toolgate-bench-'));
  const store = openSqliteStore(process.env.BENCH_DB ?? join(dir, 'bench.db'));
  try {
    const registry = readRegistryFile(fileURLToPath(new URL('../data/registry.yml', import.meta.url)));
    const tools = generate(registry.tools);
    let t0 = performance.now();
    await store.importRegistry({ ...registry, tools }, { prune: false, actor: 'bench', now: new Date() });
    console.log(`imported ${tools.length} tools in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Other people's active exceptions must not slow anyone's answer down.
    t0 = performance.now();
    for (let i = 0; i < EXCEPTIONS; i++) {
      const draft = {
        toolId: 'claude-code',
        requester: `U0BENCH${i}`,
        region: 'global',
        department: null,
        justification: 'Benchmark exception for load.',
        usage: 'bench',
        dataClass: 'internal' as const,
        durationDays: 90,
        renewalOf: null,
      };
      await store.fileRequest(draft, [], () => null, new Date());
    }
    console.log(
      `granted ${EXCEPTIONS} exceptions to other people in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const ctx = { store, defaultRegion: 'global', clock: systemClock };
    const mixes: Record<string, (i: number) => string> = {
      'exact name': (i) => (tools[(i * 7919) % tools.length] as Tool).name,
      'typo (one letter dropped)': (i) => {
        const n = (tools[(i * 7919) % tools.length] as Tool).name;
        const at = 1 + (i % (n.length - 2));
        return n.slice(0, at) + n.slice(at + 1);
      },
      'unknown tool': (i) => `nonexistent ${word()} ${i}`,
      'claude code (user in cn)': () => 'claude code',
      'unknown, common words': (i) => `rote ${word()} tool ${i}`,
      'list (first 100)': () => 'list',
    };
    for (const [label, query] of Object.entries(mixes)) {
      for (let i = 0; i < 500; i++) await answer(ctx, query(i), { user: 'U0ALICE' }); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < QUERIES; i++) {
        t0 = performance.now();
        await answer(ctx, query(i), { user: 'U0ALICE' });
        samples.push(performance.now() - t0);
      }
      samples.sort((a, b) => a - b);
      const f = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
      console.log(
        `${label.padEnd(28)} median ${f(percentile(samples, 50)).padStart(8)}  p99 ${f(percentile(samples, 99)).padStart(8)}  (${QUERIES} queries)`,
      );
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
