// Issue 9, items 1-3 and 13: what reaches /slack/events before and instead of Bolt. Every request
// is sent over real HTTP to the real bot; the signed ones are signed exactly as Slack signs.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../src/slack/requestGuard.ts';
import { signSlackRequest } from '../../src/standIn/signing.ts';
import { SIGNING_SECRET, startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { SWEEP_INTERVAL_MS: '0' } });
});
afterAll(async () => {
  await h.stop();
});

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

async function post(body: string, contentType: string, opts: { skewSeconds?: number; unsigned?: boolean } = {}) {
  const ts = Math.floor(Date.now() / 1000) + (opts.skewSeconds ?? 0);
  const headers = opts.unsigned ? {} : signSlackRequest(SIGNING_SECRET, body, ts);
  const res = await fetch(h.bot.eventsUrl as string, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** The bot still answers a real question: no request before it ended the process or wedged it. */
async function stillAnswers() {
  const res = await h.slack.command({ user: 'U0BOB', text: 'cursor' });
  expect(res.status).toBe(200);
  expect(res.body).toContain('Cursor');
}

/**
 * Streams `total` bytes of an unsigned body in 1 MB chunks, without a content-length, and
 * reports the answer and how much was written before the bot closed the connection.
 */
function streamHuge(total: number): Promise<{ status: number | undefined; written: number }> {
  return new Promise((resolve) => {
    const url = new URL(h.bot.eventsUrl as string);
    let written = 0;
    let status: number | undefined;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': JSON_TYPE },
      },
      (res) => {
        status = res.statusCode;
        res.resume();
        // As a client does once it has its answer: no more of the body (writing on into a socket the
        // server is closing can make the kernel reset it before the answer is read).
        req.end();
      },
    );
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const finish = () => resolve({ status, written });
    req.once('close', finish);
    req.once('error', () => undefined);
    const pump = () => {
      while (written < total && !req.destroyed && !req.writableEnded) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!req.destroyed && !req.writableEnded) req.end();
    };
    pump();
  });
}

describe('item 1: the body is capped before it is read, and the signature checked before any parsing', () => {
  it(`a declared body over ${BODY_LIMIT_BYTES} bytes is refused with 413 at once`, async () => {
    const res = await new Promise<number | undefined>((resolve) => {
      const url = new URL(h.bot.eventsUrl as string);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': JSON_TYPE, 'content-length': String(256 * 1024 * 1024) },
        },
        (r) => resolve(r.statusCode),
      );
      req.once('error', () => undefined);
      req.write('{');
    });
    expect(res).toBe(413);
    await stillAnswers();
  });

  it('an unsigned 64 MB stream is cut off at the limit: 413, and the rest is never read', async () => {
    const { status, written } = await streamHuge(64 * 1024 * 1024);
    expect(status).toBe(413);
    expect(written).toBeLessThan(32 * 1024 * 1024);
    await stillAnswers();
  });

  it('a body just under the limit still reaches the signature check (and fails it)', async () => {
    const body = `{"x":"${'a'.repeat(BODY_LIMIT_BYTES - 100)}"}`;
    expect((await post(body, JSON_TYPE, { unsigned: true })).status).toBe(401);
  });
});

describe('item 2: no request, signed or not, ends the process', () => {
  it.each([
    ['JSON null', 'null', JSON_TYPE],
    ['JSON array', '[]', JSON_TYPE],
    ['JSON number', '42', JSON_TYPE],
    ['broken JSON', '{"type":', JSON_TYPE],
    ['payload=null', 'payload=null', FORM],
    ['payload=[]', 'payload=%5B%5D', FORM],
    ['payload broken', 'payload=%7B', FORM],
    ['empty body', '', JSON_TYPE],
  ])('a signed %s is answered 200, with nothing done', async (_name, body, type) => {
    const before = h.standIn.calls.length;
    expect(await post(body, type)).toEqual({ status: 200, text: '' });
    expect(h.standIn.calls.length).toBe(before);
    await stillAnswers();
  });
});

describe('item 3: signatures are good for 5 minutes either way', () => {
  const command = `command=${encodeURIComponent('/can-i-use')}&text=cursor&user_id=U0BOB&team_id=T0TOOLGATE&response_url=x&trigger_id=1`;
  it('a request dated an hour ahead is refused', async () => {
    expect((await post(command, FORM, { skewSeconds: 3600 })).status).toBe(401);
  });
  it('six minutes ahead or behind is refused; four minutes either way is taken', async () => {
    expect((await post(command, FORM, { skewSeconds: 360 })).status).toBe(401);
    expect((await post(command, FORM, { skewSeconds: -360 })).status).toBe(401);
    expect((await post(command, FORM, { skewSeconds: 240 })).status).toBe(200);
    expect((await post(command, FORM, { skewSeconds: -240 })).status).toBe(200);
  });
});

describe('item 13: shapes Slack never sends, or that nothing listens to, get 200 at once', () => {
  const event = (inner: unknown) =>
    JSON.stringify({ type: 'event_callback', team_id: 'T0TOOLGATE', event: inner, event_id: 'Ev1', event_time: 1 });
  it.each([
    ['app_home_opened with user null', event({ type: 'app_home_opened', user: null, tab: 'home' }), JSON_TYPE],
    ['an event type nothing listens to', event({ type: 'reaction_added', user: 'U0BOB' }), JSON_TYPE],
    [
      'a view submission without state.values',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: 'U0BOB' }, view: { id: 'V1', callback_id: 'exception_request', state: {} } }))}`,
      FORM,
    ],
    [
      'a view submission of a modal toolgate never opened',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: 'U0BOB' }, view: { id: 'V1', callback_id: 'someone_elses', state: { values: {} } } }))}`,
      FORM,
    ],
    [
      'block_actions with no actions',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0BOB' }, actions: [] }))}`,
      FORM,
    ],
    [
      'block_actions of an unknown button',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0BOB' }, actions: [{ action_id: 'nope', type: 'button' }] }))}`,
      FORM,
    ],
    ['a command toolgate does not have', `command=${encodeURIComponent('/other')}&user_id=U0BOB&text=x`, FORM],
    ['a command with user_id missing', `command=${encodeURIComponent('/can-i-use')}&text=x`, FORM],
    [
      'an interactivity type nothing listens to',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'shortcut', user: { id: 'U0BOB' } }))}`,
      FORM,
    ],
  ])('%s', async (_name, body, type) => {
    const before = h.standIn.calls.length;
    expect(await post(body, type)).toEqual({ status: 200, text: '' });
    expect(h.standIn.calls.length).toBe(before);
  });

  it('Slack’s ssl_check is answered 200 without a signature, and nothing else in it is read', async () => {
    expect(
      (await post('ssl_check=1&token=x&payload=%7B%22type%22%3A%22block_actions%22%7D', FORM, { unsigned: true }))
        .status,
    ).toBe(200);
  });
});
