// Regions from Slack profiles (issue 13), over signed HTTP: data/registry.yml's region_rules
// against the example directory in the stand-in (users.info, users.profile.get, team.profile.get),
// with the registry's `people` first and DEFAULT_REGION last, and every answer saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver, EXAMPLE_ENTERPRISE, seedExampleDirectory } from '../../src/standIn/index.ts';
import {
  approvalIn,
  ask,
  auditActions,
  decideViaModal,
  dmTo,
  FAST_OUTBOX,
  fileRequest,
  requestRow,
  requestRows,
} from '../helpers/exceptions.ts';
import { SIGNING_SECRET, startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: FAST_OUTBOX });
  seedExampleDirectory(h.standIn);
});
afterAll(async () => {
  await h.stop();
});

/** The Web API calls the bot made about `user` to read their profile. */
const profileReads = (user: string): number =>
  ['users.info', 'users.profile.get'].reduce(
    (n, method) => n + h.standIn.callsTo(method).filter((c) => c.args.user === user).length,
    0,
  );

describe('the region comes from the Slack profile of someone the registry does not list', () => {
  it('a profile field, by its label: Office Hangzhou is China mainland', async () => {
    const mei = await ask(h, 'U0MEI', 'claude code');
    expect(mei.text).toBe('Claude Code: Prohibited');
    expect(mei.shown).toContain('Your region: China mainland, from your Slack profile (Office: Hangzhou)');
    // team.profile.get told the bot which field id is labelled Office.
    expect(h.standIn.callsTo('team.profile.get').length).toBeGreaterThan(0);
  });

  it('a cached profile is not read again: the second answer does not wait on Slack', async () => {
    await ask(h, 'U0MEI', 'cursor');
    const reads = profileReads('U0MEI');
    const again = await ask(h, 'U0MEI', 'cursor');
    expect(again.shown).toContain('from your Slack profile (Office: Hangzhou)');
    expect(profileReads('U0MEI')).toBe(reads);
  });

  it('a time zone, when no Office is given', async () => {
    const jun = await ask(h, 'U0JUN', 'claude code');
    expect(jun.text).toBe('Claude Code: Prohibited');
    expect(jun.shown).toContain('Your region: China mainland, from your Slack time zone (Asia/Shanghai)');
  });

  it('the Enterprise Grid workspace the request came from, with the department from a profile field', async () => {
    const china = createSlackDriver({
      botUrl: h.bot.eventsUrl as string,
      signingSecret: SIGNING_SECRET,
      standIn: h.standIn,
      teamId: EXAMPLE_ENTERPRISE.chinaTeamId,
      enterpriseId: EXAMPLE_ENTERPRISE.id,
    });
    const res = await china.command({ user: 'W0XIAO', text: 'claude code' });
    expect(res.status).toBe(200);
    const body = JSON.stringify(res.json);
    expect(body).toContain('Claude Code: Prohibited');
    expect(body).toContain('Your region: China mainland, from the Slack workspace you asked from (T0CHINA)');
    // From the company's other workspace, the same person is not in mainland China.
    const elsewhere = await ask(h, 'W0XIAO', 'claude code');
    expect(elsewhere.shown).toContain('Your region: Global, the default, because nothing in your profile matched');
  });

  it('nothing in the profile matched: the default, said as such', async () => {
    const tom = await ask(h, 'U0TOM', 'list');
    expect(tom.shown).toContain(
      'Answers for your region, Global, the default, because nothing in your profile matched.',
    );
  });
});

describe('an exception request', () => {
  it('is filed for the region and department the answer used (the profile’s)', async () => {
    // Sourcegraph Cody takes exception requests in China mainland only (globally it is conditional).
    const asked = await ask(h, 'U0MEI', 'sourcegraph cody');
    expect(asked.text).toBe('Sourcegraph Cody: Exception required');
    const res = await fileRequest(h, 'U0MEI', 'sourcegraph cody');
    expect(res.status).toBe(200);
    const row = await h.standIn.waitFor(() =>
      h.bot.store.db
        .prepare<[string], { region: string; department: string | null }>(
          'SELECT region, department FROM exception_requests WHERE requester = ?',
        )
        .get('U0MEI'),
    );
    expect(row).toEqual({ region: 'cn', department: 'Product' });
  });
});

