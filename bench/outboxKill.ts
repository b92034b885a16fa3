// npm run bench:outbox-kill: how often a SIGKILL mid-burst makes a message go out twice, and
// what an orphaned approval message does when clicked. An experiment, not a test: it prints figures.
//
// The compiled bot (`node dist/main.js`, as `npm start` runs it) delivers the outbox to the Slack
// stand-in on 127.0.0.1, which answers every call 80 ms after it has acted (the message is in the
// channel before the bot hears so: the worst case for the bot). This process files requests and
// decides their first stage straight into the database, in bursts; mid-burst it kills the bot with
// SIGKILL and starts it again at once, as a supervisor would. At the end it counts, per outbox
// message (by the metadata each post carries), how many copies Slack got; finds the orphaned
// approval messages (posted, but not the one recorded for the stage) and clicks their Approve.
//
// Two runs: the bot may read history (channels:history, groups:history, im:history, im:write
// granted: it looks for a message in doubt before posting it again), and it may not (the
// manifest's two scopes: the stand-in answers missing_scope).
//
//   npm run bench:outbox-kill                       # both runs, 6 kills, 222 requests each
//   KILLS=6 REQUESTS=222 LATENCY_MS=80 OUTBOX_CONCURRENCY=4 SEED=1 MODE=no-history npm run bench:outbox-kill
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRegistryFile } from '../src/service/registryFile.ts';
import { createSlackDriver, startSlackStandIn, type SlackStandIn, type StoredMessage } from '../src/standIn/index.ts';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/sqliteStore.ts';

const KILLS = Number(process.env.KILLS ?? 6);
const REQUESTS = Number(process.env.REQUESTS ?? 222);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 80);
const CONCURRENCY = process.env.OUTBOX_CONCURRENCY ?? '4';
const MODES = (process.env.MODE ? [process.env.MODE] : ['history', 'no-history']) as Array<'history' | 'no-history'>;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REGISTRY_PATH = join(ROOT, 'data/registry.yml');
const SIGNING_SECRET = '0123456789abcdef0123456789abcdef';

// A deterministic generator, so a run can be repeated (SEED).
let seed = Number(process.env.SEED ?? 1);
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Bot {
  child: ChildProcess;
  port: number;
  output: () => string;
}

function startBot(env: Record<string, string>): Promise<Bot> {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return until(
    () => {
      if (child.exitCode !== null) throw new Error(`the bot exited: ${out}`);
      const m = /listening on port (\d+)/.exec(out);
      return m ? { child, port: Number(m[1]), output: () => out } : undefined;
    },
    'the bot to start',
    20_000,
  );
}

function kill(bot: Bot): Promise<void> {
  return new Promise((resolve) => {
    bot.child.once('exit', () => resolve());
    bot.child.kill('SIGKILL');
  });
}

const outboxIdOf = (m: StoredMessage): number | undefined => {
  const payload = (m.metadata as { event_payload?: { outbox_id?: unknown } } | undefined)?.event_payload;
  return typeof payload?.outbox_id === 'number' ? payload.outbox_id : undefined;
};

const draft = (i: number) => ({
  toolId: 'claude-code',
  requester: `U0K${String(i).padStart(5, '0')}`,
  region: 'global',
  department: null,
  justification: 'Needed for the open-source SDK work, nothing confidential.',
  usage: 'github.com/acme/sdk',
  dataClass: 'internal' as const,
  durationDays: 30,
  renewalOf: null,
});

