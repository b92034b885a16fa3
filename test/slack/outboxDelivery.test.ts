// The outbox under a hostile or unlucky day (issue 9, items 0, 8, 10-12): a message that cannot be
// built, a lease left by a dead process, Slack answering after the bot stopped waiting, hundreds
// of notices ahead of an approval, and delivered rows kept forever.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { requestReview, sweep } from '../../src/service/exceptions.ts';
import type { ServiceContext } from '../../src/service/ports.ts';
import { readRegistryFile } from '../../src/service/registryFile.ts';
import { newOwnerId, ownerIsGone } from '../../src/slack/outboxLease.ts';
import {
  outboxClient,
  startOutboxWorker,
  type OutboxWorker,
  type OutboxWorkerOptions,
} from '../../src/slack/outboxWorker.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/standIn/index.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { clock, draftFor, quiet } from '../helpers/outbox.ts';
import { REGISTRY_PATH, tempDbPath } from '../helpers/tmp.ts';

const draft = draftFor;

let standIn: SlackStandIn | undefined;
const workers: OutboxWorker[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  while (workers.length) await workers.pop()?.stop();
  while (stores.length) stores.pop()?.close();
  await standIn?.close();
  standIn = undefined;
});

async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A stand-in and a store with the registry, on a fresh database file. */
async function setUp(path = tempDbPath()) {
  standIn ??= await startSlackStandIn();
  const store = openSqliteStore(path);
  stores.push(store);
  await store.importRegistry(readRegistryFile(REGISTRY_PATH), { prune: false, actor: 'test', now: new Date() });
  const ctx: ServiceContext = { store, clock, defaultRegion: 'global', outboxKeepDays: 30 };
  return { store, ctx, path, slack: standIn };
}

function startWorker(store: SqliteStore, options: Partial<OutboxWorkerOptions> & { timeoutMs?: number } = {}) {
  const { timeoutMs, ...rest } = options;
  const worker = startOutboxWorker({
    store,
    client: outboxClient('xoxb-test', (standIn as SlackStandIn).apiUrl, quiet, timeoutMs ? { timeoutMs } : {}),
    clock,
    logger: quiet,
    defaultRegion: 'global',
    slackApiUrl: (standIn as SlackStandIn).apiUrl,
    pollMs: 20,
    baseDelayMs: 20,
    ...rest,
  });
  workers.push(worker);
  return worker;
}

const okPosts = (slack: SlackStandIn) => slack.callsTo('chat.postMessage').filter((c) => c.ok);
const pending = (store: SqliteStore) => async () => ((await store.pendingCount()) === 0 ? true : undefined);

describe('item 0: a message that cannot be built', () => {
  it('text with a lone surrogate is given up at once, says why, and the lane goes on', async () => {
    const { store, ctx, path, slack } = await setUp();
    // Half an emoji (a lone surrogate), as a query cut inside an emoji was once stored. Renderers now
    // clean every text they show, so only a field sent as it is (here the channel) can still carry one.
    const broken = `${'x'.repeat(199)}${'😀'.slice(0, 1)}`;
    expect(/[\uD800-\uDBFF]$/.test(broken)).toBe(true); // half an emoji at the end
    const reviewPost = (query: string, channel = 'C0SECURITY') => ({
      kind: 'review_request' as const,
      channel,
      user: 'U0BOB',
      query,
    });
    const now = ctx.clock.now();
    await store.recordEvent(
      { audit: [], notices: [reviewPost('broken channel', `C0SECURITY${'😀'.slice(0, 1)}`)] },
      now,
    );
    // The same lane (review_request:U0BOB): these go on.
    await store.recordEvent({ audit: [], notices: [reviewPost('cursor-ish'), reviewPost(broken)] }, now);
    startWorker(store);

    const failed = await until(async () => {
      const f = await store.failedMessages();
      return f.length ? f : undefined;
    });
    expect(failed).toMatchObject([
      {
        id: 1,
        notice: { kind: 'review_request', query: 'broken channel' },
        attempts: 1,
        lastError: expect.stringMatching(/^request not built, nothing sent: chat\.postMessage: URI malformed/),
      },
    ]);
    await until(pending(store));
    // Nothing of it reached Slack; the message behind it did.
    // ...and the stored half emoji in a query is shown without it.
    expect(okPosts(slack).map((c) => c.args.text)).toEqual([
      'Review requested by <@U0BOB>: cursor-ish',
      `Review requested by <@U0BOB>: ${'x'.repeat(199)}`,
    ]);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);

    // `toolgate outbox` says which and why.
    const out: string[] = [];
    const code = await runCli(
      ['outbox'],
      { DATABASE_PATH: path, REGISTRY_PATH },
      { out: (t) => out.push(t), err() {} },
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('0 messages waiting to be sent, 1 given up.');
    expect(out.join('\n')).toMatch(
      /#1 .*"review_request".* after 1 attempts, .*: request not built, nothing sent: .*URI malformed/,
    );
  });
});

