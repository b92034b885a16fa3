/**
 * End to end with a real Bolt app (HTTPReceiver) wired to the stand-in: shows that the driver's
 * requests pass Bolt's signature checks and parsing, and that what Bolt sends back (ack bodies,
 * respond(), client calls) lands in the stand-in as Slack would show it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App, HTTPReceiver } from '@slack/bolt';
import { createSlackDriver, type SlackDriver } from '../../src/standIn/driver.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/standIn/server.ts';
import { silentLogger } from './silentLogger.ts';

const SECRET = 'bolt-e2e-secret';

let standIn: SlackStandIn;
let driver: SlackDriver;
let app: App;

const button = (actionId: string, text: string, value: string) => ({
  type: 'button' as const,
  action_id: actionId,
  text: { type: 'plain_text' as const, text },
  value,
});

beforeAll(async () => {
  standIn = await startSlackStandIn();
  const logger = silentLogger();
  const receiver = new HTTPReceiver({ signingSecret: SECRET, logger });
  app = new App({
    token: 'xoxb-bolt-e2e',
    receiver,
    logger,
    clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
  });

  app.command('/can-i-use', async ({ ack, respond, command }) => {
    await ack();
    await respond({
      text: `Checking ${command.text}`,
      blocks: [
        { type: 'section', block_id: 'verdict', text: { type: 'mrkdwn', text: `*${command.text}* needs approval` } },
        { type: 'actions', block_id: 'next', elements: [button('request', 'Request exception', command.text)] },
      ],
    });
  });

  app.action('request', async ({ ack, body, client, respond }) => {
    await ack();
    if (body.type !== 'block_actions') return;
    const tool = body.actions[0]?.type === 'button' ? (body.actions[0].value ?? '') : '';
    await respond({ replace_original: true, text: `Opening a request for ${tool}` });
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'exception',
        private_metadata: tool,
        title: { type: 'plain_text', text: 'Request exception' },
        submit: { type: 'plain_text', text: 'Send' },
        blocks: [
          {
            type: 'input',
            block_id: 'purpose',
            label: { type: 'plain_text', text: 'Purpose' },
            element: { type: 'plain_text_input', action_id: 'purpose_input' },
          },
        ],
      },
    });
  });

  app.view('exception', async ({ ack, view, body, client }) => {
    const purpose = view.state.values.purpose?.purpose_input?.value ?? '';
    if (purpose.length < 5) {
      await ack({ response_action: 'errors', errors: { purpose: 'Please say a bit more' } });
      return;
    }
    await ack();
    await client.chat.postMessage({
      channel: 'C0APPROVERS',
      text: `${body.user.id} asks for ${view.private_metadata}: ${purpose}`,
      blocks: [
        {
          type: 'section',
          block_id: 'ask',
          text: { type: 'mrkdwn', text: `<@${body.user.id}> asks for ${view.private_metadata}` },
        },
        { type: 'actions', block_id: 'decide', elements: [button('approve', 'Approve', view.private_metadata)] },
      ],
    });
  });

  app.action('approve', async ({ ack, body, client }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.message || !body.channel) return;
    await client.chat.update({
      channel: body.channel.id,
      ts: body.message.ts,
      text: `Approved by ${body.user.id}`,
      blocks: [],
    });
  });

  app.event('app_home_opened', async ({ event, client }) => {
    await client.views.publish({
      user_id: event.user,
      view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Hi <@${event.user}>` } }] },
    });
  });

  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const { port } = server.address() as AddressInfo;
  driver = createSlackDriver({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, standIn });
});

afterEach(() => {
  standIn.reset();
});

afterAll(async () => {
  await app.stop();
  await standIn.close();
});

describe('stand-in + driver + Bolt', () => {
  it('runs a command → button → modal → approval flow', async () => {
    const cmd = await driver.command({ user: 'U1', text: 'claude' });
    expect(cmd.status).toBe(200);
    const eph = await standIn.waitFor(() => standIn.ephemerals('U1')[0]);
    expect(eph.text).toBe('Checking claude');

    await driver.clickButton({ user: 'U1', inMessage: eph, actionId: 'request' });
    const modal = await standIn.waitFor(() => standIn.openViews('U1')[0], 5000, 'the exception modal');
    expect(standIn.ephemerals('U1')[0]?.text).toBe('Opening a request for claude');
    expect(modal.private_metadata).toBe('claude');

    const tooShort = await driver.viewSubmission({ user: 'U1', view: modal, values: { purpose: 'hm' } });
    expect(tooShort.json).toEqual({ response_action: 'errors', errors: { purpose: 'Please say a bit more' } });
    expect(standIn.openViews('U1')).toHaveLength(1);

    const ok = await driver.viewSubmission({ user: 'U1', view: modal, values: { purpose: 'Summarise public docs' } });
    expect(ok.status).toBe(200);
    expect(standIn.openViews('U1')).toEqual([]);
    const ask = await standIn.waitFor(() => standIn.messages('C0APPROVERS')[0]);
    expect(ask.text).toBe('U1 asks for claude: Summarise public docs');

    await driver.clickButton({ user: 'U2', inMessage: ask, actionId: 'approve' });
    const done = await standIn.waitFor(() => standIn.messages('C0APPROVERS').find((m) => m.edited));
    expect(done.text).toBe('Approved by U2');
  });

  it('publishes the App Home on app_home_opened', async () => {
    const res = await driver.appHomeOpened('U3');
    expect(res.status).toBe(200);
    const home = await standIn.waitFor(() => standIn.homeOf('U3'));
    expect(home.blocks[0]).toMatchObject({ text: { text: 'Hi <@U3>' } });
  });

  it('Bolt rejects stale and forged signatures', async () => {
    const stale = await driver.command({ user: 'U1', text: 'x', timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    const forged = await driver.command({ user: 'U1', text: 'x', signature: 'v0=0000' });
    expect(forged.status).toBe(401);
    expect(standIn.callsTo('response_url')).toEqual([]);
  });
});
