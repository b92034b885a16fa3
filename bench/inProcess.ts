// The bench's in-process part: answer() (the use case Slack and the CLI share) against a database,
// timed one call at a time, per kind of query. `tsx bench/inProcess.ts <db> <samples>` prints JSON.
import { performance } from 'node:perf_hooks';
import { answer } from '../src/service/answer.ts';
import { systemClock } from '../src/service/ports.ts';
import { openSqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import { queryMaker } from './generate.ts';

const [path, samplesArg] = process.argv.slice(2);
const SAMPLES = Number(samplesArg ?? 5000);
const store = openSqliteStore(path as string);
const ctx = { store, defaultRegion: 'global', clock: systemClock };

const t0 = performance.now();
const snapshot = await store.registrySnapshot();
const buildMs = performance.now() - t0;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const results: Record<string, { median: number; p99: number; kinds: Record<string, number> }> = {};
const queries = queryMaker(snapshot.registry);
// Bob (global) and Alice (cn, where region rules apply) take turns; 20,000 others hold exceptions.
const users = ['U0BOB', 'U0ALICE'];
for (const [kind, query] of Object.entries(queries)) {
  for (let i = 0; i < 500; i++) await answer(ctx, query(i), { user: users[i % 2] as string });
  const micros: number[] = [];
  const kinds: Record<string, number> = {};
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const a = await answer(ctx, query(i + 500), { user: users[i % 2] as string });
    micros.push((performance.now() - started) * 1000);
    kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
  }
  micros.sort((a, b) => a - b);
  results[kind] = { median: percentile(micros, 50), p99: percentile(micros, 99), kinds };
}
store.close();
console.log(JSON.stringify({ tools: snapshot.registry.tools.length, buildMs, samples: SAMPLES, results }));
