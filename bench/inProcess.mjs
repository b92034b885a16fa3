// The bench's in-process part: answer() (the use case Slack and the CLI share), compiled (dist/) as
// `npm start` runs it, against a database, timed one call at a time per kind of query.
// `node bench/inProcess.mjs <queries.json>`: { db, warmUp, queries: { kind: [text, ...] } }; prints JSON.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { answer } from '../dist/service/answer.js';
import { systemClock } from '../dist/service/ports.js';
import { openSqliteStore } from '../dist/store/sqlite/sqliteStore.js';

const { db, warmUp, queries } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// As the bot opens it: a snapshot read back kept has its tools parsed ahead a while after, and is
// measured once that is done (the bot's steady state).
const store = openSqliteStore(db, { keepRegistrySnapshots: true });
const ctx = { store, defaultRegion: 'global', clock: systemClock };

const t0 = performance.now();
await store.registrySnapshot();
const buildMs = performance.now() - t0;
while (!store.registrySnapshots.settled()) await new Promise((resolve) => setTimeout(resolve, 50));

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
// Bob (global) and Alice (cn, where region rules apply) take turns; 20,000 others hold exceptions.
const users = ['U0BOB', 'U0ALICE'];
const results = {};
for (const [kind, texts] of Object.entries(queries)) {
  for (let i = 0; i < warmUp; i++) await answer(ctx, texts[i], { user: users[i % 2] });
  const micros = [];
  const kinds = {};
  for (let i = warmUp; i < texts.length; i++) {
    const started = performance.now();
    const a = await answer(ctx, texts[i], { user: users[i % 2] });
    micros.push((performance.now() - started) * 1000);
    kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
  }
  micros.sort((a, b) => a - b);
  results[kind] = { median: percentile(micros, 50), p99: percentile(micros, 99), kinds };
}
const tools = await store.toolCount();
store.close();
console.log(
  JSON.stringify({
    tools,
    heldFrom: store.registrySnapshots.heldFrom(),
    buildMs,
    samples: micros(queries, warmUp),
    results,
  }),
);

function micros(q, w) {
  return Object.values(q)[0].length - w;
}
