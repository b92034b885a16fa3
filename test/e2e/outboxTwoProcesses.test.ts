// Two bots on one database (issue 9, item 8): before leases, 33 of 60 rounds posted the next
// stage's message twice. Two compiled bots (`node dist/main.js`, as `npm start` runs it) share one
// SQLite file and one Slack; a third connection files requests and decides stages, round after
// round, so both bots find the same messages due at the same moment. Every message goes out once.
import { afterEach, describe, expect, it } from 'vitest';
import { readRegistryFile } from '../../src/service/registryFile.ts';
import { startSlackStandIn, type ApiCall, type SlackStandIn } from '../../src/standIn/index.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { SIGNING_SECRET } from '../helpers/harness.ts';
import { npmStart, type Started } from '../helpers/npmStart.ts';
import { REGISTRY_PATH, tempDbPath } from '../helpers/tmp.ts';

const ROUNDS = 60;
let standIn: SlackStandIn | undefined;
let store: SqliteStore | undefined;
const bots: Started[] = [];
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.stop()));
  store?.close();
  await standIn?.close();
});

const outboxIdOf = (c: ApiCall): number | undefined => {
  const payload = (c.args.metadata as { event_payload?: { outbox_id?: unknown } } | undefined)?.event_payload;
  return typeof payload?.outbox_id === 'number' ? payload.outbox_id : undefined;
};

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('two bot processes on one database', () => {
  it(`${ROUNDS} rounds of filings and decisions: every message is sent exactly once`, async () => {
    const slack = await startSlackStandIn();
    standIn = slack;
    slack.setLatency(5); // long enough for the two bots' sends to overlap
    const databasePath = tempDbPath();
    const db = openSqliteStore(databasePath);
    store = db;
    await db.importRegistry(readRegistryFile(REGISTRY_PATH), { prune: false, actor: 'test', now: new Date() });

    const env = (token: string) => ({
      SLACK_BOT_TOKEN: token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: databasePath,
      REGISTRY_PATH,
      LOG_LEVEL: 'error',
      OUTBOX_POLL_MS: '20',
      OUTBOX_RETRY_BASE_MS: '50',
      SWEEP_INTERVAL_MS: '0',
    });
    // Each bot has its own token, so the calls show which one sent what.
    bots.push(npmStart(env('xoxb-bot-one')), npmStart(env('xoxb-bot-two')));
    await Promise.all(bots.map((b) => b.ready));

    const pending = () => db.db.prepare('SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL').pluck().get() === 0;
    const recorded = (id: number, position: number) =>
      db.db
        .prepare('SELECT message_ts FROM request_stages WHERE request_id = ? AND position = ?')
        .pluck()
        .get(id, position) !== null;
    let requests = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const ids: number[] = [];
      for (const who of ['A', 'B']) {
        const filed = await db.fileRequest(
          {
            toolId: 'claude-code',
            requester: `U0R${round}${who}`,
            region: 'global',
            department: null,
            justification: 'Needed for the open-source SDK work, nothing confidential.',
            usage: 'github.com/acme/sdk',
            dataClass: 'internal',
            durationDays: 30,
            renewalOf: null,
          },
          ['security', 'legal'],
          () => null,
          new Date(),
        );
        if (!filed.ok) throw new Error('not filed');
        ids.push(filed.request.id);
      }
      requests += ids.length;
      await until(() => ids.every((id) => recorded(id, 0)), `round ${round}'s approval messages`);
      // Each decision: the security message updated, legal's posted, the requester told. All due at once.
      for (const id of ids)
        await db.decide(id, { actor: 'U0SEC1', position: 0, decision: 'approve', note: null }, new Date());
      await until(pending, `round ${round}'s messages`);
    }

    const delivered = db.db.prepare('SELECT id FROM outbox ORDER BY id').pluck().all() as number[];
    // Per request: two approval messages, an update of the first, two DMs, and the filing DM refreshed.
    expect(delivered).toHaveLength(requests * 6);
    const sends = slack.calls.filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.ok);
    const perMessage = new Map<number, number>();
    for (const c of sends) perMessage.set(outboxIdOf(c) ?? -1, (perMessage.get(outboxIdOf(c) ?? -1) ?? 0) + 1);
    const twice = [...perMessage].filter(([, n]) => n !== 1);
    expect(twice).toEqual([]);
    expect([...perMessage.keys()].sort((a, b) => a - b)).toEqual(delivered);
    // What people see: one approval message per stage, one DM per event.
    expect(slack.messages('C0SECURITY').filter((m) => m.text.startsWith('Exception request #'))).toHaveLength(requests);
    expect(slack.messages('C0LEGAL').filter((m) => m.text.startsWith('Exception request #'))).toHaveLength(requests);
    expect(slack.callsTo('chat.update').filter((c) => c.ok && c.args.channel === 'C0SECURITY')).toHaveLength(requests);
    expect(slack.callsTo('chat.update').filter((c) => c.ok)).toHaveLength(requests * 2);
    // Both bots were delivering, not one of them idle.
    const byBot = (token: string) => sends.filter((c) => c.token === token).length;
    expect(byBot('xoxb-bot-one')).toBeGreaterThan(requests / 5);
    expect(byBot('xoxb-bot-two')).toBeGreaterThan(requests / 5);
    expect(byBot('xoxb-bot-one') + byBot('xoxb-bot-two')).toBe(requests * 6);
  });
});
