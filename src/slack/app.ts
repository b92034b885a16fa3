// The Bolt app: its receiver (HTTP, or Socket Mode), the health check, and the listeners by surface.
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type CustomRoute, type Logger } from '@slack/bolt';
import type { Config, SlackMode } from '../config.ts';
import type { ServiceContext } from '../service/ports.ts';
import * as actions from './listeners/actions/index.ts';
import * as commands from './listeners/commands/index.ts';
import * as events from './listeners/events/index.ts';
import type { SlackDeps } from './listeners/shared.ts';
import * as views from './listeners/views/index.ts';
import { routedApp } from './listeners/routes.ts';
import { answerHealth, HEALTH_PATH, type SocketState } from './health.ts';
import type { BotIdentity } from './startup.ts';

const LOG_LEVELS = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR } as const;

/** GET /healthz beside /slack/events, in HTTP mode. */
const healthRoute = (ctx: ServiceContext): CustomRoute => ({
  path: HEALTH_PATH,
  method: ['GET'],
  handler: (_req, res) => answerHealth(ctx, null, res),
});

/**
 * The Socket Mode client logs every failed attempt to connect. Until the first connection, start-up
 * says what went wrong itself, in one message: hold those lines back. After it, log as usual.
 */
function quietUntilConnected(level: LogLevel): Logger & { connected(): void } {
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  let current = level;
  let connected = false;
  const at =
    (l: LogLevel, write: (...m: unknown[]) => void) =>
    (...msg: unknown[]) => {
      if (connected && order.indexOf(l) >= order.indexOf(current)) write(`[${l.toUpperCase()}]  socket-mode`, ...msg);
    };
  return {
    debug: at(LogLevel.DEBUG, console.debug),
    info: at(LogLevel.INFO, console.info),
    warn: at(LogLevel.WARN, console.warn),
    error: at(LogLevel.ERROR, console.error),
    setLevel: (l) => {
      current = l;
    },
    getLevel: () => current,
    setName: () => undefined,
    connected: () => {
      connected = true;
    },
  };
}

export interface SlackApp {
  app: App;
  /** HTTP mode: Bolt's receiver, whose request listener sits behind requestGuard.ts on our own server. */
  http: HTTPReceiver | null;
  /** Socket Mode: the connection's state, as its client reports it. */
  socketState: (() => SocketState) | null;
}

/** Socket Mode's receiver, built here so its client reaches SLACK_API_URL too and its state can be watched. */
function socketReceiver(
  config: Config,
  slack: Extract<SlackMode, { kind: 'socket' }>,
  track: (s: SocketState) => void,
) {
  const logger = quietUntilConnected(LOG_LEVELS[config.logLevel]);
  const receiver = new SocketModeReceiver({
    appToken: slack.appToken,
    logger,
    // No custom routes: /healthz has its own server in Socket Mode (health.ts).
    ...(config.slackApiUrl && { installerOptions: { clientOptions: { slackApiUrl: config.slackApiUrl } } }),
  });
  for (const state of ['connecting', 'connected', 'reconnecting', 'disconnected'] as const)
    receiver.client.on(state, () => track(state));
  receiver.client.once('connected', () => logger.connected());
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
  const common = {
    token: slack.botToken,
    // Checked with auth.test before start (startup.ts): Bolt need not ask again.
    botId: identity.botId,
    botUserId: identity.botUserId,
    logLevel: LOG_LEVELS[config.logLevel],
    // No conversation store: nothing reads context.conversation, and Bolt's in-memory one looked up
    // every event's channel and built an Error ("Conversation not found") each time.
    convoStore: false as const,
    // Calls made while a person waits (modals, ephemeral replies) are useless minutes later: retry briefly, then give up.
    // Messages that must arrive go through the outbox, which has its own client and retries.
    clientOptions: {
      ...(config.slackApiUrl && { slackApiUrl: config.slackApiUrl }),
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
      rejectRateLimitedCalls: true,
    },
  };
  const http =
    slack.kind === 'http'
      ? new HTTPReceiver({
          signingSecret: slack.signingSecret,
          // Every request Bolt takes as an event (POST /slack/events, routed by the same path) reaches it
          // through requestGuard.ts, which has checked the signature and its timestamp: not twice.
          signatureVerification: false,
          customRoutes: [healthRoute(ctx)],
          logLevel: LOG_LEVELS[config.logLevel],
          // A listener that fails after the guard let its request through is a bug: log it, and answer
          // 200 so Slack does not retry what would fail again (the person sees nothing happen).
          processEventErrorHandler: ({ error, logger, response }) => {
            logger.error(`toolgate listener failed: ${error.message}`);
            if (!response.headersSent) {
              response.writeHead(200);
              response.end();
            }
            return Promise.resolve(true);
          },
        })
      : null;
  const app =
    slack.kind === 'socket'
      ? new App({ ...common, receiver: socketReceiver(config, slack, (s) => (socket = s)) })
      : new App({ ...common, receiver: http ?? undefined });

  // Handlers by kind and id, dispatched by one middleware (routes.ts): Bolt has no listener to scan.
  const routes = routedApp(app);
  commands.register(routes, deps);
  actions.register(routes, deps);
  views.register(routes, deps);
  events.register(routes, deps);
  app.error((error) => {
    app.logger.error(`toolgate listener failed: ${error.code ?? ''} ${error.message}`);
    return Promise.resolve();
  });
  return { app, http, socketState: slack.kind === 'socket' ? () => socket : null };
}
