// `npm start` with each way the Slack set-up can be wrong: one message naming the problem and the
// fix, no stack trace, exit 2, and never a "ready" line first. The bot is the compiled one, under node.
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn, type SlackStandInOptions } from '../src/standIn/index.ts';
import { SIGNING_SECRET } from './helpers/harness.ts';
import { npmStart, type Started } from './helpers/npmStart.ts';
import { REGISTRY_PATH, tempDbPath } from './helpers/tmp.ts';

const BOT_TOKEN = 'xoxb-startup-test-token';
const STACK_LINE = /\n\s+at /;

let standIn: SlackStandIn;
let started: Started | null = null;
beforeEach(async () => {
  standIn = await startSlackStandIn({ requiredToken: BOT_TOKEN });
});
/** A stand-in with other options for one test (e.g. which app token it takes). */
async function restartStandIn(options: SlackStandInOptions) {
  await standIn.close();
  standIn = await startSlackStandIn({ requiredToken: BOT_TOKEN, ...options });
}
afterEach(async () => {
  await started?.stop();
  started = null;
  await standIn.close();
});

const httpEnv = (env: Record<string, string> = {}) => ({
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: standIn.apiUrl,
  DATABASE_PATH: tempDbPath(),
  REGISTRY_PATH,
  PORT: '0',
  HOST: '127.0.0.1',
  SWEEP_INTERVAL_MS: '0',
  ...env,
});