describe('item 8: leases', () => {
  it('a lease held by a process that is gone is taken over at once, in doubt; a live one is left to run out', async () => {
    const { store, slack } = await setUp();
    await store.fileRequest(draft('U0BOB'), ['security'], () => null, new Date());
    await store.fileRequest(draft('U0CAROL'), ['security'], () => null, new Date());
    // A worker in a process that has since died (killed mid-send), and one in a process still running.
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadOwner = newOwnerId().replace(/:\d+:/, `:${child.stdout}:`);
    const liveOwner = newOwnerId().replace(/:\d+:/, `:${process.ppid}:`);
    expect(ownerIsGone(deadOwner)).toBe(true);
    expect(ownerIsGone(liveOwner)).toBe(false);
    expect(ownerIsGone(newOwnerId())).toBe(false); // this process
    expect(ownerIsGone('elsewhere:4242:00ff@0123456789abcdef')).toBe(false); // another machine: only the lease's end tells
    const [bob] = await store.claim(deadOwner, new Date(), 60_000, 1);
    const [carol] = await store.claim(liveOwner, new Date(), 60_000, 1);
    expect([bob?.lane, carol?.lane]).toEqual(['request:1', 'request:2']);

    startWorker(store);
    // Bob's messages go out now (after a look in Slack for a copy the dead process may have posted)...
    await slack.waitFor(() => slack.messages('U0BOB').length === 1 || undefined, 3000);
    expect(slack.callsTo('conversations.history').map((c) => c.args.channel)).toEqual(['C0SECURITY']);
    expect(slack.messages('C0SECURITY').map((m) => m.text)).toEqual([expect.stringMatching(/^Exception request #1:/)]);
    // ...Carol's wait for the live worker's lease to end.
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.messages('U0CAROL')).toEqual([]);
    expect((await store.getRequest(2))?.stages[0]?.messageTs).toBeNull();
  });
});

describe('item 10: Slack answering after the bot stopped waiting', () => {
  it('the late success is found in the channel by its metadata and recorded, not posted again', async () => {
    const { store, slack } = await setUp();
    await store.fileRequest(draft(), ['security'], () => null, new Date());
    // Slack posts the approval message at once but answers only after the client gave up (300 ms).
    slack.slowNext(1, 700, ['chat.postMessage']);
    startWorker(store, { timeoutMs: 300, doubtDelayMs: 900 });

    await slack.waitFor(() => slack.messages('U0BOB').length === 1 || undefined, 5000);
    await until(pending(store));
    const approvals = slack.messages('C0SECURITY');
    expect(approvals).toHaveLength(1);
    expect(approvals[0]?.metadata).toEqual({ event_type: 'toolgate_outbox', event_payload: { outbox_id: 1 } });
    expect((await store.getRequest(1))?.stages[0]?.messageTs).toBe(approvals[0]?.ts);
    const history = slack.callsTo('conversations.history');
    expect(history.map((c) => [c.args.channel, c.args.include_all_metadata])).toEqual([['C0SECURITY', 'true']]);
    // It looked only once Slack was surely done with the first request.
    const firstPost = slack.calls.find((c) => c.method === 'chat.postMessage');
    expect((history[0]?.at ?? 0) - (firstPost?.at ?? 0)).toBeGreaterThanOrEqual(0);
  });

  it('where the bot may not read the channel, it posts again: the copy is an orphan, the new one is recorded', async () => {
    const { store, slack } = await setUp();
    await store.fileRequest(draft(), ['security'], () => null, new Date());
    slack.slowNext(1, 700, ['chat.postMessage']);
    slack.failNext(5, { error: 'missing_scope' }, ['conversations.history']);
    startWorker(store, { timeoutMs: 300, doubtDelayMs: 900 });

    await slack.waitFor(() => slack.messages('U0BOB').length === 1 || undefined, 5000);
    await until(pending(store));
    const approvals = slack.messages('C0SECURITY');
    expect(approvals).toHaveLength(2);
    expect((await store.getRequest(1))?.stages[0]?.messageTs).toBe(approvals[1]?.ts);
    expect(await store.failedMessages()).toEqual([]);
  });
});

describe('item 11: lanes go out concurrently, approvals first', () => {
  it('300 review requests queued, then an approval: the approval goes out at once, the rest four at a time', async () => {
    const { store, ctx, slack } = await setUp();
    for (let i = 0; i < 300; i++) await requestReview(ctx, `U0P${String(i).padStart(4, '0')}`, `tool ${i}`);
    await store.fileRequest(draft(), ['security'], () => null, new Date());
    slack.setLatency(15, ['chat.postMessage']);
    let inFlight = 0;
    let most = 0;
    slack.onChange((c) => {
      if (c.kind === 'message' && c.action === 'posted') most = Math.max(most, ++inFlight);
      if (c.kind === 'call' && c.call.method === 'chat.postMessage') inFlight--;
    });
    const reviewsPosted = () =>
      slack.messages('C0SECURITY').filter((m) => m.text.startsWith('Review requested')).length;
    startWorker(store, { concurrency: 4 });

    await slack.waitFor(() => slack.messages('C0SECURITY').find((m) => m.text.startsWith('Exception request #1')));
    expect(reviewsPosted()).toBeLessThan(10);
    await slack.waitFor(() => slack.messages('U0BOB')[0]); // its lane's next message, in order after it

    await until(pending(store), 8000);
    expect(reviewsPosted()).toBe(300);
    expect(slack.messages('C0SECURITY')).toHaveLength(301);
    expect(new Set(slack.messages('C0SECURITY').map((m) => m.text)).size).toBe(301); // each once
    expect(most).toBe(4); // four at a time, never more
  });

  it('a 429 pauses every lane for as long as Slack asks', async () => {
    const { store, ctx, slack } = await setUp();
    for (let i = 0; i < 12; i++) await requestReview(ctx, `U0P${String(i).padStart(4, '0')}`, `tool ${i}`);
    slack.setLatency(30, ['chat.postMessage']);
    slack.failNext(1, { status: 429, retryAfter: 1 }, ['chat.postMessage']);
    startWorker(store, { concurrency: 4 });
    await until(pending(store), 8000);

    const calls = slack.callsTo('chat.postMessage');
    const limited = calls.find((c) => c.status === 429);
    // The three sent beside it were already on their way; nothing was sent after it for a second.
    const during = calls.filter((c) => c.at > (limited?.at ?? 0) && c.at < (limited?.at ?? 0) + 950);
    expect(during.length).toBeLessThanOrEqual(3);
    expect(during.every((c) => c.at - (limited?.at ?? 0) < 300)).toBe(true);
    expect(calls.filter((c) => c.ok)).toHaveLength(12);
  });
});

describe('item 12: delivered messages are pruned', () => {
  it('the sweep deletes delivered rows older than OUTBOX_KEEP_DAYS; pending, given-up and recent ones stay, the audit log whole', async () => {
    const { store, slack } = await setUp();
    await store.fileRequest(draft('U0BOB'), ['security'], () => null, new Date());
    const worker = startWorker(store);
    await until(pending(store));
    expect(okPosts(slack)).toHaveLength(2);
    await worker.stop();
    // Two more: one given up, one still waiting.
    await store.fileRequest(draft('U0CAROL'), ['security'], () => null, new Date());
    const [carol] = await store.claim('test', new Date(), 60_000, 10);
    await store.markFailed(carol?.id as number, new Date(), 'slack error: invalid_blocks');
    const count = (where: string) =>
      store.db.prepare(`SELECT COUNT(*) FROM outbox WHERE ${where}`).pluck().get() as number;
    expect([count('delivered_at IS NOT NULL'), count('failed_at IS NOT NULL'), await store.pendingCount()]).toEqual([
      2, 1, 1,
    ]);
    const audit = await store.auditEntries(null);

    const ctxAt = (days: number, keep = 30): ServiceContext => ({
      store,
      clock: { now: () => new Date(Date.now() + days * 86_400_000) },
      defaultRegion: 'global',
      outboxKeepDays: keep,
    });
    expect((await sweep(ctxAt(29))).outboxPruned).toBe(0);
    // A rehearsal of a later day (`toolgate sweep --now`) prunes by the clock, not by that day.
    expect((await sweep(ctxAt(0), new Date(Date.now() + 90 * 86_400_000))).outboxPruned).toBe(0);
    expect((await sweep(ctxAt(31, 60))).outboxPruned).toBe(0);
    expect((await sweep(ctxAt(31))).outboxPruned).toBe(2);
    expect(count('delivered_at IS NOT NULL')).toBe(0);
    expect(count('failed_at IS NOT NULL')).toBe(1);
    expect(count(`message LIKE '{"kind":"dm","user":"U0CAROL"%' AND delivered_at IS NULL AND failed_at IS NULL`)).toBe(
      1,
    );
    // The sweeps reminded and escalated (new entries); every entry from before is still there, unchanged.
    const after = await store.auditEntries(null);
    expect(after.slice(0, audit.length)).toEqual(audit);
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });
});