describe('precedence', () => {
  it('a `people` entry wins over the profile, and the profile is not read at all', async () => {
    // Frank is listed in cn; his profile says Berlin.
    const frank = await ask(h, 'U0FRANK', 'claude code');
    expect(frank.text).toBe('Claude Code: Prohibited');
    expect(frank.shown).toContain('Your region: China mainland, because you are listed in the registry');
    expect(profileReads('U0FRANK')).toBe(0);
  });
});

describe('when Slack does not answer', () => {
  it('users.info and users.profile.get failing: the answer still arrives, for the default region, and says why', async () => {
    h.standIn.failNext(2, { status: 500 }, ['users.info', 'users.profile.get']);
    const res = await h.slack.command({ user: 'U0DANA', text: 'claude code' });
    expect(res.status).toBe(200);
    const shown = JSON.stringify(res.json);
    expect(shown).toContain('Claude Code: Exception required');
    expect(shown).toContain('Your region: Global, the default, because Slack did not answer in time with your profile');
    // Nothing was cached from the failure: the next answer reads the profile (the stand-in's default: Berlin).
    const next = await ask(h, 'U0DANA', 'claude code');
    expect(next.shown).toContain('the default, because nothing in your profile matched');
  });

  it('Slack slower than the deadline: the ack is not held up, and the answer says the profile did not come', async () => {
    // Slower than the bot waits (1.5 s), well within Slack's 3 s: Bolt answers 200 only when ack came in time.
    h.standIn.slowNext(2, 2400, ['users.info', 'users.profile.get']);
    const res = await h.slack.command({ user: 'U0LINYUE', text: 'claude code' });
    expect(res.status).toBe(200);
    const shown = JSON.stringify(res.json);
    expect(shown).toContain('Claude Code: Exception required');
    expect(shown).toContain('the default, because Slack did not answer in time with your profile');
    // With Slack back, her email domain says mainland China.
    const later = await ask(h, 'U0LINYUE', 'claude code');
    expect(later.shown).toContain('Your region: China mainland, from your email address (@example.cn)');
  });
});

describe('a profile change', () => {
  it('user_change refreshes the cache: the next answer follows the new profile', async () => {
    const before = await ask(h, 'U0AMARA', 'claude code');
    expect(before.text).toBe('Claude Code: Exception required');
    const change = await h.slack.changeUser('U0AMARA', { tz: 'Asia/Shanghai', fields: { Office: 'Shanghai' } });
    expect(change.events.map((e) => e.type)).toContain('user_change');
    expect(change.responses.every((r) => r.status === 200)).toBe(true);
    const after = await ask(h, 'U0AMARA', 'claude code');
    expect(after.text).toBe('Claude Code: Prohibited');
    expect(after.shown).toContain('Your region: China mainland, from your Slack profile (Office: Shanghai)');
  });

  it('a transfer ends an exception the new region takes none for: audited, with a DM saying why', async () => {
    // Jonas (Berlin, not listed) holds an exception for Claude Code, granted in Global.
    await fileRequest(h, 'U0JONAS', 'claude code');
    const id = (await h.standIn.waitFor(() => requestRows(h).find((r) => r.requester === 'U0JONAS'))).id;
    const security = await h.standIn.waitFor(approvalIn(h, 'C0SECURITY', id));
    await decideViaModal(h, 'U0SEC1', security, 'Approve');
    const legal = await h.standIn.waitFor(approvalIn(h, 'C0LEGAL', id));
    await decideViaModal(h, 'U0LEGAL1', legal, 'Approve');
    await h.standIn.waitFor(() => requestRow(h, id)?.status === 'active');
    expect((await ask(h, 'U0JONAS', 'claude code')).shown).toContain(`Allowed under exception #${id}`);

    // He moves to Hangzhou: in China mainland Claude Code is prohibited, so no exception covers it.
    await h.slack.changeUser('U0JONAS', { tz: 'Asia/Shanghai', fields: { Office: 'Hangzhou' } });
    await h.standIn.waitFor(() => requestRow(h, id)?.status === 'revoked', 5000, `exception #${id} to end`);
    expect(auditActions(h, id)).toContain('request.ended_by_region_change');
    const dm = await dmTo(h, 'U0JONAS', `Exception #${id} for Claude Code has ended`);
    expect(JSON.stringify(dm.blocks)).toContain(
      'your region is now China mainland, from your Slack profile (Office: Hangzhou); there Claude Code is Prohibited',
    );
    const now = await ask(h, 'U0JONAS', 'claude code');
    expect(now.text).toBe('Claude Code: Prohibited');
  });
});