async function run(mode: 'history' | 'no-history') {
  const dir = mkdtempSync(join(tmpdir(), 'toolgate-kill-'));
  const databasePath = join(dir, 'toolgate.db');
  const store: SqliteStore = openSqliteStore(databasePath);
  await store.importRegistry(readRegistryFile(REGISTRY_PATH), { prune: false, actor: 'bench', now: new Date() });
  const slack: SlackStandIn = await startSlackStandIn({ host: '127.0.0.1' });
  slack.setLatency(LATENCY_MS);
  if (mode === 'no-history')
    slack.failNext(1e9, { error: 'missing_scope' }, [
      'conversations.history',
      'conversations.replies',
      'conversations.open',
    ]);
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: databasePath,
    REGISTRY_PATH,
    LOG_LEVEL: 'error',
    OUTBOX_POLL_MS: '50',
    OUTBOX_RETRY_BASE_MS: '200',
    SWEEP_INTERVAL_MS: '0',
    OUTBOX_CONCURRENCY: CONCURRENCY,
  };

  // Posts stored by the stand-in, with when: those stored less than LATENCY_MS before a kill had
  // not been answered yet, so the bot could not have recorded them (the window at that kill).
  const storedAt: number[] = [];
  slack.onChange((c) => {
    if (c.kind === 'message' && c.action === 'posted') storedAt.push(Date.now());
  });
  const pending = () =>
    store.db
      .prepare('SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL')
      .pluck()
      .get() as number;

  let bot = await startBot(env);
  const perSegment = Math.ceil(REQUESTS / (KILLS + 1));
  let filed = 0;
  let decided = 0;
  const atRisk: number[] = [];
  const started = Date.now();
  for (let segment = 0; segment <= KILLS; segment++) {
    const postsBefore = storedAt.length;
    // A burst: new requests, and the first stage of the previous burst's approved.
    const upTo = Math.min(REQUESTS, filed + perSegment);
    const toDecide = filed;
    while (filed < upTo) await store.fileRequest(draft(filed++), ['security', 'legal'], () => null, new Date());
    while (decided < toDecide)
      await store.decide(++decided, { actor: 'U0SEC1', position: 0, decision: 'approve', note: null }, new Date());
    if (segment === KILLS) break;
    // Mid-burst: once the bot is busy sending, at a random moment within one Slack round trip.
    await until(() => storedAt.length - postsBefore >= 40, 'the bot to be busy sending');
    await sleep(rand() * LATENCY_MS);
    const at = Date.now();
    await kill(bot);
    atRisk.push(storedAt.filter((t) => t > at - LATENCY_MS && t <= at).length);
    bot = await startBot(env);
  }
  while (decided < filed)
    await store.decide(++decided, { actor: 'U0SEC1', position: 0, decision: 'approve', note: null }, new Date());
  await until(() => pending() === 0, 'the outbox to drain');
  await sleep(LATENCY_MS * 2);
  const elapsed = Date.now() - started;

  // Copies per outbox message, from what Slack holds.
  const channels = slack.snapshot().channels;
  const all = Object.values(channels).flat();
  const copies = new Map<number, number>();
  for (const m of all) {
    const id = outboxIdOf(m);
    if (id !== undefined) copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const twice = [...copies].filter(([, n]) => n > 1);
  const messageOf = store.db.prepare<[number], { message: string }>('SELECT message FROM outbox WHERE id = ?');
  const requestsHit = new Set(
    twice.map(([id]) => (JSON.parse(messageOf.get(id)?.message ?? '{}') as { requestId?: number }).requestId),
  );
  const posts = store.db.prepare('SELECT COUNT(*) FROM outbox').pluck().get() as number;
  const failed = store.db.prepare('SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL').pluck().get() as number;

  // Orphans: approval messages that are not the one recorded for their stage. Click each one's Approve.
  const recorded = store.db.prepare<[number, number], { ts: string | null }>(
    'SELECT message_ts AS ts FROM request_stages WHERE request_id = ? AND position = ?',
  );
  const driver = createSlackDriver({
    botUrl: `http://127.0.0.1:${bot.port}/slack/events`,
    signingSecret: SIGNING_SECRET,
    standIn: slack,
  });
  let orphans = 0;
  let answeredStale = 0;
  let inertAfter = 0;
  for (const [channel, position, approver] of [
    ['C0SECURITY', 0, 'U0SEC2'],
    ['C0LEGAL', 1, 'U0LEGAL1'],
  ] as const) {
    for (const m of slack.messages(channel)) {
      const id = /^Exception request #(\d+):/.exec(m.text)?.[1];
      if (!id || m.thread_ts || recorded.get(Number(id), position)?.ts === m.ts) continue;
      orphans++;
      const hasButtons = m.blocks.some((b) => b.type === 'actions');
      if (!hasButtons) continue;
      const click = await driver.clickButton({ user: approver, inMessage: m, label: 'Approve' });
      const url = click.payload.response_url as string;
      const reply = await until(() => slack.responses(url).find((p) => p.via === 'post'), 'a reply', 5000);
      if (String(reply.body.text).startsWith('This message is out of date')) answeredStale++;
      await until(() => slack.message(channel, m.ts)?.edited, 'the copy to be updated', 5000);
      if (!slack.message(channel, m.ts)?.blocks.some((b) => b.type === 'actions')) inertAfter++;
    }
  }

  bot.child.kill('SIGTERM');
  await new Promise((r) => bot.child.once('exit', r));
  store.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    mode,
    requests: filed,
    messages: posts,
    kills: atRisk.length,
    atRisk: atRisk.reduce((a, b) => a + b, 0),
    atRiskPerKill: atRisk,
    duplicated: twice.length,
    requestsHit: requestsHit.size,
    failed,
    orphans,
    answeredStale,
    inertAfter,
    seconds: Math.round(elapsed / 100) / 10,
  };
}

// dist/ must be what src/ is: build first (incremental, a few seconds), as npm test does.
await new Promise<void>((resolve, reject) => {
  const build = spawn(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed (${code})`))));
});
console.log(
  `${KILLS} SIGKILLs mid-burst, ${REQUESTS} requests (5 messages each), Slack answering in ${LATENCY_MS} ms, OUTBOX_CONCURRENCY ${CONCURRENCY}, seed ${process.env.SEED ?? 1}`,
);
for (const mode of MODES) {
  const r = await run(mode);
  console.log(
    [
      `\n${r.mode === 'history' ? 'history readable (optional scopes granted)' : 'history not readable (the manifest’s two scopes)'}: ${r.seconds} s`,
      `  ${r.requests} requests, ${r.messages} outbox messages, ${r.kills} kills, ${r.failed} given up`,
      `  posts Slack held unanswered at a kill (the window): ${r.atRisk} (${r.atRiskPerKill.join(', ')})`,
      `  messages that went out twice: ${r.duplicated}, in ${r.requestsHit} of ${r.requests} requests`,
      `  orphaned approval messages: ${r.orphans}; their Approve answered "out of date": ${r.answeredStale}; inert after the click: ${r.inertAfter}`,
    ].join('\n'),
  );
}
