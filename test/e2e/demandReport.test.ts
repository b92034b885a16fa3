// Demand and turnaround (issue 12): questions asked over /can-i-use, requests filed and decided in
// Slack on a clock the test sets, then `toolgate report` and the admins' Home tab checked against
// the figures this story makes. Also: the query log pruned by the sweep, and the weekly stale digest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import type { DemandReport } from '../../src/domain/report.ts';
import {
  approvalIn,
  decideViaModal,
  FAST_OUTBOX,
  fileRequest,
  outboxSettled,
  requestRow,
} from '../helpers/exceptions.ts';
import { startHarness, visibleText, type Harness } from '../helpers/harness.ts';
import { tempDir } from '../helpers/tmp.ts';

/** A small registry with known review dates: Chat never reviewed, LocalAI last in 2024. */
export const DEMAND_REGISTRY = `
regions:
  - { id: global, name: Global }
  - { id: cn, name: China mainland }
admins: [U0ADMIN1]
review_channel: C0REVIEW
approver_groups:
  - { id: security, name: Security review, channel: C0SECURITY, members: [U0SEC1] }
  - { id: legal, name: Legal, channel: C0LEGAL, members: [U0LEGAL1] }
approval_chains:
  low: []
  medium: [security]
  high: [security, legal]
  critical: [security, legal]
people:
  - { user: U0ADMIN1, name: Priya Raman, region: global }
  - { user: U0SEC1, name: Marcus Webb, region: global }
  - { user: U0LEGAL1, name: Sofia Rossi, region: global }
  - { user: U0BOB, name: Bob Martinez, region: global }
  - { user: U0CAROL, name: Carol Johnson, region: global }
  - { user: U0ERIN, name: Erin Park, region: global }
  - { user: U0ALICE, name: Alice Chen, region: cn }
tools:
  - id: agent
    name: Agent
    vendor: Agent Labs
    vendor_country: US
    category: ai-coding-assistant
    risk: high
    status: exception_required
    reason: Sends code to the vendor.
    alternatives: [helper, localai]
    reviewed: 2026-10-01
    regions:
      cn:
        status: prohibited
        reason: Code would leave mainland China.
        alternatives: [helper, localai]
  - id: helper
    name: Helper
    vendor: Helper Inc
    vendor_country: US
    category: ai-coding-assistant
    risk: medium
    status: approved
    reason: Company standard.
    reviewed: 2026-09-01
    regions:
      cn:
        status: prohibited
        reason: Not offered in mainland China.
  - id: localai
    name: LocalAI
    vendor: Local Co
    vendor_country: DE
    category: ai-coding-assistant
    risk: low
    status: approved
    reason: Runs on our machines.
    reviewed: 2024-06-01
  - id: chat
    name: Chat
    vendor: Chat Corp
    vendor_country: US
    category: ai-chat
    risk: medium
    status: exception_required
    reason: Prompts go to the vendor.
    alternatives: [helper]
    regions:
      cn:
        status: prohibited
        reason: Prompts would leave mainland China.
`;

