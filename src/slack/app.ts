// The Bolt app: its receiver (HTTP, or Socket Mode), the health check, and the listeners by surface.
import { App, LogLevel, SocketModeReceiver, type CustomRoute } from '@slack/bolt';
import type { Config, SlackMode } from '../config.ts';
import type { ServiceContext } from '../service/ports.ts';
import * as actions from './listeners/actions/index.ts';
import * as commands from './listeners/commands/index.ts';
import * as events from './listeners/events/index.ts';
import type { SlackDeps } from './listeners/shared.ts';
import * as views from './listeners/views/index.ts';
import type { BotIdentity } from './startup.ts';

const LOG_LEVELS = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR } as const;

/** Where the Socket Mode connection is; HTTP mode has none. */
export type SocketState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface Health {
  ok: boolean;
  database: 'up' | 'down';
  /** Socket Mode only. */
  socket?: SocketState;
}

export async function healthOf(ctx: ServiceContext, socket: (() => SocketState) | null): Promise<Health> {
  const database = (await ctx.store.ping().catch(() => false)) ? 'up' : 'down';
  if (!socket) return { ok: database === 'up', database };
  const state = socket();
  return { ok: database === 'up' && state === 'connected', database, socket: state };
}

/** GET /healthz: 200 only while every part the bot needs is up; the JSON says which part is not. */
export function healthRoute(ctx: ServiceContext, socket: (() => SocketState) | null): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      void healthOf(ctx, socket).then((health) => {
        res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(health));
      });
    },
  };
}

export interface SlackApp {
  app: App;
  /** Socket Mode: the connection's state, as its client reports it. */
  socketState: (() => SocketState) | null;
}

/** Socket Mode's receiver, built here so its client reaches SLACK_API_URL too and its state can be watched. */
function socketReceiver(
  config: Config,
  slack: Extract<SlackMode, { kind: 'socket' }>,
  routes: CustomRoute[],
  track: (s: SocketState) => void,
) {
  const receiver = new SocketModeReceiver({
    appToken: slack.appToken,
    logLevel: LOG_LEVELS[config.logLevel],
    customRoutes: routes,
    installerOptions: {
      port: config.port,
      ...(config.slackApiUrl && { clientOptions: { slackApiUrl: config.slackApiUrl } }),
    },
  });
  for (const state of ['connecting', 'connected', 'reconnecting', 'disconnected'] as const)
    receiver.client.on(state, () => track(state));
  // A dropped socket is reconnected after a delay; until then the bot cannot hear Slack.
  receiver.client.on('close', () => track('disconnected'));
  receiver.client.on('disconnecting', () => track('disconnected'));
  return receiver;
}

export function createSlackApp(config: Config, deps: SlackDeps, identity: BotIdentity): SlackApp {
  const { ctx } = deps;
  const { slack } = config;
  if (slack.kind === 'none') throw new Error('createSlackApp needs Slack credentials');
  let socket: SocketState = 'connecting';
  const socketState = slack.kind === 'socket' ? () => socket : null;
  const routes = [healthRoute(ctx, socketState)];
  const common = {
    token: slack.botToken,
    // Checked with auth.test before start (startup.ts): Bolt need not ask again.
    botId: identity.botId,
    botUserId: identity.botUserId,
    logLevel: LOG_LEVELS[config.logLevel],
    // Calls made while a person waits (modals, ephemeral replies) are useless minutes later: retry briefly, then give up.
    // Messages that must arrive go through the outbox, which has its own client and retries.
    clientOptions: {
      ...(config.slackApiUrl && { slackApiUrl: config.slackApiUrl }),
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
      rejectRateLimitedCalls: true,
    },
  };
  const app =
    slack.kind === 'socket'
      ? new App({ ...common, receiver: socketReceiver(config, slack, routes, (s) => (socket = s)) })
      : new App({ ...common, signingSecret: slack.signingSecret, customRoutes: routes });

  commands.register(app, deps);
  actions.register(app, deps);
  views.register(app, deps);
  events.register(app, deps);
  app.error((error) => {
    app.logger.error(`toolgate listener failed: ${error.code ?? ''} ${error.message}`);
    return Promise.resolve();
  });
  return { app, socketState };
}
