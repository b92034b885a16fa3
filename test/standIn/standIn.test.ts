import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';

const { WebClient } = webApi;
import { startSlackStandIn, type SlackStandIn, type StandInChange } from '../../src/standIn/server.ts';
import { signSlackRequest, verifySlackSignature } from '../../src/standIn/signing.ts';
import { silentLogger } from './silentLogger.ts';

let standIn: SlackStandIn;
let client: webApi.WebClient;

beforeAll(async () => {
  standIn = await startSlackStandIn();
  client = new WebClient('xoxb-test-token', {
    slackApiUrl: standIn.apiUrl,
    retryConfig: { retries: 0 },
    logger: silentLogger(),
  });
});

afterEach(() => {
  standIn.reset();
});

afterAll(async () => {
  await standIn.close();
});

const section = (text: string, blockId?: string) => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text },
});

describe('Slack stand-in: Web API', () => {
  it('has an apiUrl ending with /api/ on a random local port', () => {
    expect(standIn.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(standIn.port).toBeGreaterThan(0);
  });

  it('answers auth.test as the toolgate bot', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({
      ok: true,
      user: 'toolgate',
      team_id: 'T0TOOLGATE',
      user_id: 'U0TOOLGATEBOT',
      bot_id: 'B0TOOLGATE',
    });
    expect(standIn.callsTo('auth.test')[0]).toMatchObject({ token: 'xoxb-test-token', status: 200, ok: true });
  });

  it('posts, updates and lists messages, decoding form-encoded blocks', async () => {
    const posted = await client.chat.postMessage({
      channel: 'C0GENERAL',
      text: 'hello',
      blocks: [section('*hello*', 'b1')],
    });
    expect(posted.ok).toBe(true);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const second = await client.chat.postMessage({ channel: 'C0GENERAL', text: 'second', thread_ts: posted.ts });
    expect(Number(second.ts)).toBeGreaterThan(Number(posted.ts));

    const call = standIn.callsTo('chat.postMessage')[0];
    expect(call?.args.blocks).toEqual([section('*hello*', 'b1')]);

    await client.chat.update({ channel: 'C0GENERAL', ts: posted.ts ?? '', text: 'hello again' });
    const messages = standIn.messages('C0GENERAL');
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ ts: posted.ts, text: 'hello again', channel: 'C0GENERAL' });
    // blocks are kept when an update sends only text, as Slack does
    expect(messages[0]?.blocks[0]?.block_id).toBe('b1');
    expect(messages[0]?.edited?.user).toBe('U0TOOLGATEBOT');
    expect(messages[1]).toMatchObject({ text: 'second', thread_ts: posted.ts });
  });

  it('generates block_ids like Slack when the app leaves them out', async () => {
    const res = await client.chat.postMessage({
      channel: 'C1',
      text: 'x',
      blocks: [
        section('a'),
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' } }] },
      ],
    });
    const [m] = standIn.messages('C1');
    expect(m?.blocks.every((b) => typeof b.block_id === 'string' && b.block_id.length > 0)).toBe(true);
    const message = res.message;
    expect(message?.blocks?.[0]?.block_id).toBe(m?.blocks[0]?.block_id);
  });

  it('answers Slack errors for bad postMessage/update arguments', async () => {
    await expect(client.apiCall('chat.postMessage', { text: 'no channel' })).rejects.toMatchObject({
      data: { ok: false, error: 'channel_not_found' },
    });
    await expect(client.chat.postMessage({ channel: 'C1', text: '' })).rejects.toMatchObject({
      data: { error: 'no_text' },
    });
    await expect(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    await expect(client.apiCall('nonsense.method')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    await expect(
      client.chat.postMessage({ channel: 'C1', text: 'x', blocks: [section('a', 'same'), section('b', 'same')] }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    expect(standIn.messages('C1')).toEqual([]);
  });

  it('treats a user id channel as the bot DM with that user', async () => {
    const res = await client.chat.postMessage({ channel: 'U123', text: 'psst' });
    expect(res.channel).toBe('DU123');
    const open = await client.conversations.open({ users: 'U123' });
    expect(open.channel?.id).toBe('DU123');
    await client.chat.postMessage({ channel: 'DU123', text: 'again' });
    expect(standIn.messages('U123').map((m) => m.text)).toEqual(['psst', 'again']);
    expect(standIn.messages('U123')[0]?.channel).toBe('U123');
    await client.chat.update({ channel: res.channel ?? '', ts: res.ts ?? '', text: 'edited' });
    expect(standIn.messages('DU123')[0]?.text).toBe('edited');
  });

  it('stores ephemerals per user and deletes messages', async () => {
    const eph = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    expect(eph.message_ts).toBeTruthy();
    expect(standIn.ephemerals('U1')).toMatchObject([
      { channel: 'C1', user: 'U1', text: 'only you', ts: eph.message_ts },
    ]);
    expect(standIn.ephemerals('U2')).toEqual([]);
    expect(standIn.messages('C1')).toEqual([]);

    const posted = await client.chat.postMessage({ channel: 'C1', text: 'bye' });
    await client.chat.delete({ channel: 'C1', ts: posted.ts ?? '' });
    expect(standIn.messages('C1')).toEqual([]);
  });

  it('answers users.info with names set by setUser', async () => {
    standIn.setUser('U77', { name: 'ada', realName: 'Ada Lovelace' });
    const res = await client.users.info({ user: 'U77' });
    expect(res.user).toMatchObject({
      id: 'U77',
      name: 'ada',
      real_name: 'Ada Lovelace',
      profile: { real_name: 'Ada Lovelace', display_name: 'ada' },
    });
    await expect(client.users.info({ user: 'not-a-user' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
  });

  it('opens, pushes and updates modals and publishes App Homes', async () => {
    const modal = {
      type: 'modal' as const,
      callback_id: 'ask',
      private_metadata: 'meta',
      title: { type: 'plain_text' as const, text: 'Ask' },
      submit: { type: 'plain_text' as const, text: 'Send' },
      blocks: [
        {
          type: 'input',
          block_id: 'why',
          label: { type: 'plain_text' as const, text: 'Why?' },
          element: { type: 'plain_text_input', action_id: 'why_input' },
        },
      ],
    };
    const trigger = standIn.newTriggerId('U1');
    const opened = await client.views.open({ trigger_id: trigger, view: modal });
    const view = opened.view;
    expect(view?.id).toMatch(/^V/);
    expect(view).toMatchObject({ callback_id: 'ask', private_metadata: 'meta', state: { values: {} } });
    expect(view?.hash).toBeTruthy();
    expect(standIn.openViews('U1').map((v) => v.id)).toEqual([view?.id]);
    expect(standIn.viewOwner(view?.id ?? '')).toBe('U1');

    // a trigger id can be exchanged only once
    await expect(client.views.open({ trigger_id: trigger, view: modal })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });

    await expect(client.views.update({ view_id: view?.id ?? '', hash: 'stale', view: modal })).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    const updated = await client.views.update({
      view_id: view?.id ?? '',
      hash: view?.hash ?? '',
      view: { ...modal, title: { type: 'plain_text', text: 'Ask again' } },
    });
    expect(updated.view?.id).toBe(view?.id);
    expect(standIn.viewOf(view?.id ?? '')?.title?.text).toBe('Ask again');

    const pushed = await client.views.push({ trigger_id: standIn.newTriggerId('U1'), view: modal });
    expect(standIn.openViews('U1').map((v) => v.id)).toEqual([view?.id, pushed.view?.id]);
    expect(pushed.view?.previous_view_id).toBe(view?.id);

    const home = await client.views.publish({
      user_id: 'U1',
      view: { type: 'home', blocks: [section('Welcome', 'welcome')] },
    });
    expect(home.view).toMatchObject({ type: 'home' });
    expect(standIn.homeOf('U1')?.blocks[0]?.block_id).toBe('welcome');
    const again = await client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [section('Hi again')] } });
    expect(again.view?.id).toBe(home.view?.id);
    expect(standIn.homeOf('U2')).toBeUndefined();
  });

  it('rejects a modal Slack would reject', async () => {
    await expect(
      client.views.open({
        trigger_id: standIn.newTriggerId('U1'),
        view: {
          type: 'modal',
          title: { type: 'plain_text', text: 'A title that is far too long for Slack' },
          blocks: [],
        },
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    await expect(
      client.views.open({
        trigger_id: 'made-up',
        view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
  });

  it('accepts JSON bodies too', async () => {
    const res = await fetch(`${standIn.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-json' },
      body: JSON.stringify({ channel: 'C9', text: 'json', blocks: [section('j')] }),
    });
    const body = (await res.json()) as { ok: boolean };
    expect(body.ok).toBe(true);
    expect(standIn.messages('C9')[0]?.text).toBe('json');
    expect(standIn.callsTo('chat.postMessage')[0]?.token).toBe('xoxb-json');
  });

  it('requires a token', async () => {
    const res = await fetch(`${standIn.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'channel=C1&text=hi',
    });
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });
});

describe('Slack stand-in: failure injection', () => {
  it('surfaces failNext 500 as an HTTP error and does not change state', async () => {
    standIn.failNext(1, { status: 500 }, ['chat.postMessage']);
    await client.auth.test(); // other methods are not affected
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 500,
    });
    expect(standIn.messages('C1')).toEqual([]);
    expect(standIn.callsTo('chat.postMessage')[0]).toMatchObject({ status: 500, ok: false });
    // the next one goes through
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(standIn.messages('C1')).toHaveLength(1);
  });

  it('answers 429 with Retry-After', async () => {
    standIn.failNext(1, { status: 429, retryAfter: 7 });
    const raw = await fetch(`${standIn.apiUrl}auth.test`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-x' },
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });

    const strict = new WebClient('xoxb-test', {
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: silentLogger(),
    });
    standIn.failNext(1, { status: 429, retryAfter: 3 });
    await expect(strict.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 3,
    });
    // a client that waits out the limit: with retries: 0 it still fails, after Retry-After seconds
    standIn.failNext(1, { status: 429, retryAfter: 0 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toThrow(/rate limit/i);
    expect(standIn.messages('C1')).toEqual([]);
    expect(standIn.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 429]);
  });

  it('injects Slack error codes with 200 ok:false', async () => {
    standIn.failNext(2, { error: 'channel_not_found' }, ['chat.postMessage']);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'channel_not_found' },
    });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(standIn.messages('C1')).toHaveLength(1);
  });

  it('answers 503 to everything while down', async () => {
    standIn.setDown(true);
    await expect(client.auth.test()).rejects.toMatchObject({ statusCode: 503 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ statusCode: 503 });
    const url = standIn.newResponseUrl({ channel: 'C1', user: 'U1' });
    const hook = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"x"}',
    });
    expect(hook.status).toBe(503);
    standIn.setDown(false);
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(standIn.messages('C1')).toHaveLength(1);
    expect(standIn.calls.map((c) => c.status)).toEqual([503, 503, 503, 200]);
  });

  it('answers late after acting: slowNext for the next calls, setLatency for all', async () => {
    standIn.slowNext(1, 300, ['chat.postMessage']);
    const hasty = new WebClient('xoxb-test', {
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 100,
      logger: silentLogger(),
    });
    // The client gives up, but the message is in the channel: a success the bot never heard of.
    await expect(hasty.chat.postMessage({ channel: 'C1', text: 'late' })).rejects.toMatchObject({
      code: 'slack_webapi_request_error',
    });
    expect(standIn.messages('C1').map((m) => m.text)).toEqual(['late']);
    await standIn.waitFor(() => standIn.callsTo('chat.postMessage')[0]);
    expect(standIn.callsTo('chat.postMessage')[0]).toMatchObject({ ok: true });
    await hasty.chat.postMessage({ channel: 'C1', text: 'on time' }); // only the next one was slow

    standIn.setLatency(120);
    const started = Date.now();
    await client.auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    standIn.setLatency(0);
  });
});

