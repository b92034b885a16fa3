/**
 * The stand-in's directory (issue 13): users with time zones, emails by scope, locales and Grid
 * workspaces; custom profile fields and their definitions; user groups; the events Slack sends
 * when a profile or a group changes, delivered to a real Bolt app over HTTP and Socket Mode; and
 * the example company's directory checked against the region rules.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import { resolveRegion, type DirectoryFacts } from '../../src/domain/directory.ts';
import type { RegionRule } from '../../src/domain/types.ts';
import {
  EXAMPLE_ENTERPRISE,
  EXAMPLE_PEOPLE,
  EXAMPLE_PROFILE_FIELDS,
  EXAMPLE_USERGROUPS,
  createSlackDriver,
  seedExampleDirectory,
  startSlackStandIn,
  type JsonObject,
  type SlackStandIn,
  type SlackStandInOptions,
} from '../../src/standIn/index.ts';
import { silentLogger } from './silentLogger.ts';

const { WebClient } = webApi;

let standIn: SlackStandIn;
let client: webApi.WebClient;
const extraStandIns: SlackStandIn[] = [];

const clientFor = (s: SlackStandIn, options: Partial<webApi.WebClientOptions> = {}) =>
  new WebClient('xoxb-directory-test', {
    slackApiUrl: s.apiUrl,
    retryConfig: { retries: 0 },
    logger: silentLogger(),
    ...options,
  });

/** Another stand-in with its own options (scopes, subscriptions), closed after the file. */
async function standInWith(options: SlackStandInOptions): Promise<SlackStandIn> {
  const s = await startSlackStandIn(options);
  extraStandIns.push(s);
  return s;
}

beforeAll(async () => {
  standIn = await startSlackStandIn();
  client = clientFor(standIn);
});

afterEach(() => {
  standIn.reset();
});

afterAll(async () => {
  await standIn.close();
  for (const s of extraStandIns) await s.close();
});

