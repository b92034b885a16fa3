// The playground server without a browser: what the page may ask, and what it refuses.
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground, type Playground } from '../../src/playground/index.ts';
import { allElements } from '../../src/standIn/index.ts';
import { fileRequest } from '../helpers/exceptions.ts';
import type { Harness } from '../helpers/harness.ts';

let pg: Playground;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'toolgate-playground-'));
  pg = await startPlayground({ port: 0, databasePath: join(dir, 'toolgate.db'), logLevel: 'error' });
});

afterAll(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = async (path: string, body: unknown, contentType = 'application/json') => {
  const res = await fetch(`${pg.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { ok: boolean; error?: string; errors?: Record<string, string> },
  };
};

interface State {
  defaultUser: string;
  people: Array<{ id: string; label: string; kind: string; region: string; office?: string | null }>;
  channels: Array<{ id: string; name: string; members?: string[] }>;
  commands: Array<{ command: string }>;
  messagesReadOnly: boolean;
  users: Record<string, string>;
}

describe('the playground server', () => {
  it("seeds the stand-in with the example company's directory (issue 13): profiles, people only in Slack, user groups", () => {
    expect(pg.standIn.profileFields().map((f) => f.label)).toEqual(['Office', 'Department']);
    // A registry person keeps the registry's name, and has the profile the example gives them.
    expect(pg.standIn.getUser('U0ALICE')).toMatchObject({
      real_name: 'Alice Chen',
      tz: 'Asia/Shanghai',
      profile: { fields: { Xf0OFFICE: { value: 'Hangzhou', alt: '' } } },
    });
    // Someone the registry does not list, whose region only their profile tells.
    expect(pg.standIn.getUser('U0MEI')).toMatchObject({
      real_name: 'Chen Mei',
      profile: { email: 'chen.mei@example.cn' },
    });
    expect(pg.standIn.usergroup('@security-review')?.users).toEqual(['U0SEC1', 'U0SEC2']);
  });

  it('serves the page with a strict content security policy', async () => {
    const page = await fetch(pg.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>toolgate playground</title>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const js = await fetch(`${pg.url}/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${pg.url}/../package.json`)).status).toBe(404);
  });

  it('offers the registry’s people, approvers and admins, the approver channels and the manifest’s commands', async () => {
    const state = (await (await fetch(`${pg.url}/api/state`)).json()) as State;
    const labels = state.people.map((p) => p.label);
    expect(labels).toContain('Alice Chen · China mainland · engineering');
    expect(labels).toContain('Bob Martinez · Global · engineering');
    expect(labels).toContain('Marcus Webb · Security review approver');
    expect(labels).toContain('Sofia Rossi · Legal approver');
    expect(labels).toContain('Priya Raman · admin');
    expect(labels).toContain('Guest · Global · not in the registry');
    for (const region of ['global', 'cn']) {
      expect(state.people.filter((p) => p.kind === 'employee' && p.region === region).length).toBeGreaterThanOrEqual(2);
    }
    expect(state.defaultUser).toBe('U0BOB');
    expect(state.channels.map((c) => c.name)).toEqual(['general', 'security-review', 'legal', 'privacy-office']);
    expect(state.channels.find((c) => c.name === 'security-review')?.members).toEqual(['U0SEC1', 'U0SEC2']);
    expect(state.commands.map((c) => c.command)).toEqual(['/can-i-use']);
    expect(state.messagesReadOnly).toBe(true);
    expect(state.users.U0SEC1).toBe('Marcus Webb');
  });

  it('offers people only Slack knows, with the region their profile gives them and why (issue 13)', async () => {
    const state = (await (await fetch(`${pg.url}/api/state`)).json()) as State & { offices: string[] };
    const byId = (id: string) => state.people.find((p) => p.id === id);
    expect(byId('U0MEI')).toMatchObject({
      label: 'Chen Mei · China mainland · from their Slack profile (Office: Hangzhou)',
      region: 'cn',
      office: 'Hangzhou',
    });
    expect(byId('U0JUN')?.label).toBe('Liu Jun · China mainland · from their Slack time zone (Asia/Shanghai)');
    expect(byId('W0XIAO')?.label).toBe(
      'Xiao Hong · China mainland · from the Slack workspace they asked from (T0CHINA)',
    );
    expect(byId('U0TOM')?.label).toBe('Tom Becker · Global · the default, because nothing in their profile matched');
    // Registry people are not listed twice, and have no office to change here.
    expect(state.people.filter((p) => p.id === 'U0ALICE')).toHaveLength(1);
    expect(byId('U0ALICE')?.office).toBeUndefined();
    expect(state.offices).toContain('Hangzhou');
  });

  it('someone in the China workspace asks from there, and the bot answers for mainland China', async () => {
    const res = await post('/api/command', { user: 'W0XIAO', channel: 'C0GENERAL', text: '/can-i-use claude code' });
    expect(res).toEqual({ status: 200, body: { ok: true } });
    const answer = pg.standIn.ephemerals('W0XIAO').at(-1);
    expect(answer?.text).toBe('Claude Code: Prohibited');
    expect(JSON.stringify(answer?.blocks)).toContain('from the Slack workspace you asked from (T0CHINA)');
  });

  it('moving office changes the profile, Slack sends user_change, and the next answer follows it', async () => {
    await post('/api/command', { user: 'U0AMARA', channel: 'C0GENERAL', text: '/can-i-use claude code' });
    expect(pg.standIn.ephemerals('U0AMARA').at(-1)?.text).toBe('Claude Code: Exception required');
    const moved = await post('/api/profile', { user: 'U0AMARA', office: 'Shenzhen' });
    expect(moved).toEqual({ status: 200, body: { ok: true } });
    const state = (await (await fetch(`${pg.url}/api/state`)).json()) as State;
    expect(state.people.find((p) => p.id === 'U0AMARA')?.label).toBe(
      'Amara Nwosu · China mainland · from their Slack profile (Office: Shenzhen)',
    );
    await post('/api/command', { user: 'U0AMARA', channel: 'C0GENERAL', text: '/can-i-use claude code' });
    expect(pg.standIn.ephemerals('U0AMARA').at(-1)?.text).toBe('Claude Code: Prohibited');
    // An office the example does not have is refused, naming the ones it has.
    const bad = await post('/api/profile', { user: 'U0AMARA', office: 'Atlantis' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('office must be one of Hangzhou');
  });

  it('changing a Slack user group an approver group names tells the bot: a removed approver is refused, one added back decides (issue 13)', async () => {
    const state = (await (await fetch(`${pg.url}/api/state`)).json()) as State & {
      usergroups: Array<{ id: string; handle: string; approverGroups: string[]; members: string[] }>;
    };
    // The playground's registry gives the approver groups by the example's user groups, not by hand.
    expect(state.usergroups.map((g) => [g.handle, g.approverGroups, g.members])).toEqual([
      ['security-review', ['Security review'], ['U0SEC1', 'U0SEC2']],
      ['legal-review', ['Legal'], ['U0LEGAL1', 'U0LEGAL2']],
      ['privacy-office', ['Privacy office'], ['U0PRIV1']],
    ]);
    const stored = await pg.bot.store.exportRegistry();
    expect(stored.approverGroups.find((g) => g.id === 'security')).toMatchObject({
      members: [],
      usergroup: 'S0SECGRP',
    });
    // ...and who is in them is still an approver in the picker and a member of the group's channel.
    expect(state.people.find((p) => p.id === 'U0SEC1')?.label).toBe('Marcus Webb · Security review approver');
    expect(state.channels.find((c) => c.id === 'C0SECURITY')?.members).toEqual(['U0SEC1', 'U0SEC2']);

    const harness = { bot: pg.bot, standIn: pg.standIn, slack: pg.driver } as unknown as Harness;
    await fileRequest(harness, 'U0BOB');
    const request = await pg.standIn.waitFor(
      () => pg.standIn.messages('C0SECURITY').find((m) => (m.text ?? '').startsWith('Exception request #')),
      5000,
      'the approval request in #security-review',
    );
    const approve = allElements(request.blocks).find(
      (f) => f.element.type === 'button' && JSON.stringify(f.element.text).includes('"Approve"'),
    );
    if (!approve) throw new Error('the approval request has no Approve button');
    const clickApprove = (user: string) =>
      post('/api/click', {
        user,
        source: { kind: 'message', channel: 'C0SECURITY', ts: request.ts },
        blockId: approve.blockId,
        actionId: approve.actionId,
      });
    const cached = () =>
      pg.bot.store.db
        .prepare<[], { user_id: string }>(
          "SELECT user_id FROM usergroup_members WHERE usergroup_id = 'S0SECGRP' ORDER BY user_id",
        )
        .all()
        .map((r) => r.user_id);

    // Marcus leaves @security-review: Slack sends subteam_members_changed, and the bot has it before the answer.
    const removed = await post('/api/usergroup', { usergroup: 'S0SECGRP', user: 'U0SEC1', change: 'remove' });
    expect(removed).toEqual({ status: 200, body: { ok: true } });
    expect(pg.standIn.usergroup('S0SECGRP')?.users).toEqual(['U0SEC2']);
    expect(cached()).toEqual(['U0SEC2']);
    expect(await clickApprove('U0SEC1')).toEqual({ status: 200, body: { ok: true } });
    const refusal = await pg.standIn.waitFor(
      () => pg.standIn.ephemerals('U0SEC1').find((e) => (e.text ?? '').includes('not an approver')),
      5000,
      "the bot's refusal to Marcus",
    );
    expect(refusal.text).toContain('You are not an approver for this stage');
    expect(pg.standIn.openViews('U0SEC1')).toEqual([]);

    // Back in the group, his Approve opens the decision form.
    const added = await post('/api/usergroup', { usergroup: 'S0SECGRP', user: 'U0SEC1', change: 'add' });
    expect(added).toEqual({ status: 200, body: { ok: true } });
    expect(cached()).toEqual(['U0SEC1', 'U0SEC2']);
    await clickApprove('U0SEC1');
    const form = await pg.standIn.waitFor(() => pg.standIn.openViews('U0SEC1').at(-1), 5000, "Marcus's decision form");
    expect(form.callback_id).toBe('approve_stage');
    await post('/api/close', { user: 'U0SEC1', viewId: form.id, all: true });

    // What the page may not do: a group no approver group names, someone twice, the last member out.
    const unknown = await post('/api/usergroup', { usergroup: 'S0BAKGRP', user: 'U0TOM', change: 'add' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('usergroup must be one an approver group names: S0SECGRP, S0LEGALGRP, S0PRIVGRP');
    expect((await post('/api/usergroup', { usergroup: 'S0SECGRP', user: 'U0SEC2', change: 'add' })).body).toEqual({
      ok: false,
      error: 'U0SEC2 is already in @security-review.',
    });
    expect((await post('/api/usergroup', { usergroup: 'S0PRIVGRP', user: 'U0PRIV1', change: 'remove' })).body).toEqual({
      ok: false,
      error: '@privacy-office keeps at least one member in Slack: add someone first.',
    });
    expect((await post('/api/usergroup', { usergroup: 'S0SECGRP', user: 'U0NOBODY', change: 'add' })).status).toBe(400);
    expect(pg.standIn.usergroup('S0PRIVGRP')?.users).toEqual(['U0PRIV1']);
  });

  it('sends a command to the real bot, signed as Slack signs it', async () => {
    const res = await post('/api/command', { user: 'U0ALICE', channel: 'C0GENERAL', text: '/can-i-use claude code' });
    expect(res).toEqual({ status: 200, body: { ok: true } });
    const [answer] = pg.standIn.ephemerals('U0ALICE');
    expect(answer?.text).toBe('Claude Code: Prohibited');
    expect(answer?.channel).toBe('C0GENERAL');
  });

  it('a very long query is cut as Slack cuts it, and answered by the bot (issue 10)', async () => {
    const res = await post('/api/command', {
      user: 'U0BOB',
      channel: 'C0GENERAL',
      text: `/can-i-use ${'x'.repeat(5000)}`,
    });
    expect(res).toEqual({ status: 200, body: { ok: true } });
    const answer = pg.standIn.ephemerals('U0BOB').at(-1);
    expect(answer?.text).toMatch(/^x+: Not in registry$/);
  });

  it('refuses what a browser should not send', async () => {
    const bad = await post('/api/command', { user: 'alice', channel: 'C0GENERAL' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('user must be a Slack user id');
    expect(bad.body.error).toContain('text');
    expect((await post('/api/command', 'user=U0BOB', 'text/plain')).status).toBe(415);
    expect((await post('/api/command', '{not json')).status).toBe(400);
    const someoneElsesDm = await post('/api/command', { user: 'U0BOB', channel: 'DU0ALICE', text: 'hello' });
    expect(someoneElsesDm.status).toBe(403);
    const readOnly = await post('/api/command', { user: 'U0BOB', channel: 'DU0BOB', text: '/can-i-use claude code' });
    expect(readOnly.body.error).toContain('turned off');
    const unknown = await post('/api/command', { user: 'U0BOB', channel: 'C0GENERAL', text: '/nope' });
    expect(unknown.body).toEqual({ ok: false, error: '/nope is not a valid command. Try /can-i-use.' });
    const ghost = await post('/api/click', {
      user: 'U0BOB',
      source: { kind: 'ephemeral', ts: '1.000001' },
      blockId: 'b',
      actionId: 'a',
    });
    expect(ghost.status).toBe(404);
    const notYours = await post('/api/submit', { user: 'U0BOB', viewId: 'V0000000001' });
    expect(notYours.status).toBe(404);
  });

  it('answers only to localhost names (no DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${pg.url}/api/state`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('streams the state as Server-Sent Events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${pg.url}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body?.getReader();
    const first = await reader?.read();
    const text = new TextDecoder().decode(first?.value);
    expect(text).toContain('event: state');
    expect(text).toContain('"defaultUser":"U0BOB"');
    controller.abort();
  });
});

describe('npm start without Slack credentials', () => {
  it('starts the playground and prints its address', async () => {
    const home = mkdtempSync(join(tmpdir(), 'toolgate-start-'));
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', DATABASE_PATH: join(home, 'toolgate.db'), PORT: '0', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no address printed; output so far:\n${output}`)), 20_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /toolgate playground: (http:\/\/localhost:\d+)/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
      });
      expect(output).toContain('stand-in for Slack');
      const page = await fetch(url);
      expect(await page.text()).toContain('toolgate playground');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
