import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/service/ports.ts';
import { readRegistryFile } from '../../src/service/registryFile.ts';
import { outboxClient, platformErrorKind, startOutboxWorker, type OutboxWorker } from '../../src/slack/outboxWorker.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/standIn/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { clock, draftFor, quiet } from '../helpers/outbox.ts';
import { REGISTRY_PATH, tempDbPath } from '../helpers/tmp.ts';

const draft = draftFor('U0BOB');

let standIn: SlackStandIn;
let worker: OutboxWorker | null = null;
afterEach(async () => {
  await worker?.stop();
  worker = null;
  await standIn?.close();
  standIn = undefined as unknown as SlackStandIn;
});

/** Polls an async condition (the stand-in's waitFor takes a synchronous one). */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setUp(
  options: {
    wrap?: (s: Store) => Store;
    before?: (standIn: SlackStandIn) => void;
    maxDelayMs?: number;
    baseDelayMs?: number;
  } = {},
) {
  standIn = await startSlackStandIn();
  options.before?.(standIn);
  const store = openSqliteStore(tempDbPath());
  await store.importRegistry(readRegistryFile(REGISTRY_PATH), { prune: false, actor: 'test', now: new Date() });
  await store.fileRequest(draft, ['security'], () => null, new Date());
  worker = startOutboxWorker({
    store: (options.wrap ?? ((s) => s))(store),
    client: outboxClient('xoxb-test', standIn.apiUrl, quiet),
    clock,
    logger: quiet,
    defaultRegion: 'global',
    slackApiUrl: standIn.apiUrl,
    pollMs: 20,
    baseDelayMs: options.baseDelayMs ?? 20,
    ...(options.maxDelayMs !== undefined && { maxDelayMs: options.maxDelayMs }),
  });
  return store;
}

const posts = () => standIn.callsTo('chat.postMessage').filter((c) => c.status === 200 && c.ok);

describe('outbox worker', () => {
  it('a message Slack accepted is not sent again when recording it fails once', async () => {
    let failures = 1;
    const store = await setUp({
      wrap: (s) => ({
        ...s,
        async markDelivered(id, now, post) {
          if (failures-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
          return s.markDelivered(id, now, post);
        },
      }),
    });
    await until(async () => ((await store.pendingCount()) === 0 ? true : undefined));
    await standIn.waitFor(() => posts().length === 2 || undefined); // the approval message and the DM
    await worker?.drain();
    expect(posts().map((c) => c.args.channel)).toEqual(['C0SECURITY', 'U0BOB']);
    expect((await store.getRequest(1))?.stages[0]?.messageTs).toBeTruthy();
  });

  it('keeps retrying while the bot is not in the channel, and sends once it is', async () => {
    const store = await setUp({
      before: (s) => s.failNext(6, { error: 'not_in_channel' }, ['chat.postMessage']),
      baseDelayMs: 5,
      maxDelayMs: 20,
    });
    await standIn.waitFor(() => posts().length === 2 || undefined);
    expect(await store.failedMessages()).toEqual([]);
  });

  it('gives up on a message Slack refuses as such, and sends it again on request', async () => {
    const store = await setUp({
      before: (s) => s.failNext(3, { error: 'invalid_blocks' }, ['chat.postMessage']),
      baseDelayMs: 5,
    });
    const failed = await until(async () => {
      const f = await store.failedMessages();
      return f.length ? f : undefined;
    });
    expect(failed).toMatchObject([
      { notice: { kind: 'stage_message', requestId: 1 }, attempts: 3, lastError: 'slack error: invalid_blocks' },
    ]);
    await standIn.waitFor(() => posts().length === 1 || undefined); // the DM went on without it
    expect(await store.retryFailed(null, new Date())).toBe(1);
    worker?.kick();
    await standIn.waitFor(() => posts().some((c) => c.args.channel === 'C0SECURITY') || undefined);
    expect(await store.failedMessages()).toEqual([]);
  });

  it('knows which Slack errors clear by themselves', () => {
    expect(platformErrorKind('internal_error')).toBe('transient');
    expect(platformErrorKind('not_in_channel')).toBe('setup');
    expect(platformErrorKind('invalid_blocks')).toBe('permanent');
  });
});