/** Starts the bot and waits for it to give up. */
async function failedStart(env: Record<string, string>) {
  started = npmStart(env);
  const result = await started.exited;
  expect(result.stdout).not.toMatch(/toolgate is (listening|connected)/);
  expect(result.stderr).not.toMatch(STACK_LINE);
  expect(result.code).toBe(2);
  return result;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm start', () => {
  it('stops with one clear message, no stack trace, when the Slack settings are incomplete or malformed', async () => {
    const r = await failedStart({
      DATABASE_PATH: tempDbPath(),
      SLACK_SIGNING_SECRET: '0123456789abcdef',
      SLACK_APP_TOKEN: 'xoxb-wrong-kind',
    });
    expect(r.stderr).toContain('toolgate cannot start');
    expect(r.stderr).toContain('SLACK_APP_TOKEN must be an app-level token');
    expect(r.stderr).toContain('SLACK_BOT_TOKEN is missing');
    const missing = await failedStart({ DATABASE_PATH: tempDbPath(), SLACK_SIGNING_SECRET: '0123456789abcdef' });
    expect(missing.stderr).toContain('SLACK_BOT_TOKEN is missing');
  });

  it('a DEFAULT_REGION the registry does not have: names the regions it has (issue 10)', async () => {
    const r = await failedStart(httpEnv({ DEFAULT_REGION: 'xx' }));
    expect(r.stderr.trim().split('\n')).toEqual([
      'toolgate cannot start; fix the environment and try again:',
      '  - DEFAULT_REGION "xx" is not a region of the registry: set it to one of global, cn',
    ]);
  });

  it('checks the bot token with auth.test before it says it is ready', async () => {
    started = npmStart(httpEnv());
    await started.ready;
    const checks = standIn.callsTo('auth.test');
    expect(checks.length).toBeGreaterThanOrEqual(1);
    expect(checks[0]).toMatchObject({ token: BOT_TOKEN, ok: true });
  });

  it('a wrong bot token: names it and says where to copy the right one', async () => {
    const r = await failedStart(httpEnv({ SLACK_BOT_TOKEN: 'xoxb-not-the-right-one' }));
    expect(r.stderr).toContain('toolgate cannot start; fix the Slack set-up and try again:');
    expect(r.stderr).toContain('SLACK_BOT_TOKEN was refused by Slack (invalid_auth)');
    expect(r.stderr).toContain('OAuth & Permissions');
  });

  it('a revoked bot token: says to reinstall the app', async () => {
    standIn.failNext(100, { error: 'token_revoked' }, ['auth.test']);
    const r = await failedStart(httpEnv());
    expect(r.stderr).toContain('SLACK_BOT_TOKEN has been revoked (token_revoked)');
    expect(r.stderr).toContain('Reinstall to Workspace');
  });

  it('Slack unreachable at SLACK_API_URL: retried with backoff, then one line naming the address', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api/`;
    const r = await failedStart(httpEnv({ SLACK_API_URL: url }));
    expect(r.stderr).toContain(`Slack is unreachable at ${url} (ECONNREFUSED, 4 tries)`);
    expect(r.stderr).toContain('check the network and proxy, or SLACK_API_URL');
    expect(r.stderr.trim().split('\n')).toEqual([
      'toolgate cannot start; fix the Slack set-up and try again:',
      expect.stringContaining('Slack is unreachable'),
    ]);
  });

  it('Slack answering 5xx: retried, then told it may be down', async () => {
    standIn.setDown(true);
    const r = await failedStart(httpEnv());
    expect(r.stderr).toContain(`Slack answered HTTP 503 at ${standIn.apiUrl} 4 times`);
    expect(standIn.calls.filter((c) => c.method === 'auth.test')).toHaveLength(4);
  });

  it('SLACK_API_URL pointing at something else than the Web API', async () => {
    const r = await failedStart(httpEnv({ SLACK_API_URL: `${standIn.url}nothing-here/` }));
    expect(r.stderr).toMatch(/answered HTTP 404: it is not the Slack Web API/);
  });
});

describe('npm start in Socket Mode', () => {
  const APP_TOKEN = 'xapp-1-A0TOOLGATE-startup-test';
  const socketEnv = async (env: Record<string, string> = {}) => ({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_API_URL: standIn.apiUrl,
    DATABASE_PATH: tempDbPath(),
    REGISTRY_PATH,
    PORT: String(await closedPort()),
    SWEEP_INTERVAL_MS: '0',
    LOG_LEVEL: 'error',
    ...env,
  });
  const health = async (port: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('connects, answers /can-i-use over the socket, and /healthz follows the connection', async () => {
    await restartStandIn({ appToken: APP_TOKEN });
    const env = await socketEnv();
    started = npmStart(env);
    await started.ready;
    expect(standIn.socketConnections()).toBe(1);
    expect(standIn.callsTo('apps.connections.open')[0]).toMatchObject({ token: APP_TOKEN, ok: true });
    await expect
      .poll(() => health(env.PORT))
      .toEqual({ status: 200, body: { ok: true, database: 'up', socket: 'connected' } });

    const ack = await standIn.sendEnvelope('slash_commands', {
      token: 'unused-in-socket-mode',
      team_id: 'T0TOOLGATE',
      channel_id: 'C0GENERAL',
      user_id: 'U0BOB',
      user_name: 'bob',
      command: '/can-i-use',
      text: 'claude code',
      response_url: standIn.newResponseUrl(),
      trigger_id: standIn.newTriggerId('U0BOB'),
      api_app_id: 'A0TOOLGATE',
    });
    expect(JSON.stringify(ack)).toContain('Exception required');

    // Slack drops the connection and, for now, refuses new ones: the bot is not healthy.
    standIn.refuseSocketConnections(true);
    standIn.dropSocketConnections();
    await expect
      .poll(() => health(env.PORT), { timeout: 10_000 })
      .toMatchObject({
        status: 503,
        body: { ok: false, database: 'up', socket: expect.not.stringMatching(/^connected$/) },
      });
    // Slack takes connections again: the client reconnects on its own and health comes back.
    standIn.refuseSocketConnections(false);
    await expect
      .poll(() => health(env.PORT), { timeout: 15_000, interval: 250 })
      .toMatchObject({ status: 200, body: { socket: 'connected' } });
  });

  it('a connection that never opens: gives up after SOCKET_CONNECT_TIMEOUT_MS', async () => {
    await restartStandIn({ appToken: APP_TOKEN });
    standIn.refuseSocketConnections(true);
    const r = await failedStart(await socketEnv({ SOCKET_CONNECT_TIMEOUT_MS: '2500', LOG_LEVEL: 'info' }));
    // The client's own complaints about each failed attempt are held back: one message, two lines.
    expect(r.stderr.trim().split('\n')).toEqual([
      'toolgate cannot start; fix the Slack set-up and try again:',
      expect.stringContaining('the Socket Mode connection did not open within 2.5 s (SOCKET_CONNECT_TIMEOUT_MS)'),
    ]);
  });

  it('PORT in use: says so and which to try, before connecting', async () => {
    await restartStandIn({ appToken: APP_TOKEN });
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const { port } = taken.address() as { port: number };
    try {
      const r = await failedStart(await socketEnv({ PORT: String(port) }));
      expect(r.stderr).toContain(`port ${port} is in use; start it on another one, e.g. PORT=${port + 1} npm start`);
      expect(standIn.socketConnections()).toBe(0);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('a wrong app token: names it and says how to make one', async () => {
    await restartStandIn({ appToken: APP_TOKEN });
    const r = await failedStart(await socketEnv({ SLACK_APP_TOKEN: 'xapp-1-A0TOOLGATE-not-this-one' }));
    expect(r.stderr).toContain('SLACK_APP_TOKEN was refused by Slack (invalid_auth)');
    expect(r.stderr).toContain('App-Level Tokens');
    expect(standIn.socketConnections()).toBe(0);
  });

  it('an app token without connections:write: says which scope it lacks, instead of retrying forever', async () => {
    await restartStandIn({ appToken: APP_TOKEN, appTokenScopes: ['authorizations:read'] });
    const r = await failedStart(await socketEnv());
    expect(r.stderr).toContain(
      'SLACK_APP_TOKEN cannot open Socket Mode connections (missing_scope): it lacks the connections:write scope',
    );
  });

  it('a revoked app token', async () => {
    await restartStandIn({ appToken: APP_TOKEN });
    standIn.failNext(100, { error: 'token_revoked' }, ['apps.connections.open']);
    const r = await failedStart(await socketEnv());
    expect(r.stderr).toContain('SLACK_APP_TOKEN has been revoked (token_revoked)');
  });

  it('a wrong bot token is caught in Socket Mode too, before any connection', async () => {
    await restartStandIn({ appToken: APP_TOKEN });
    const r = await failedStart(await socketEnv({ SLACK_BOT_TOKEN: 'xoxb-not-the-right-one' }));
    expect(r.stderr).toContain('SLACK_BOT_TOKEN was refused by Slack (invalid_auth)');
    expect(standIn.callsTo('apps.connections.open')).toHaveLength(0);
  });
});
