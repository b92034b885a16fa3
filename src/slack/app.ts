// The Bolt app: receivers, health check, and the listeners by surface.
import { App, LogLevel, type CustomRoute } from '@slack/bolt';
import type { Config } from '../config.ts';
import type { ServiceContext } from '../service/ports.ts';
import * as actions from './listeners/actions/index.ts';
import * as commands from './listeners/commands/index.ts';
import * as events from './listeners/events/index.ts';
import type { SlackDeps } from './listeners/shared.ts';
import * as views from './listeners/views/index.ts';

const LOG_LEVELS = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR } as const;

export function healthRoute(ctx: ServiceContext): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      ctx.store
        .ping()
        .catch(() => false)
        .then((ok) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok }));
        });
    },
  };
}

export function createSlackApp(config: Config, deps: SlackDeps): App {
  const { ctx } = deps;
  const { slack } = config;
  if (slack.kind === 'none') throw new Error('createSlackApp needs Slack credentials');
  const common = {
    token: slack.botToken,
    logLevel: LOG_LEVELS[config.logLevel],
    customRoutes: [healthRoute(ctx)],
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
      ? new App({ ...common, socketMode: true, appToken: slack.appToken, installerOptions: { port: config.port } })
      : new App({ ...common, signingSecret: slack.signingSecret });

  commands.register(app, deps);
  actions.register(app, deps);
  views.register(app, deps);
  events.register(app, deps);
  app.error(async (error) => {
    app.logger.error(`toolgate listener failed: ${error.code ?? ''} ${error.message}`);
  });
  return app;
}