describe('Slack stand-in: reading history', () => {
  it('lists message metadata only with include_all_metadata, and wants a conversation id, not a user id', async () => {
    const metadata = { event_type: 'toolgate_outbox', event_payload: { outbox_id: 7 } };
    await client.chat.postMessage({ channel: 'C1', text: 'tagged', metadata });
    await client.chat.postMessage({ channel: 'U0BOB', text: 'a DM', metadata });
    expect((await client.conversations.history({ channel: 'C1' })).messages?.[0]?.metadata).toBeUndefined();
    expect(
      (await client.conversations.history({ channel: 'C1', include_all_metadata: true })).messages?.[0]?.metadata,
    ).toEqual(metadata);
    await expect(client.conversations.history({ channel: 'U0BOB' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    const dm = (await client.conversations.open({ users: 'U0BOB' })).channel?.id ?? '';
    expect((await client.conversations.history({ channel: dm })).messages?.map((m) => m.text)).toEqual(['a DM']);
  });
});

describe('Slack stand-in: response URLs', () => {
  const postTo = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('posts ephemerals by default, in_channel on request, and replaces/deletes the original', async () => {
    const url = standIn.newResponseUrl({ channel: 'C1', user: 'U1' });
    expect(url.startsWith(`${standIn.url}response/`)).toBe(true);

    expect((await postTo(url, { text: 'thinking…' })).status).toBe(200);
    expect(standIn.ephemerals('U1')).toMatchObject([{ text: 'thinking…', channel: 'C1', via: 'response_url' }]);

    await postTo(url, { replace_original: true, text: 'done', blocks: [section('done', 'd')] });
    expect(standIn.ephemerals('U1')).toMatchObject([{ text: 'done', blocks: [{ block_id: 'd' }] }]);

    await postTo(url, { response_type: 'in_channel', text: 'for everyone' });
    expect(standIn.messages('C1')).toMatchObject([{ text: 'for everyone', via: 'response_url' }]);

    const id = url.split('/').pop() ?? '';
    expect(standIn.responses(id).map((r) => r.effect)).toEqual(['ephemeral', 'replaced', 'in_channel']);
    expect(standIn.callsTo('response_url').map((c) => c.responseUrlId)).toEqual([id, id, id]);

    await postTo(url, { delete_original: true });
    expect(standIn.messages('C1')).toEqual([]);
  });

  it('edits the channel message a response URL belongs to', async () => {
    const posted = await client.chat.postMessage({ channel: 'C2', text: 'approve?' });
    const url = standIn.newResponseUrl({ channel: 'C2', user: 'U1', messageTs: posted.ts ?? '' });
    await postTo(url, { replace_original: true, text: 'approved' });
    expect(standIn.messages('C2')).toMatchObject([{ ts: posted.ts, text: 'approved' }]);
    await postTo(url, { delete_original: true });
    expect(standIn.messages('C2')).toEqual([]);
  });

  it('answers 404 for an unknown response URL', async () => {
    const res = await postTo(`${standIn.url}response/nope`, { text: 'x' });
    expect(res.status).toBe(404);
    expect(standIn.callsTo('response_url')[0]).toMatchObject({ status: 404, responseUrlId: 'nope' });
  });
});

describe('Slack stand-in: waiting and listening', () => {
  it('waitFor resolves when the predicate becomes truthy', async () => {
    const waiting = standIn.waitFor(() => standIn.messages('C5')[0]);
    setTimeout(() => void client.chat.postMessage({ channel: 'C5', text: 'later' }), 30);
    expect((await waiting).text).toBe('later');
  });

  it('waitFor rejects naming what it waited for', async () => {
    await expect(standIn.waitFor(() => standIn.messages('C404')[0], 100, 'a message in C404')).rejects.toThrow(
      /waitFor timed out after 100 ms waiting for: a message in C404/,
    );
    await expect(standIn.waitFor(() => false, 50)).rejects.toThrow(/waiting for: \(\) => false/);
  });

  it('onChange reports state changes and calls; unsubscribe stops it', async () => {
    const seen: StandInChange[] = [];
    const off = standIn.onChange((c) => seen.push(c));
    await client.chat.postMessage({ channel: 'C6', text: 'x' });
    off();
    await client.chat.postMessage({ channel: 'C6', text: 'y' });
    expect(seen.map((c) => c.kind)).toEqual(['message', 'call']);
  });

  it('reset clears state and calls', async () => {
    await client.chat.postMessage({ channel: 'C7', text: 'x' });
    standIn.reset();
    expect(standIn.messages('C7')).toEqual([]);
    expect(standIn.calls).toHaveLength(0);
  });
});

describe('signSlackRequest', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

  it("matches Slack's documented example", () => {
    expect(signSlackRequest(secret, body, 1531420618)).toEqual({
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    });
  });

  it('verifies, and rejects stale or forged signatures', () => {
    const headers = signSlackRequest(secret, body, 1531420618);
    const check = { timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'] };
    expect(verifySlackSignature(secret, body, check, { nowSeconds: 1531420618 + 60 })).toEqual({ ok: true });
    expect(verifySlackSignature(secret, body, check, { nowSeconds: 1531420618 + 600 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifySlackSignature(secret, `${body}x`, check, { nowSeconds: 1531420618 })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });
});

describe('stand-in access', () => {
  it('takes only its own bot token when given one, no browser preflights, no foreign Host', async () => {
    const { startSlackStandIn } = await import('../../src/standIn/index.ts');
    const standIn = await startSlackStandIn({ requiredToken: 'xoxb-secret' });
    try {
      const post = (token: string, headers: Record<string, string> = {}) =>
        fetch(`${standIn.apiUrl}chat.postMessage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ channel: 'C1', text: 'hi' }),
        });
      expect(await (await post('xoxb-guess')).json()).toEqual({ ok: false, error: 'invalid_auth' });
      expect(await (await post('xoxb-secret')).json()).toMatchObject({ ok: true });
      const preflight = await fetch(`${standIn.apiUrl}chat.postMessage`, { method: 'OPTIONS' });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${standIn.apiUrl}chat.postMessage`,
          { method: 'POST', headers: { host: 'evil.example:80', authorization: 'Bearer xoxb-secret' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('channel=C1&text=x');
      });
      expect(status).toBe(403);
      expect(standIn.messages('C1')).toHaveLength(1);
    } finally {
      await standIn.close();
    }
  });

  it('response URLs are unguessable and take no post from a web page', async () => {
    const first = standIn.newResponseUrl({ channel: 'C1', user: 'U0BOB' });
    const second = standIn.newResponseUrl({ channel: 'C1', user: 'U0BOB' });
    expect(first).toMatch(/\/response\/T0TOOLGATE-\d+-[0-9a-f]{32}$/);
    expect(first.slice(-32)).not.toBe(second.slice(-32));
    const fromPage = (headers: Record<string, string>) =>
      fetch(first, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ text: 'injected' }),
      });
    expect((await fromPage({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await fromPage({ origin: 'null' })).status).toBe(403);
    expect((await fromPage({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(standIn.responses(first)).toEqual([]);
    expect((await fromPage({})).status).toBe(200);
    expect(standIn.responses(first)).toHaveLength(1);
  });
});