export function demandRegistryPath(): string {
  const path = join(tempDir(), 'registry.yml');
  writeFileSync(path, DEMAND_REGISTRY);
  return path;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

/** The bot on a clock the test moves. */
async function botAt(start: string, env: Record<string, string> = {}) {
  let t = Date.parse(start);
  const harness = await startHarness({
    registryPath: demandRegistryPath(),
    clock: { now: () => new Date(t) },
    env: { ...FAST_OUTBOX, ...env },
  });
  h = harness;
  return {
    h: harness,
    at(iso: string | number) {
      t = typeof iso === 'number' ? iso : Date.parse(iso);
    },
    later(ms: number) {
      t += ms;
    },
  };
}

async function toolgate(harness: Harness, args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    args,
    { DATABASE_PATH: harness.config.databasePath, REGISTRY_PATH: harness.config.registryPath, ...env },
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function ask(harness: Harness, user: string, text: string): Promise<string> {
  const res = await harness.slack.command({ user, text });
  expect(res.status).toBe(200);
  return visibleText((res.json as { blocks?: unknown }).blocks ?? []);
}

const T0 = '2026-11-02T09:00:00.000Z';
const REPORT_AT = '2026-11-30T09:00:00Z';

describe('toolgate report over a story with known numbers', () => {
  it('counts questions, requests, outcomes, turnaround, stale tools and expiring exceptions exactly', async () => {
    const bot = await botAt('2026-10-01T09:00:00Z');
    const { h } = bot;
    // Outside the 30-day window of the report: not counted.
    await ask(h, 'U0BOB', 'agent');

    bot.at(T0);
    // Questions: Agent 4 (3 people), Helper 1, "codex" 2 (2 people, typed two ways), "zed editor" 1, help 1;
    // and each request below is filed from an answer, so asked first: Agent twice more, Chat twice.
    await ask(h, 'U0BOB', 'agent');
    await ask(h, 'U0BOB', 'Agent');
    await ask(h, 'U0CAROL', 'agent');
    await ask(h, 'U0ALICE', 'agent');
    await ask(h, 'U0BOB', 'helper');
    expect(await ask(h, 'U0BOB', 'codex')).toContain('Not in registry');
    await ask(h, 'U0CAROL', '  Codex ');
    await ask(h, 'U0ERIN', 'zed editor');
    await ask(h, 'U0ERIN', 'help');

    // #1 Bob, Agent (Security then Legal): Security after 2 h, Legal 4 h after that. Granted for 30 days.
    await fileRequest(h, 'U0BOB', 'agent');
    bot.later(2 * HOUR);
    await decideViaModal(h, 'U0SEC1', await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', 1)), 'Approve');
    bot.later(4 * HOUR);
    await decideViaModal(h, 'U0LEGAL1', await h.standIn.waitFor(approvalIn(h, 'C0LEGAL', 1)), 'Approve');
    await outboxSettled(h);
    expect(requestRow(h, 1)?.status).toBe('active');

    // #2 Carol, Agent: Security approves after 10 h, Legal denies 20 h later.
    bot.at(Date.parse(T0) + DAY);
    await fileRequest(h, 'U0CAROL', 'agent');
    bot.later(10 * HOUR);
    await decideViaModal(h, 'U0SEC1', await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', 2)), 'Approve');
    bot.later(20 * HOUR);
    await decideViaModal(
      h,
      'U0LEGAL1',
      await h.standIn.waitFor(approvalIn(h, 'C0LEGAL', 2)),
      'Deny',
      'Not for client code, sorry.',
    );
    await outboxSettled(h);
    expect(requestRow(h, 2)?.status).toBe('denied');

    // #3 Erin, Chat (Security only): denied after 1 h. #4 Bob, Chat: still waiting.
    bot.at(Date.parse(T0) + 2 * DAY);
    await fileRequest(h, 'U0ERIN', 'chat');
    bot.later(HOUR);
    await decideViaModal(
      h,
      'U0SEC1',
      await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', 3)),
      'Deny',
      'Use Helper for this instead.',
    );
    bot.at(Date.parse(T0) + 3 * DAY);
    await fileRequest(h, 'U0BOB', 'chat');
    await outboxSettled(h);
    expect([3, 4].map((id) => requestRow(h, id)?.status)).toEqual(['denied', 'pending']);

    // The CLI reads the database: what the bot still holds in memory is written first.
    await h.bot.store.flushQueryLog();
    const json = await toolgate(h, ['report', '--days', '30', '--now', REPORT_AT, '--format', 'json']);
    expect(json.code, json.err).toBe(0);
    const report = JSON.parse(json.out) as DemandReport;
    expect(report.since).toBe('2026-10-31T09:00:00.000Z');
    expect(report.questions).toBe(13);
    expect(report.mostAsked).toEqual([
      { toolId: 'agent', name: 'Agent', count: 6, askers: 3 },
      { toolId: 'chat', name: 'Chat', count: 2, askers: 2 },
      { toolId: 'helper', name: 'Helper', count: 1, askers: 1 },
    ]);
    expect(report.unknownNames).toEqual([
      { name: 'Codex', count: 2, askers: 2 },
      { name: 'zed editor', count: 1, askers: 1 },
    ]);
    expect(report.requestsByTool).toEqual([
      { toolId: 'agent', name: 'Agent', total: 2, pending: 0, approved: 1, denied: 1, cancelled: 0 },
      { toolId: 'chat', name: 'Chat', total: 2, pending: 1, approved: 0, denied: 1, cancelled: 0 },
    ]);
    expect(report.denialRate).toEqual({ decided: 3, denied: 2, rate: 0.667 });
    // Security: 1, 2 and 10 h; Legal: 4 and 20 h (percentiles interpolated between neighbours).
    expect(report.turnaround).toEqual([
      { groupId: 'legal', groupName: 'Legal', decisions: 2, medianHours: 12, p90Hours: 18.4 },
      { groupId: 'security', groupName: 'Security review', decisions: 3, medianHours: 2, p90Hours: 8.4 },
    ]);
    expect(report.staleTools).toEqual([
      { toolId: 'chat', name: 'Chat', lastChecked: null, ageDays: null },
      { toolId: 'localai', name: 'LocalAI', lastChecked: '2024-06-01', ageDays: 912 },
    ]);
    // #1 was granted at T0 + 6 h for 30 days: it ends 2026-12-02T15:00Z, within 14 days of the report.
    expect(report.expiring).toEqual([
      { requestId: 1, toolId: 'agent', name: 'Agent', requester: 'U0BOB', expiresAt: '2026-12-02T15:00:00.000Z' },
    ]);

    const text = await toolgate(h, ['report', '--now', REPORT_AT]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Questions asked: 13');
    expect(text.out).toMatch(/Agent +6 questions, 3 people/);
    expect(text.out).toMatch(/Codex +2 questions, 2 people/);
    expect(text.out).toMatch(/Agent +2 filed: 1 approved, 1 denied, 0 pending, 0 cancelled/);
    expect(text.out).toContain('Denial rate: 67% (2 of 3 decided requests)');
    expect(text.out).toMatch(/Security review +median 2 h, 90th percentile 8.4 h \(3 decisions\)/);
    expect(text.out).toMatch(/LocalAI +last checked 2024-06-01 \(912 days\)/);
    expect(text.out).toContain('#1 Agent for U0BOB, until 2026-12-02');

    const csv = await toolgate(h, ['report', '--now', REPORT_AT, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.out.split('\n');
    expect(lines[0]).toBe('section,id,name,metric,value');
    expect(lines).toContain('questions,,,total,13');
    expect(lines).toContain('most_asked,agent,Agent,askers,3');
    expect(lines).toContain('unknown_name,,Codex,questions,2');
    expect(lines).toContain('requests,chat,Chat,pending,1');
    expect(lines).toContain('denial_rate,,,rate,0.667');
    expect(lines).toContain('turnaround,legal,Legal,p90_hours,18.4');
    expect(lines).toContain('stale,chat,Chat,last_checked,');
    expect(lines).toContain('expiring,1,Agent,expires_at,2026-12-02T15:00:00.000Z');

    // The admin sees the same figures on the Home tab (as of the bot's clock); others do not.
    bot.at(REPORT_AT);
    await h.slack.appHomeOpened('U0ADMIN1');
    const home = visibleText((await h.standIn.waitFor(() => h.standIn.homeOf('U0ADMIN1'))).blocks);
    expect(home).toContain('Demand, last 30 days');
    expect(home).toContain('*Questions:* 13 · *Denial rate:* 67% (2 of 3 decided)');
    expect(home).toContain('• Agent: 6 (3 people)');
    expect(home).toContain('• `Codex`: 2 (2 people)');
    expect(home).toContain('• Security review: median 2 h, 90th percentile 8.4 h (3 decisions)');
    expect(home).toContain('• #1 Agent for <@U0BOB>, until 2026-12-02');
    expect(home).toContain('• *LocalAI*: last checked 2024-06-01 (912 days ago)');
    await h.slack.appHomeOpened('U0BOB');
    expect(visibleText((await h.standIn.waitFor(() => h.standIn.homeOf('U0BOB'))).blocks)).not.toContain('Demand');
  });

  it('refuses a bad --days or --format, naming the flag', async () => {
    const { h } = await botAt(T0);
    const days = await toolgate(h, ['report', '--days', '0']);
    expect(days.code).toBe(2);
    expect(days.err).toContain('--days must be a positive whole number, not "0"');
    const format = await toolgate(h, ['report', '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.err).toContain('xml');
    const longer = await toolgate(h, ['report', '--days', '120', '--format', 'json']);
    expect(longer.code).toBe(0);
    expect(longer.err).toContain('questions are kept 90 days (QUERY_LOG_DAYS)');
  });
});

describe('the query log', () => {
  it('records who asked what, what it resolved to, the status shown and the region', async () => {
    const { h } = await botAt(T0);
    await ask(h, 'U0ALICE', 'agent');
    await ask(h, 'U0BOB', 'codex');
    await ask(h, 'U0GUEST', 'list');
    await h.bot.store.flushQueryLog();
    const rows = h.bot.store.db
      .prepare('SELECT at, user, query, query_key, outcome, tool_id, status, region FROM query_log ORDER BY id')
      .all();
    expect(rows).toEqual([
      {
        at: T0,
        user: 'U0ALICE',
        query: 'agent',
        query_key: 'agent',
        outcome: 'found',
        tool_id: 'agent',
        status: 'prohibited',
        region: 'cn',
      },
      {
        at: T0,
        user: 'U0BOB',
        query: 'codex',
        query_key: 'codex',
        outcome: 'not_found',
        tool_id: null,
        status: null,
        region: 'global',
      },
      {
        at: T0,
        user: 'U0GUEST',
        query: 'list',
        query_key: 'list',
        outcome: 'list',
        tool_id: null,
        status: null,
        region: 'global',
      },
    ]);
  });

  it('is pruned by the sweep after QUERY_LOG_DAYS, counted from the clock', async () => {
    const now = Date.now();
    const bot = await botAt(new Date(now - 100 * DAY).toISOString());
    const { h } = bot;
    await ask(h, 'U0BOB', 'agent');
    bot.at(now - 40 * DAY);
    await ask(h, 'U0BOB', 'helper');
    bot.at(now);
    await ask(h, 'U0BOB', 'chat');
    await h.bot.store.flushQueryLog();
    const left = () =>
      h.bot.store.db
        .prepare<[], { tool_id: string }>('SELECT tool_id FROM query_log ORDER BY id')
        .all()
        .map((r) => r.tool_id);

    const first = await toolgate(h, ['sweep']);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('1 questions older than 90 days deleted from the query log.');
    expect(left()).toEqual(['helper', 'chat']);

    const shorter = await toolgate(h, ['sweep'], { QUERY_LOG_DAYS: '30' });
    expect(shorter.out).toContain('1 questions older than 30 days deleted from the query log.');
    expect(left()).toEqual(['chat']);

    const again = await toolgate(h, ['sweep'], { QUERY_LOG_DAYS: '30' });
    expect(again.out).not.toContain('query log');
    expect(left()).toEqual(['chat']);

    const bad = await toolgate(h, ['sweep'], { QUERY_LOG_DAYS: '0' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('QUERY_LOG_DAYS must be at least 1 (day)');
  });
});

describe('the weekly stale digest', () => {
  it('is posted to the review channel once a week, however often the sweep runs', async () => {
    const { h } = await botAt(T0);
    const digests = () => h.standIn.messages('C0REVIEW').filter((m) => m.text.startsWith('Weekly registry digest'));
    const sweepAt = async (iso: string) => {
      const run = await toolgate(h, ['sweep', '--now', iso]);
      expect(run.code, run.err).toBe(0);
      return run.out;
    };

    expect(await sweepAt('2026-11-30T09:00:00Z')).toContain(
      'Weekly digest of 2 stale tools sent to the review channel.',
    );
    await outboxSettled(h);
    expect(digests()).toHaveLength(1);
    const shown = visibleText(digests()[0]?.blocks);
    expect(shown).toContain('2 tools have not been reviewed or checked in 365 days');
    expect(shown).toContain('• *Chat*: never reviewed');
    expect(shown).toContain('• *LocalAI*: last checked 2024-06-01 (912 days ago)');
    expect(shown).not.toContain('Agent');

    // Every minute, every day of the week: nothing more.
    for (const iso of ['2026-11-30T09:01:00Z', '2026-12-01T09:00:00Z', '2026-12-07T08:59:00Z'])
      expect(await sweepAt(iso)).not.toContain('Weekly digest');
    await outboxSettled(h);
    expect(digests()).toHaveLength(1);

    // A week after the last one, the next.
    expect(await sweepAt('2026-12-07T09:00:00Z')).toContain('Weekly digest of 2 stale tools');
    await outboxSettled(h);
    expect(digests()).toHaveLength(2);

    const audit = h.bot.store.db
      .prepare<[], { after: string }>("SELECT after FROM audit_log WHERE action = 'digest.sent' ORDER BY id")
      .all()
      .map((r) => JSON.parse(r.after) as unknown);
    expect(audit).toEqual([
      { sentAt: '2026-11-30T09:00:00.000Z', tools: ['chat', 'localai'] },
      { sentAt: '2026-12-07T09:00:00.000Z', tools: ['chat', 'localai'] },
    ]);
  });
});

describe('region-aware alternatives', () => {
  it('lists only alternatives cleared in the asker’s region, and says so when none are (Slack and CLI)', async () => {
    const { h } = await botAt(T0);
    // Agent's alternatives are Helper and LocalAI; Helper is prohibited in cn.
    expect(await ask(h, 'U0BOB', 'agent')).toContain('*Approved alternatives:* *Helper*, *LocalAI*');
    const alice = await ask(h, 'U0ALICE', 'agent');
    expect(alice).toContain('*Approved alternatives:* *LocalAI*');
    expect(alice).not.toContain('Helper');
    // Chat's only alternative is Helper: none is left in cn.
    expect(await ask(h, 'U0BOB', 'chat')).toContain('*Approved alternatives:* *Helper*');
    const aliceChat = await ask(h, 'U0ALICE', 'chat');
    expect(aliceChat).toContain('No cleared alternative in your region: ask <#C0REVIEW>.');
    expect(aliceChat).not.toContain('Approved alternatives');

    const cli = await toolgate(h, ['ask', 'chat', '--user', 'U0ALICE']);
    expect(cli.out).toContain('Alternatives: none cleared in your region: ask the review channel (C0REVIEW)');
    const cliAgent = await toolgate(h, ['ask', 'agent', '--user', 'U0ALICE']);
    expect(cliAgent.out).toContain('Alternatives: LocalAI');
  });
});
