import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';

const { WebClient } = webApi;
import { createSlackDriver, SlackClientValidationError, type SlackDriver } from '../../src/standIn/driver.ts';
import { startSlackStandIn, type SlackStandIn, type StoredView } from '../../src/standIn/server.ts';
import { verifySlackSignature } from '../../src/standIn/signing.ts';
import { silentLogger } from './silentLogger.ts';

const SECRET = 'test-signing-secret';

interface Received {
  contentType: string | undefined;
  rawBody: string;
  body: unknown;
  signature: ReturnType<typeof verifySlackSignature>;
}

/** A tiny app endpoint: verifies the signature, parses the body like Bolt does, echoes it. */
let received: Received[] = [];
let nextReply: { status?: number; body?: string; contentType?: string } | undefined;
let echo: Server;
let botUrl: string;
let standIn: SlackStandIn;
let driver: SlackDriver;
let client: webApi.WebClient;

beforeAll(async () => {
  echo = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const contentType = req.headers['content-type'];
      const signature = verifySlackSignature(SECRET, rawBody, {
        timestamp: req.headers['x-slack-request-timestamp'] as string | undefined,
        signature: req.headers['x-slack-signature'] as string | undefined,
      });
      let body: unknown;
      if (contentType === 'application/x-www-form-urlencoded') {
        const form = Object.fromEntries(new URLSearchParams(rawBody));
        body = typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
      } else {
        body = JSON.parse(rawBody);
      }
      received.push({ contentType, rawBody, body, signature });
      if (!signature.ok) {
        res.writeHead(401);
        res.end();
        return;
      }
      const reply = nextReply;
      nextReply = undefined;
      res.writeHead(reply?.status ?? 200, reply?.contentType ? { 'content-type': reply.contentType } : {});
      res.end(reply?.body ?? '');
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  botUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/slack/events`;
  standIn = await startSlackStandIn();
  driver = createSlackDriver({ botUrl, signingSecret: SECRET, standIn });
  client = new WebClient('xoxb-test', {
    slackApiUrl: standIn.apiUrl,
    retryConfig: { retries: 0 },
    logger: silentLogger(),
  });
});

afterEach(() => {
  received = [];
  nextReply = undefined;
  standIn.reset();
});

afterAll(async () => {
  await standIn.close();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

const last = (): Received => {
  const r = received.at(-1);
  if (!r) throw new Error('nothing received');
  return r;
};

const approvalBlocks = [
  { type: 'section', block_id: 'summary', text: { type: 'mrkdwn', text: 'Ada wants *Claude*' } },
  {
    type: 'actions',
    block_id: 'decide',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        text: { type: 'plain_text', text: 'Approve' },
        value: 'req-1',
        style: 'primary',
      },
      {
        type: 'button',
        action_id: 'deny',
        text: { type: 'plain_text', text: 'Deny' },
        value: 'req-1',
        style: 'danger',
      },
    ],
  },
];

const requestModal = {
  type: 'modal' as const,
  callback_id: 'request_exception',
  private_metadata: '{"tool":"claude"}',
  title: { type: 'plain_text' as const, text: 'Request exception' },
  submit: { type: 'plain_text' as const, text: 'Send' },
  close: { type: 'plain_text' as const, text: 'Cancel' },
  blocks: [
    {
      type: 'input',
      block_id: 'purpose',
      label: { type: 'plain_text', text: 'Purpose' },
      element: { type: 'plain_text_input', action_id: 'purpose_input', multiline: true },
    },
    {
      type: 'input',
      block_id: 'data_class',
      label: { type: 'plain_text', text: 'Data' },
      element: {
        type: 'static_select',
        action_id: 'data_select',
        options: [
          { text: { type: 'plain_text', text: 'Public' }, value: 'public' },
          { text: { type: 'plain_text', text: 'Confidential' }, value: 'confidential' },
        ],
      },
    },
    {
      type: 'input',
      block_id: 'seats',
      label: { type: 'plain_text', text: 'Seats' },
      element: { type: 'number_input', action_id: 'seats_input', is_decimal_allowed: false, min_value: '1' },
    },
    {
      type: 'input',
      block_id: 'until',
      optional: true,
      label: { type: 'plain_text', text: 'Until' },
      element: { type: 'datepicker', action_id: 'until_date' },
    },
    {
      type: 'actions',
      block_id: 'more',
      elements: [{ type: 'button', action_id: 'help', text: { type: 'plain_text', text: 'Help' } }],
    },
  ],
};

async function openModal(user: string): Promise<StoredView> {
  const res = await client.views.open({ trigger_id: standIn.newTriggerId(user), view: requestModal });
  const view = standIn.viewOf(res.view?.id ?? '');
  if (!view) throw new Error('no view');
  return view;
}

describe('driver: slash commands', () => {
  it('sends a signed form body shaped like Slack’s', async () => {
    standIn.setUser('U1', { name: 'ada' });
    const res = await driver.command({ user: 'U1', text: 'claude' });
    expect(res.status).toBe(200);
    const r = last();
    expect(r.contentType).toBe('application/x-www-form-urlencoded');
    expect(r.signature).toEqual({ ok: true });
    expect(r.body).toEqual({
      token: expect.any(String),
      team_id: 'T0TOOLGATE',
      team_domain: 'toolgate',
      channel_id: 'C0GENERAL',
      channel_name: 'general',
      user_id: 'U1',
      user_name: 'ada',
      command: '/can-i-use',
      text: 'claude',
      api_app_id: 'A0TOOLGATE',
      is_enterprise_install: 'false',
      response_url: res.responseUrl,
      trigger_id: res.triggerId,
    });
    expect(res.responseUrl.startsWith(`${standIn.url}response/`)).toBe(true);
    // the trigger id opens a modal for that user
    await client.views.open({ trigger_id: res.triggerId, view: requestModal });
    expect(standIn.openViews('U1')).toHaveLength(1);
  });

  it('shows a non-empty ack body as Slack does', async () => {
    nextReply = { body: 'Checking…' };
    const res = await driver.command({ user: 'U1', text: 'x' });
    expect(standIn.ephemerals('U1')).toMatchObject([{ text: 'Checking…', via: 'ack', channel: 'C0GENERAL' }]);
    nextReply = {
      body: JSON.stringify({ response_type: 'in_channel', text: 'Claude is allowed' }),
      contentType: 'application/json',
    };
    await driver.command({ user: 'U1', text: 'x', responseUrl: res.responseUrl });
    expect(standIn.messages('C0GENERAL')).toMatchObject([{ text: 'Claude is allowed' }]);
    // an empty ack shows nothing
    await driver.command({ user: 'U2', text: 'x' });
    expect(standIn.ephemerals('U2')).toEqual([]);
  });

  it('lets tests forge stale or bad signatures', async () => {
    const stale = await driver.command({ user: 'U1', timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status).toBe(401);
    expect(last().signature).toEqual({ ok: false, reason: 'stale_timestamp' });
    const forged = await driver.command({ user: 'U1', signature: 'v0=deadbeef' });
    expect(forged.status).toBe(401);
    expect(last().signature).toEqual({ ok: false, reason: 'bad_signature' });
    const unsigned = await driver.command({ user: 'U1', unsigned: true });
    expect(unsigned.status).toBe(401);
  });
});

describe('driver: block actions', () => {
  it('clicks a button in a channel message with the payload Slack sends', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0APPROVERS', text: 'approve?', blocks: approvalBlocks });
    const message = standIn.messages('C0APPROVERS')[0];
    if (!message) throw new Error('no message');
    standIn.setUser('U9', { name: 'grace' });
    await driver.clickButton({ user: 'U9', inMessage: message, actionId: 'approve' });
    const r = last();
    expect(r.signature).toEqual({ ok: true });
    expect(r.body).toMatchObject({
      type: 'block_actions',
      user: { id: 'U9', username: 'grace', name: 'grace', team_id: 'T0TOOLGATE' },
      api_app_id: 'A0TOOLGATE',
      token: expect.any(String),
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C0APPROVERS', is_ephemeral: false },
      trigger_id: expect.stringMatching(/\S/),
      team: { id: 'T0TOOLGATE', domain: 'toolgate' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0APPROVERS', name: expect.any(String) },
      message: { type: 'message', ts: posted.ts, text: 'approve?', bot_id: 'B0TOOLGATE', blocks: message.blocks },
      state: { values: {} },
      response_url: expect.stringContaining(`${standIn.url}response/`),
      actions: [
        {
          action_id: 'approve',
          block_id: 'decide',
          text: { type: 'plain_text', text: 'Approve', emoji: true },
          value: 'req-1',
          style: 'primary',
          type: 'button',
          action_ts: expect.stringMatching(/^\d+\.\d+$/),
        },
      ],
    });

    // its response_url edits that message
    const body = r.body as { response_url: string };
    await fetch(body.response_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Approved by grace' }),
    });
    expect(standIn.messages('C0APPROVERS')).toMatchObject([{ ts: posted.ts, text: 'Approved by grace', blocks: [] }]);
  });

  it('finds buttons by label and refuses ambiguous or missing ones', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 't', blocks: approvalBlocks });
    const message = standIn.messages('C1')[0];
    if (!message) throw new Error('no message');
    await driver.clickButton({ user: 'U1', inMessage: message, label: 'Deny' });
    expect((last().body as { actions: { action_id: string }[] }).actions[0]?.action_id).toBe('deny');
    await expect(driver.clickButton({ user: 'U1', inMessage: message, actionId: 'nope' })).rejects.toThrow(
      /no element matching.*decide\/approve/,
    );
  });

  it('clicks a button in an ephemeral that came from a command response_url, carrying that response_url', async () => {
    const cmd = await driver.command({ user: 'U1', text: 'claude' });
    await fetch(cmd.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Not allowed', blocks: approvalBlocks }),
    });
    const eph = standIn.ephemerals('U1')[0];
    if (!eph) throw new Error('no ephemeral');
    await driver.clickButton({ user: 'U1', inMessage: eph, actionId: 'approve' });
    const body = last().body as Record<string, unknown>;
    expect(body.container).toEqual({
      type: 'message',
      message_ts: eph.ts,
      channel_id: 'C0GENERAL',
      is_ephemeral: true,
    });
    expect(body.response_url).toBe(cmd.responseUrl);
    expect(body.message).toBeUndefined();

    // same thing addressed by response URL
    await driver.clickButton({
      user: 'U1',
      inMessage: { ephemeralFrom: cmd.responseUrl, blocks: eph.blocks },
      actionId: 'deny',
    });
    expect((last().body as Record<string, unknown>).response_url).toBe(cmd.responseUrl);

    // replace_original on it replaces the ephemeral
    await fetch(cmd.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Request sent' }),
    });
    expect(standIn.ephemerals('U1')).toMatchObject([{ ts: eph.ts, text: 'Request sent' }]);
  });

  it('clicks buttons in App Home and modals with container type view', async () => {
    await client.views.publish({
      user_id: 'U1',
      view: {
        type: 'home',
        blocks: [
          {
            type: 'actions',
            block_id: 'home_actions',
            elements: [
              { type: 'button', action_id: 'open_request', text: { type: 'plain_text', text: 'Request a tool' } },
            ],
          },
        ],
      },
    });
    const home = standIn.homeOf('U1');
    if (!home) throw new Error('no home');
    const res = await driver.clickButtonInView({ user: 'U1', view: home, actionId: 'open_request' });
    expect(res.status).toBe(200);
    const body = last().body as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: home.id },
      view: { id: home.id, type: 'home', hash: home.hash },
      actions: [{ action_id: 'open_request', block_id: 'home_actions', type: 'button' }],
    });
    expect(body.response_url).toBeUndefined();
    // the trigger id in it can open a modal
    await client.views.open({ trigger_id: res.triggerId, view: requestModal });
    expect(standIn.openViews('U1')).toHaveLength(1);

    const modal = standIn.openViews('U1')[0];
    if (!modal) throw new Error('no modal');
    await driver.clickButtonInView({ user: 'U1', view: modal.id, actionId: 'help', values: { purpose: 'drafts' } });
    expect(last().body).toMatchObject({
      container: { type: 'view', view_id: modal.id },
      view: { state: { values: { purpose: { purpose_input: { type: 'plain_text_input', value: 'drafts' } } } } },
    });
  });
});

describe('driver: view submissions', () => {
  it('builds state values from the view’s elements', async () => {
    const view = await openModal('U1');
    nextReply = { body: '' };
    await driver.viewSubmission({
      user: 'U1',
      view,
      values: { purpose: 'Summarise public docs', data_class: 'confidential', seats: { seats_input: 3 } },
    });
    const r = last();
    expect(r.signature).toEqual({ ok: true });
    expect(r.body).toMatchObject({
      type: 'view_submission',
      team: { id: 'T0TOOLGATE', domain: 'toolgate' },
      user: { id: 'U1', team_id: 'T0TOOLGATE' },
      api_app_id: 'A0TOOLGATE',
      token: expect.any(String),
      trigger_id: expect.any(String),
      response_urls: [],
      view: {
        id: view.id,
        type: 'modal',
        callback_id: 'request_exception',
        private_metadata: '{"tool":"claude"}',
        hash: view.hash,
        title: { type: 'plain_text', text: 'Request exception' },
        submit: { type: 'plain_text', text: 'Send' },
        close: { type: 'plain_text', text: 'Cancel' },
        blocks: view.blocks,
        state: {
          values: {
            purpose: { purpose_input: { type: 'plain_text_input', value: 'Summarise public docs' } },
            data_class: {
              data_select: {
                type: 'static_select',
                selected_option: { text: { type: 'plain_text', text: 'Confidential' }, value: 'confidential' },
              },
            },
            seats: { seats_input: { type: 'number_input', value: '3' } },
            until: { until_date: { type: 'datepicker', selected_date: null } },
          },
        },
      },
    });
    // an empty ack closes the modal
    expect(standIn.openViews('U1')).toEqual([]);
  });

  it('returns the bot’s response_action and keeps the modal open on errors', async () => {
    const view = await openModal('U1');
    nextReply = {
      body: JSON.stringify({ response_action: 'errors', errors: { purpose: 'Tell us more' } }),
      contentType: 'application/json',
    };
    const res = await driver.viewSubmission({
      user: 'U1',
      view,
      values: { purpose: 'x', data_class: 'Public', seats: 1, until: '2030-01-31' },
    });
    expect(res.json).toEqual({ response_action: 'errors', errors: { purpose: 'Tell us more' } });
    expect(standIn.openViews('U1').map((v) => v.id)).toEqual([view.id]);
    expect(standIn.viewErrors(view.id)).toEqual({ purpose: 'Tell us more' });
    const state = (last().body as { view: StoredView }).view.state.values;
    expect(state.until?.until_date).toEqual({ type: 'datepicker', selected_date: '2030-01-31' });

    nextReply = {
      body: JSON.stringify({
        response_action: 'update',
        view: { ...requestModal, title: { type: 'plain_text', text: 'Sent!' }, blocks: [] },
      }),
      contentType: 'application/json',
    };
    await driver.viewSubmission({
      user: 'U1',
      view: view.id,
      values: { purpose: 'more', data_class: 'public', seats: 1 },
    });
    expect(standIn.openViews('U1')).toMatchObject([{ id: view.id, title: { text: 'Sent!' } }]);
  });

  it('refuses what a Slack client would not submit, unless told to skip that', async () => {
    const view = await openModal('U1');
    await expect(
      driver.viewSubmission({ user: 'U1', view, values: { purpose: 'x', data_class: 'public' } }),
    ).rejects.toThrow(SlackClientValidationError);
    await expect(
      driver.viewSubmission({ user: 'U1', view, values: { purpose: 'x', data_class: 'public', seats: '1.5' } }),
    ).rejects.toThrow(/seats.*whole number/);
    await expect(driver.viewSubmission({ user: 'U1', view, values: { nope: 'x' } })).rejects.toThrow(
      /no block with block_id nope/,
    );
    await expect(driver.viewSubmission({ user: 'U1', view, values: { data_class: 'secret' } })).rejects.toThrow(
      /no option/,
    );
    expect(received).toEqual([]);
    await driver.viewSubmission({ user: 'U1', view, values: {}, skipClientValidation: true });
    expect(received).toHaveLength(1);
  });

  it('sends view_closed', async () => {
    const view = await openModal('U1');
    await driver.viewClosed({ user: 'U1', view });
    expect(last().body).toMatchObject({
      type: 'view_closed',
      view: { id: view.id },
      is_cleared: false,
      user: { id: 'U1' },
    });
    expect(standIn.openViews('U1')).toEqual([]);
  });
});

describe('driver: events', () => {
  it('sends app_home_opened as a signed JSON event_callback', async () => {
    await driver.appHomeOpened('U1');
    const r = last();
    expect(r.contentType).toBe('application/json');
    expect(r.signature).toEqual({ ok: true });
    expect(r.body).toMatchObject({
      token: expect.any(String),
      team_id: 'T0TOOLGATE',
      api_app_id: 'A0TOOLGATE',
      type: 'event_callback',
      event_id: expect.stringMatching(/^Ev/),
      event_time: expect.any(Number),
      event: { type: 'app_home_opened', user: 'U1', channel: 'DU1', tab: 'home', event_ts: expect.any(String) },
      authorizations: [{ team_id: 'T0TOOLGATE', user_id: 'U0TOOLGATEBOT', is_bot: true }],
    });
  });

  it('includes the published home view, and sends DMs as message events', async () => {
    await client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } });
    await driver.event({ type: 'app_home_opened', user: 'U1', tab: 'home' });
    expect((last().body as { event: { view?: { id: string } } }).event.view?.id).toBe(standIn.homeOf('U1')?.id);

    const dm = await driver.directMessage({ user: 'U1', text: 'can I use claude?' });
    expect(last().body).toMatchObject({
      event: {
        type: 'message',
        channel_type: 'im',
        channel: 'DU1',
        user: 'U1',
        text: 'can I use claude?',
        ts: dm.message.ts,
      },
    });
    expect(standIn.messages('U1')).toMatchObject([{ text: 'can I use claude?', user: 'U1', via: 'user' }]);
  });
});