/** What the bot will ask for, and Slack's answer body. */
const call = async (s: SlackStandIn, method: string, args: Record<string, unknown> = {}, token = 'xoxb-x') => {
  const res = await fetch(`${s.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  return (await res.json()) as JsonObject;
};

describe('users.info: time zone, email by scope, locale when asked, Grid workspace', () => {
  it("answers with Slack's user object: tz, tz_label and tz_offset follow the time zone", async () => {
    standIn.setUser('U0MEI', { name: 'chen.mei', realName: 'Chen Mei', tz: 'Asia/Shanghai', title: 'PM' });
    const res = await client.users.info({ user: 'U0MEI' });
    expect(res.user).toMatchObject({
      id: 'U0MEI',
      team_id: 'T0TOOLGATE',
      name: 'chen.mei',
      real_name: 'Chen Mei',
      deleted: false,
      is_bot: false,
      tz: 'Asia/Shanghai',
      tz_label: 'China Standard Time',
      tz_offset: 8 * 3600,
      profile: { real_name: 'Chen Mei', real_name_normalized: 'Chen Mei', title: 'PM', team: 'T0TOOLGATE' },
    });
    expect(typeof res.user?.updated).toBe('number');
    standIn.setUser('U0KOLKATA', { tz: 'Asia/Kolkata' });
    expect((await client.users.info({ user: 'U0KOLKATA' })).user?.tz_offset).toBe(5.5 * 3600);
    standIn.setUser('U0WEST', { tz: 'America/Los_Angeles' });
    expect((await client.users.info({ user: 'U0WEST' })).user?.tz_offset).toBeLessThanOrEqual(-7 * 3600);
  });

  it('leaves custom field values out (users.profile.get has them), and the locale unless include_locale', async () => {
    standIn.setProfileFields(EXAMPLE_PROFILE_FIELDS);
    standIn.setUser('U0MEI', { locale: 'zh-CN', fields: { Office: 'Hangzhou' } });
    const plain = await client.users.info({ user: 'U0MEI' });
    expect(plain.user?.profile).not.toHaveProperty('fields');
    expect(plain.user).not.toHaveProperty('locale');
    expect((await client.users.info({ user: 'U0MEI', include_locale: true })).user?.locale).toBe('zh-CN');
  });

  it('shows the email only to a token with users:read.email', async () => {
    standIn.setUser('U0LIN', { email: 'lin.yue@example.cn' });
    expect((await client.users.info({ user: 'U0LIN' })).user?.profile?.email).toBe('lin.yue@example.cn');
    const noEmail = await standInWith({ botTokenScopes: ['users:read', 'users.profile:read'] });
    noEmail.setUser('U0LIN', { email: 'lin.yue@example.cn' });
    const res = await clientFor(noEmail).users.info({ user: 'U0LIN' });
    expect(res.user?.profile).not.toHaveProperty('email');
    const profile = await clientFor(noEmail).users.profile.get({ user: 'U0LIN' });
    expect(profile.profile).not.toHaveProperty('email');
  });

  it('a Grid user: the workspace in team_id, the org and its workspaces in enterprise_user', async () => {
    standIn.setUser('W0XIAO', {
      teamId: 'T0CHINA',
      enterprise: { id: 'E0TOOLGATE', name: 'Example Corp', teams: ['T0TOOLGATE', 'T0CHINA'] },
    });
    const res = await client.users.info({ user: 'W0XIAO' });
    expect(res.user).toMatchObject({
      team_id: 'T0CHINA',
      profile: { team: 'T0CHINA' },
      enterprise_user: {
        id: 'W0XIAO',
        enterprise_id: 'E0TOOLGATE',
        enterprise_name: 'Example Corp',
        teams: ['T0TOOLGATE', 'T0CHINA'],
      },
    });
  });

  it('refuses as Slack does: user_not_found, missing_scope (naming it), invalid_auth for a foreign token', async () => {
    await expect(client.users.info({ user: 'nobody' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    const noScope = await standInWith({ botTokenScopes: ['chat:write', 'commands'] });
    expect(await call(noScope, 'users.info', { user: 'U0BOB' })).toEqual({
      ok: false,
      error: 'missing_scope',
      needed: 'users:read',
      provided: 'chat:write,commands',
    });
    expect(await call(noScope, 'users.profile.get', { user: 'U0BOB' })).toMatchObject({
      error: 'missing_scope',
      needed: 'users.profile:read',
    });
    expect(await call(noScope, 'team.profile.get')).toMatchObject({
      error: 'missing_scope',
      needed: 'users.profile:read',
    });
    expect(await call(noScope, 'usergroups.list')).toMatchObject({ error: 'missing_scope', needed: 'usergroups:read' });
    expect(await call(noScope, 'usergroups.users.list', { usergroup: 'S1' })).toMatchObject({
      error: 'missing_scope',
      needed: 'usergroups:read',
    });
    const locked = await standInWith({ requiredToken: 'xoxb-the-app' });
    expect(await call(locked, 'users.profile.get', { user: 'U0BOB' }, 'xoxb-someone-else')).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
    expect(await call(locked, 'users.profile.get', { user: 'U0BOB' }, 'xoxb-the-app')).toMatchObject({ ok: true });
  });
});

describe('custom profile fields: users.profile.get and team.profile.get', () => {
  it('users.profile.get has the values by field id, with their labels when asked', async () => {
    standIn.setProfileFields(EXAMPLE_PROFILE_FIELDS);
    standIn.setUser('U0ALICE', { email: 'alice@example.cn', fields: { Office: 'Hangzhou', Xf0DEPT: 'Engineering' } });
    const res = await client.users.profile.get({ user: 'U0ALICE' });
    expect(res.profile?.fields).toEqual({
      Xf0OFFICE: { value: 'Hangzhou', alt: '' },
      Xf0DEPT: { value: 'Engineering', alt: '' },
    });
    expect(res.profile?.email).toBe('alice@example.cn');
    const labelled = await client.users.profile.get({ user: 'U0ALICE', include_labels: true });
    expect(labelled.profile?.fields?.Xf0OFFICE).toEqual({ value: 'Hangzhou', alt: '', label: 'Office' });
    // A field cleared is gone, as Slack leaves empty fields out.
    standIn.setUser('U0ALICE', { fields: { Department: '' } });
    expect(Object.keys((await client.users.profile.get({ user: 'U0ALICE' })).profile?.fields ?? {})).toEqual([
      'Xf0OFFICE',
    ]);
    await expect(client.users.profile.get({ user: 'bad' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
    // Without `user`: the token's own user, the bot.
    expect((await client.users.profile.get({})).profile?.display_name).toBe('toolgate');
  });

  it('team.profile.get lists the definitions: id, label, type, options, order; visibility filters', async () => {
    standIn.setProfileFields([...EXAMPLE_PROFILE_FIELDS, { id: 'Xf0BADGE', label: 'Badge number', hidden: true }]);
    const res = await client.team.profile.get();
    expect(res.profile?.fields).toEqual([
      {
        id: 'Xf0OFFICE',
        ordering: 0,
        label: 'Office',
        hint: 'Where you work from (from the HR system)',
        type: 'options_list',
        possible_values: ['Hangzhou', 'Beijing', 'Shanghai', 'Shenzhen', 'Berlin', 'London', 'New York', 'Singapore'],
        options: { is_scim: true, is_protected: true },
      },
      {
        id: 'Xf0DEPT',
        ordering: 1,
        label: 'Department',
        hint: 'Your department (from the HR system)',
        type: 'text',
        possible_values: null,
        options: { is_scim: true, is_protected: true },
      },
      {
        id: 'Xf0BADGE',
        ordering: 2,
        label: 'Badge number',
        hint: '',
        type: 'text',
        possible_values: null,
        options: null,
        is_hidden: true,
      },
    ]);
    const visible = await client.team.profile.get({ visibility: 'visible' });
    expect(visible.profile?.fields?.map((f) => f.id)).toEqual(['Xf0OFFICE', 'Xf0DEPT']);
    const hidden = await client.team.profile.get({ visibility: 'hidden' });
    expect(hidden.profile?.fields?.map((f) => f.id)).toEqual(['Xf0BADGE']);
    expect(await call(standIn, 'team.profile.get', { visibility: 'some' })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
  });

  it('set-up mistakes are thrown, not stored: an unknown field, a value the options list lacks', () => {
    standIn.setProfileFields(EXAMPLE_PROFILE_FIELDS);
    expect(() => standIn.setUser('U0X', { fields: { Ofice: 'Hangzhou' } })).toThrow(/no profile field "Ofice"/);
    expect(() => standIn.setUser('U0X', { fields: { Office: 'Atlantis' } })).toThrow(/not one of Office's options/);
    expect(() => standIn.setUser('U0X', { tz: 'Mars/Olympus' })).toThrow(/no time zone/);
  });
});

describe('user groups: usergroups.list and usergroups.users.list', () => {
  it('lists groups, with members and counts only when asked, the disabled ones only with include_disabled', async () => {
    standIn.setUsergroup('S0SECGRP', {
      handle: 'security-review',
      name: 'Security review',
      users: ['U0SEC1', 'U0SEC2'],
    });
    standIn.setUsergroup('S0OLDGRP', { handle: 'old-team', users: ['U0X'], disabled: true });
    const plain = await client.usergroups.list();
    expect(plain.usergroups).toHaveLength(1);
    expect(plain.usergroups?.[0]).toMatchObject({
      id: 'S0SECGRP',
      team_id: 'T0TOOLGATE',
      is_usergroup: true,
      handle: 'security-review',
      name: 'Security review',
      date_delete: 0,
    });
    expect(plain.usergroups?.[0]).not.toHaveProperty('users');
    expect(plain.usergroups?.[0]).not.toHaveProperty('user_count');
    const full = await client.usergroups.list({ include_users: true, include_count: true, include_disabled: true });
    expect(full.usergroups?.map((g) => [g.id, g.users, g.user_count])).toEqual([
      ['S0SECGRP', ['U0SEC1', 'U0SEC2'], 2],
      ['S0OLDGRP', ['U0X'], 1],
    ]);
  });

  it("lists one group's members by id; a handle is not an id; a disabled group needs include_disabled", async () => {
    standIn.setUsergroup('S0SECGRP', { handle: 'security-review', users: ['U0SEC1', 'U0SEC2'] });
    standIn.setUsergroup('S0OLDGRP', { handle: 'old-team', users: ['U0X'], disabled: true });
    expect((await client.usergroups.users.list({ usergroup: 'S0SECGRP' })).users).toEqual(['U0SEC1', 'U0SEC2']);
    await expect(client.usergroups.users.list({ usergroup: '@security-review' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
    await expect(client.usergroups.users.list({ usergroup: 'S0OLDGRP' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
    expect((await client.usergroups.users.list({ usergroup: 'S0OLDGRP', include_disabled: true })).users).toEqual([
      'U0X',
    ]);
    expect(await call(standIn, 'usergroups.users.list')).toMatchObject({ ok: false, error: 'invalid_arguments' });
    // The handle finds the group for a test, as a person would find it in Slack.
    expect(standIn.usergroup('@security-review')?.id).toBe('S0SECGRP');
  });
});

describe('failures apply to the directory methods as to every other', () => {
  it('500, Slack errors and down', async () => {
    standIn.failNext(1, { status: 500 }, ['users.info']);
    await expect(client.users.info({ user: 'U0BOB' })).rejects.toMatchObject({ statusCode: 500 });
    expect((await client.users.info({ user: 'U0BOB' })).ok).toBe(true);
    standIn.failNext(1, { error: 'user_not_found' }, ['users.profile.get']);
    await expect(client.users.profile.get({ user: 'U0BOB' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
    standIn.setDown(true);
    await expect(client.usergroups.users.list({ usergroup: 'S1' })).rejects.toMatchObject({ statusCode: 503 });
    await expect(client.team.profile.get()).rejects.toMatchObject({ statusCode: 503 });
    standIn.setDown(false);
  });

  it('slow: a client that stops waiting gets no answer; the next call is on time', async () => {
    standIn.slowNext(1, 400, ['users.info']);
    const hasty = clientFor(standIn, { timeout: 100 });
    await expect(hasty.users.info({ user: 'U0BOB' })).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect((await hasty.users.info({ user: 'U0BOB' })).ok).toBe(true);
  });
});

describe('changes Slack tells the app about', () => {
  it('a profile edit: user_change and user_profile_changed, each with the full user', () => {
    standIn.setUser('U0JUN', { name: 'liu.jun', tz: 'Europe/Berlin', email: 'liu.jun@example.com' });
    const seen: JsonObject[] = [];
    const stop = standIn.onChange((c) => c.kind === 'event' && seen.push(c.event));
    const { value, events } = standIn.changeUser('U0JUN', { tz: 'Asia/Shanghai' });
    stop();
    expect(value.tz).toBe('Asia/Shanghai');
    expect(events.map((e) => e.type)).toEqual(['user_change', 'user_profile_changed']);
    expect(events[0]).toMatchObject({
      type: 'user_change',
      user: {
        id: 'U0JUN',
        team_id: 'T0TOOLGATE',
        name: 'liu.jun',
        tz: 'Asia/Shanghai',
        tz_label: 'China Standard Time',
        tz_offset: 28800,
        locale: 'en-US',
        profile: { email: 'liu.jun@example.com', fields: null },
      },
    });
    expect(typeof events[0]?.cache_ts).toBe('number');
    expect(events[0]?.event_ts).toMatch(/^\d+\.\d{6}$/);
    expect(seen).toEqual(events);
  });

  it('only custom fields changed: Slack sends nothing, but users.profile.get has the new value', async () => {
    standIn.setProfileFields(EXAMPLE_PROFILE_FIELDS);
    standIn.setUser('U0TOM', { fields: { Office: 'Berlin' } });
    const { events } = standIn.changeUser('U0TOM', { fields: { Office: 'Shanghai' } });
    expect(events).toEqual([]);
    expect((await client.users.profile.get({ user: 'U0TOM' })).profile?.fields?.Xf0OFFICE?.value).toBe('Shanghai');
    expect(standIn.changeUser('U0TOM', { tz: 'Europe/Berlin' }).events).toEqual([]); // no change at all
  });

  it('a group change: subteam_members_changed with who came and went, and subteam_updated', () => {
    standIn.setUsergroup('S0SECGRP', { handle: 'security-review', users: ['U0SEC1', 'U0SEC2'] });
    const before = standIn.usergroup('S0SECGRP');
    const { value, events } = standIn.changeUsergroupMembers('S0SECGRP', ['U0SEC2', 'U0JONAS']);
    expect(value.users).toEqual(['U0SEC2', 'U0JONAS']);
    expect(events.map((e) => e.type)).toEqual(['subteam_members_changed', 'subteam_updated']);
    expect(events[0]).toEqual({
      type: 'subteam_members_changed',
      subteam_id: 'S0SECGRP',
      team_id: 'T0TOOLGATE',
      date_previous_update: before?.date_update,
      date_update: value.date_update,
      added_users: ['U0JONAS'],
      added_users_count: 1,
      removed_users: ['U0SEC1'],
      removed_users_count: 1,
      event_ts: events[0]?.event_ts,
    });
    expect(events[1]).toMatchObject({ subteam: { id: 'S0SECGRP', users: ['U0SEC2', 'U0JONAS'], user_count: 2 } });
    expect(standIn.changeUsergroupMembers('S0SECGRP', ['U0JONAS', 'U0SEC2']).events).toEqual([]);
    expect(() => standIn.changeUsergroupMembers('S0NOPE', [])).toThrow(/no user group S0NOPE/);
  });

  it('only what the app subscribes to and has the scopes for is sent; the email needs users:read.email', async () => {
    const app = await standInWith({
      botEvents: ['user_change', 'subteam_members_changed'],
      botTokenScopes: ['users:read', 'usergroups:read'],
    });
    app.setUser('U0LIN', { email: 'lin@example.cn' });
    const [change, ...others] = app.changeUser('U0LIN', { title: 'Buyer' }).events;
    expect(others).toEqual([]);
    expect(change).toMatchObject({ type: 'user_change' });
    expect((change?.user as JsonObject).profile).not.toHaveProperty('email');
    app.setUsergroup('S0G', { users: ['U1'] });
    expect(app.changeUsergroupMembers('S0G', ['U2']).events.map((e) => e.type)).toEqual(['subteam_members_changed']);
    const blind = await standInWith({ botTokenScopes: ['chat:write'] });
    blind.setUsergroup('S0G', { users: ['U1'] });
    expect(blind.changeUser('U0LIN', { title: 'x' }).events).toEqual([]);
    expect(blind.changeUsergroupMembers('S0G', ['U2']).events).toEqual([]);
  });
});

describe('the driver delivers directory events to a Bolt app', () => {
  const SECRET = 'directory-events-secret';
  let httpApp: App;
  let socketApp: App;
  let httpUrl = '';
  const heard: Array<{ via: string; event: JsonObject; teamId: string | undefined }> = [];

  const listen = (app: App, via: string) => {
    for (const type of ['user_change', 'subteam_members_changed'] as const) {
      app.event(type, ({ event, body }) => {
        heard.push({ via, event: event as unknown as JsonObject, teamId: body.team_id });
        return Promise.resolve();
      });
    }
  };

  beforeAll(async () => {
    const logger = silentLogger();
    httpApp = new App({
      token: 'xoxb-directory',
      receiver: new HTTPReceiver({ signingSecret: SECRET, logger }),
      logger,
      clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
    });
    listen(httpApp, 'http');
    const server = (await httpApp.start({ port: 0, host: '127.0.0.1' })) as Server;
    httpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    socketApp = new App({
      token: 'xoxb-directory',
      receiver: new SocketModeReceiver({
        appToken: 'xapp-1-directory',
        logger,
        installerOptions: { clientOptions: { slackApiUrl: standIn.apiUrl } },
      }),
      logger,
      clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
    });
    listen(socketApp, 'socket');
    await socketApp.start();
    await standIn.waitFor(() => standIn.socketConnections() === 1, 10_000, 'the Socket Mode connection');
  });

  afterAll(async () => {
    await httpApp.stop();
    await socketApp.stop();
  });

  it('over HTTP: a profile edit and a group change, signed as Slack signs them', async () => {
    heard.length = 0;
    const driver = createSlackDriver({ botUrl: httpUrl, signingSecret: SECRET, standIn });
    standIn.setUsergroup('S0SECGRP', { handle: 'security-review', users: ['U0SEC1'] });
    const profile = await driver.changeUser('U0JUN', { tz: 'Asia/Shanghai' });
    expect(profile.responses.map((r) => r.status)).toEqual([200, 200]);
    expect(profile.responses[0]?.payload).toMatchObject({ type: 'event_callback', team_id: 'T0TOOLGATE' });
    const group = await driver.changeUsergroupMembers('S0SECGRP', ['U0SEC1', 'U0SEC2']);
    expect(group.events.map((e) => e.type)).toEqual(['subteam_members_changed', 'subteam_updated']);
    await standIn.waitFor(() => heard.length === 2);
    expect(heard).toMatchObject([
      { via: 'http', event: { type: 'user_change', user: { id: 'U0JUN', tz: 'Asia/Shanghai' } } },
      { via: 'http', event: { type: 'subteam_members_changed', added_users: ['U0SEC2'], removed_users: [] } },
    ]);
  });

  it('over Socket Mode, from a Grid workspace', async () => {
    heard.length = 0;
    const driver = createSlackDriver({
      botUrl: 'unused-in-socket-mode',
      signingSecret: SECRET,
      standIn,
      socketMode: true,
      teamId: 'T0CHINA',
      enterpriseId: 'E0TOOLGATE',
    });
    const change = await driver.changeUser('W0XIAO', { title: 'Field engineer' });
    expect(change.responses.map((r) => r.status)).toEqual([200, 200]);
    await standIn.waitFor(() => heard.length === 1);
    expect(heard).toMatchObject([{ via: 'socket', teamId: 'T0CHINA', event: { user: { id: 'W0XIAO' } } }]);
  });
});

describe('the example directory', () => {
  /** The example rules, as the registry will hold them. */
  const RULES: RegionRule[] = [
    {
      match: { kind: 'field', field: 'Office', values: ['Hangzhou', 'Beijing', 'Shanghai', 'Shenzhen'] },
      region: 'cn',
      department: null,
      departmentField: null,
    },
    { match: { kind: 'tz', zones: ['Asia/Shanghai'] }, region: 'cn', department: null, departmentField: null },
    { match: { kind: 'email_domain', domains: ['example.cn'] }, region: 'cn', department: null, departmentField: null },
    { match: { kind: 'team', teams: ['T0CHINA'] }, region: 'cn', department: null, departmentField: 'Department' },
  ];

  /** What the bot will read for a person: users.info, users.profile.get and team.profile.get, as Slack answers them. */
  async function factsOf(user: string, teamId: string): Promise<DirectoryFacts> {
    const info = (await client.users.info({ user })).user;
    const profile = (await client.users.profile.get({ user })).profile;
    const team = (await client.team.profile.get()).profile;
    return {
      teamId,
      user: {
        tz: info?.tz ?? null,
        email: info?.profile?.email ?? null,
        standard: { title: info?.profile?.title ?? '' },
      },
      fields: {
        values: Object.fromEntries(Object.entries(profile?.fields ?? {}).map(([id, f]) => [id, f.value ?? ''])),
        labels: Object.fromEntries((team?.fields ?? []).map((f) => [f.id ?? '', f.label ?? ''])),
      },
    };
  }

  it('every person gets the region the example says, and for the reason it says', async () => {
    seedExampleDirectory(standIn);
    for (const person of EXAMPLE_PEOPLE) {
      const teamId = person.teamId ?? 'T0TOOLGATE';
      const r = resolveRegion({
        rules: RULES,
        person: null,
        facts: await factsOf(person.id, teamId),
        defaultRegion: 'global',
      });
      expect([person.id, r.region], person.name).toEqual([person.id, person.profileRegion]);
      const decided = r.source.kind === 'rule' ? r.source.fact.kind : 'nothing';
      expect([person.id, decided]).toEqual([person.id, person.decidedBy === 'Office' ? 'field' : person.decidedBy]);
    }
    const xiao = await factsOf('W0XIAO', EXAMPLE_ENTERPRISE.chinaTeamId);
    expect(resolveRegion({ rules: RULES, person: null, facts: xiao, defaultRegion: 'global' }).department).toBe(
      'Field service',
    );
  });

  it("has people the registry does not list, and a user group per approver group with the registry's members", async () => {
    seedExampleDirectory(standIn);
    const outside = EXAMPLE_PEOPLE.filter((p) => !p.inRegistry);
    expect(outside.map((p) => p.profileRegion)).toEqual(expect.arrayContaining(['cn', 'global']));
    const groups = await client.usergroups.list({ include_users: true });
    expect(groups.usergroups?.map((g) => [g.id, g.handle, g.users])).toEqual(
      EXAMPLE_USERGROUPS.map((g) => [g.id, g.handle, g.users]),
    );
    expect(standIn.getUser('U0ALICE')).toMatchObject({ real_name: 'Alice Chen', name: 'alice.chen' });
  });
});
