// The audit log's head, published outside the database on a schedule (issue 9, item 7): a post to
// the registry's audit channel through the outbox, in one transaction with its audit entry, and a log
// line; `audit verify --anchor` takes the post's text.
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { auditKeyOf, rewriteChain } from '../helpers/audit.ts';
import { FAST_OUTBOX, fileRequest } from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';
import { REGISTRY_PATH, tempDir } from '../helpers/tmp.ts';

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.stop();
  h = undefined;
});

/** data/registry.yml with an audit channel. */
function registryWithAuditChannel(): string {
  const path = join(tempDir(), 'registry.yml');
  writeFileSync(
    path,
    readFileSync(REGISTRY_PATH, 'utf8').replace(/^review_channel: .*$/m, (line) => `${line}\naudit_channel: C0AUDIT`),
  );
  return path;
}

async function cli(harness: Harness, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    args,
    { DATABASE_PATH: harness.config.databasePath, REGISTRY_PATH: harness.config.registryPath },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const headPosts = (harness: Harness) =>
  harness.standIn.messages('C0AUDIT').filter((m) => (m.text ?? '').startsWith('toolgate audit head'));

describe('publishing the audit head', () => {
  it('posts the head to the audit channel on its interval, logs it, and the post is an anchor', async () => {
    const logged = vi.spyOn(console, 'log');
    h = await startHarness({
      registryPath: registryWithAuditChannel(),
      env: { ...FAST_OUTBOX, AUDIT_HEAD_INTERVAL_MS: '300' },
    });
    const harness = h;
    expect(await harness.bot.store.auditChannel()).toBe('C0AUDIT');
    const post = await harness.standIn.waitFor(() => headPosts(harness)[0], 5000, 'the head in #audit');
    const entries = await harness.bot.store.auditEntries(null);
    const published = entries.at(-1);
    const head = entries.at(-2);
    expect(published).toMatchObject({
      action: 'audit.head_published',
      subjectType: 'audit_log',
      after: { entry: head?.id, hash: head?.hash, channel: 'C0AUDIT' },
    });
    expect(post.text).toMatch(
      new RegExp(`^toolgate audit head ${head?.id}:${head?.hash} at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ$`),
    );
    expect(visibleText(post.blocks)).toContain('--anchor');
    expect(logged).toHaveBeenCalledWith(`toolgate: ${post.text} (posted to channel C0AUDIT)`);

    // The message went through the outbox, written with the entry.
    const outboxRow = () => {
      const raw = new Database(harness.config.databasePath, { readonly: true });
      const row = raw
        .prepare("SELECT created_at, delivered_at FROM outbox WHERE json_extract(message, '$.kind') = 'audit_head'")
        .get() as { created_at: string; delivered_at: string | null };
      raw.close();
      return row;
    };
    expect(outboxRow().created_at).toBe(published?.at);
    await expect.poll(() => outboxRow().delivered_at).not.toBeNull();

    // Nothing new since: nothing published again. Something new: published again at the next interval.
    await new Promise((r) => setTimeout(r, 800));
    expect(headPosts(harness)).toHaveLength(1);
    await fileRequest(harness, 'U0BOB');
    await harness.standIn.waitFor(() => headPosts(harness)[1], 5000, 'a second head');

    // The post's text, pasted as it is, anchors the log; a rewrite with the stolen key is caught by it.
    expect((await cli(harness, ['audit', 'verify', '--anchor', post.text ?? ''])).code).toBe(0);
    await harness.bot.stop();
    const db = new Database(harness.config.databasePath);
    rewriteChain(db, auditKeyOf(harness.config.databasePath), (r) => (r.id === 1 ? { ...r, actor: 'U0MALLORY' } : r));
    db.close();
    expect((await cli(harness, ['audit', 'verify'])).code).toBe(0);
    const anchored = await cli(harness, ['audit', 'verify', '--anchor', post.text ?? '']);
    expect(anchored.code).toBe(1);
    expect(anchored.err).toContain('the log was rewritten');
  });

  it('without an audit channel: the log line only, and still an audit entry; AUDIT_HEAD_INTERVAL_MS=0 has no timer', async () => {
    const logged = vi.spyOn(console, 'log');
    h = await startHarness({ env: { ...FAST_OUTBOX, AUDIT_HEAD_INTERVAL_MS: '0' } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.bot.store.auditEntries(null)).map((e) => e.action)).not.toContain('audit.head_published');
    const published = await h.bot.publishAuditHeadNow();
    expect(published).toMatchObject({ channel: null });
    expect(logged).toHaveBeenCalledWith(
      `toolgate: ${published?.text} (no audit_channel in the registry: this line is the only copy outside the database)`,
    );
    expect((await h.bot.store.auditEntries(null)).at(-1)?.action).toBe('audit.head_published');
    const raw = new Database(h.config.databasePath, { readonly: true });
    expect(
      raw.prepare("SELECT COUNT(*) FROM outbox WHERE json_extract(message, '$.kind') = 'audit_head'").pluck().get(),
    ).toBe(0);
    raw.close();
    // Nothing written since: not again.
    expect(await h.bot.publishAuditHeadNow()).toBeNull();
  });
});
