// Wiring: configuration -> context -> services -> Slack app, outbox worker and sweep timer.
// Shared by main.ts, the playground and the tests, so the tests run exactly what production runs.
import type { App } from '@slack/bolt';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { openContext } from './context.ts';
import { SlackStartupError } from './errors.ts';
import type { HeadPublication } from './domain/audit.ts';
import { headPublicationLine, publishAuditHead } from './service/audit.ts';
import { refreshAllUsergroups } from './service/approverGroups.ts';
import { sweep } from './service/exceptions.ts';
import type { Clock, ServiceContext } from './service/ports.ts';
import { seedIfEmpty } from './service/registryFile.ts';
import { ConfigError } from './errors.ts';
import { createSlackApp } from './slack/app.ts';
import { slackDirectory } from './slack/directory.ts';
import { healthOf, healthServer, type Health } from './slack/health.ts';
import { outboxClient, startOutboxWorker, type OutboxWorker } from './slack/outboxWorker.ts';
import { guardSlackRequests } from './slack/requestGuard.ts';
import { checkAppToken, checkBotToken } from './slack/startup.ts';
import { slackUsergroups } from './slack/usergroups.ts';
import type { PrefetchedKept } from './store/sqlite/keptPrefetch.ts';
import type { SqliteStore } from './store/sqlite/sqliteStore.ts';

export interface RunningBot {
  app: App;
  store: SqliteStore;
  ctx: ServiceContext;
  /** Where Slack should send requests (HTTP mode), e.g. http://127.0.0.1:3000/slack/events. */
  eventsUrl: string | null;
  port: number | null;
  outbox: OutboxWorker;
  health(): Promise<Health>;
  /** One pass of expiries, reminders and escalations, as the timer does it. */
  sweepNow(): Promise<void>;
  /** Publish the audit log's head if it is due, as the timer does it. */
  publishAuditHeadNow(): Promise<HeadPublication | null>;
  stop(): Promise<void>;
}

export interface BotOptions {
  clock?: Clock;
  /** The kept registry snapshot, read on another thread while the modules loaded (main.ts). */
  prefetchedKept?: Promise<PrefetchedKept | null>;
}

/** Resolves when Socket Mode is connected; a connection that never comes is a start-up failure. */
async function connectSocket(app: App, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SlackStartupError([
            `the Socket Mode connection did not open within ${timeoutMs / 1000} s (SOCKET_CONNECT_TIMEOUT_MS): check that wss-primary.slack.com is reachable from here (firewall, proxy), then start again`,
          ]),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([app.start(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `server` listens on `port` (and `host`); rejects if it cannot, e.g. EADDRINUSE. */
export function listen(server: Server, port: number, host: string | null): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ...(host ? [host] : []), () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** A sweep every `intervalMs` (and one at start), its failures logged, its messages sent at once. */
function startSweepTimer(ctx: ServiceContext, outbox: OutboxWorker, app: App, intervalMs: number) {
  const sweepNow = async () => {
    try {
      await sweep(ctx);
      outbox.kick();
    } catch (e) {
      app.logger.error(`sweep failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const timer = intervalMs > 0 ? setInterval(() => void sweepNow(), intervalMs) : null;
  timer?.unref();
  if (timer) void sweepNow();
  return { sweepNow, stop: () => timer && clearInterval(timer) };
}

/**
 * How often the registry's version is looked at when nobody asks: a change made elsewhere (the CLI,
 * another replica) is read in within this time, so the next answer rarely waits for it. Answers
 * look too, so none is ever given from a registry older than a change its asker could have seen.
 */
const REGISTRY_LOOK_MS = 1000;

function startRegistryWatch(ctx: ServiceContext, app: App) {
  const timer = setInterval(() => {
    ctx.store.registrySnapshot().catch((e: unknown) => {
      app.logger.error(`reading the registry failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }, REGISTRY_LOOK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The Slack user groups approver groups name, read again every USERGROUP_TTL_MINUTES (and once at
 * start, without holding the start up): subteam_members_changed keeps them current in between.
 */
function startUsergroupTimer(ctx: ServiceContext, app: App, intervalMs: number) {
  const refresh = () =>
    refreshAllUsergroups(ctx).catch((e: unknown) => {
      app.logger.error(`reading the Slack user groups failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  void refresh();
  return () => clearInterval(timer);
}

/** How often a head publication is looked for: often enough that a restart does not skip a day. */
const HEAD_CHECK_MAX_MS = 15 * 60_000;

/**
 * The audit log's head, published outside the database once per `intervalMs` (audit channel and
 * this log), so anchors exist without anyone remembering to record them. Whether one is due is read
 * from the log itself, so restarts neither repeat nor skip it; the first check is one period after start.
 */
function startAuditHeadTimer(ctx: ServiceContext, outbox: OutboxWorker, app: App, intervalMs: number) {
  const publishNow = async (): Promise<HeadPublication | null> => {
    try {
      const published = await publishAuditHead(ctx, intervalMs);
      if (published) {
        console.log(`toolgate: ${headPublicationLine(published)}`);
        outbox.kick();
      }
      return published;
    } catch (e) {
      app.logger.error(`publishing the audit head failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  const timer = intervalMs > 0 ? setInterval(() => void publishNow(), Math.min(intervalMs, HEAD_CHECK_MAX_MS)) : null;
  timer?.unref();
  return { publishNow, stop: () => timer && clearInterval(timer) };
}

export async function startBot(config: Config, options: BotOptions = {}): Promise<RunningBot> {
  const { slack } = config;
  if (slack.kind === 'none') throw new Error('startBot needs Slack credentials');
  const prefetchedKept = (await options.prefetchedKept) ?? null;
  const { store, ctx } = openContext(config, options.clock, { keepRegistrySnapshots: true, prefetchedKept });
  const stops: Array<() => unknown> = [() => store.close()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const seeded = await seedIfEmpty(store, config.registryPath, ctx.clock.now());
    if (seeded)
      console.log(
        `toolgate: imported ${seeded.added.length} tools from ${config.registryPath} into the empty database`,
      );
    // The registry in memory before anything says the bot is ready: the first answer must not wait for it.
    await store.registrySnapshot();
    // An unknown default region would answer everyone not listed by a rule that does not exist.
    const regions = await store.regions();
    if (regions.length && !regions.includes(config.defaultRegion))
      throw new ConfigError([
        `DEFAULT_REGION "${config.defaultRegion}" is not a region of the registry: set it to one of ${regions.join(', ')}`,
      ]);
    // Slack must accept the credentials before anything says the bot is ready.
    const check = { slackApiUrl: config.slackApiUrl };
    const identity = await checkBotToken(slack.botToken, check);
    if (slack.kind === 'socket') await checkAppToken(slack.appToken, check);

    let outbox: OutboxWorker | null = null;
    ctx.usergroupTtlMs = config.usergroupTtlMs;
    const { app, http, socketState } = createSlackApp(
      config,
      { ctx, onStateChange: () => outbox?.kick(), slackApiUrl: config.slackApiUrl },
      identity,
    );
    const worker = startOutboxWorker({
      store,
      client: outboxClient(slack.botToken, config.slackApiUrl, app.logger),
      clock: ctx.clock,
      logger: app.logger,
      pollMs: config.outboxPollMs,
      baseDelayMs: config.outboxRetryBaseMs,
      concurrency: config.outboxConcurrency,
      defaultRegion: config.defaultRegion,
      slackApiUrl: config.slackApiUrl,
    });
    outbox = worker;
    stops.push(() => worker.stop());
    // Region rules read people's Slack profiles; a transfer a read finds sends its DMs at once.
    ctx.directory = {
      slack: slackDirectory(slack.botToken, { slackApiUrl: config.slackApiUrl, logger: app.logger }),
      profileTtlHours: config.profileTtlHours,
      onStateChange: () => worker.kick(),
    };
    ctx.usergroups = slackUsergroups(slack.botToken, config.slackApiUrl, app.logger);
    ctx.log = app.logger;
    stops.push(startUsergroupTimer(ctx, app, config.usergroupTtlMs));
    const sweeper = startSweepTimer(ctx, worker, app, config.sweepIntervalMs);
    stops.push(sweeper.stop);
    const heads = startAuditHeadTimer(ctx, worker, app, config.auditHeadIntervalMs);
    stops.push(heads.stop);
    stops.push(startRegistryWatch(ctx, app));

    let port: number | null = null;
    let eventsUrl: string | null = null;
    if (http && slack.kind === 'http') {
      const server = await listen(
        createServer(
          guardSlackRequests(http.requestListener, { signingSecret: slack.signingSecret, logger: app.logger }),
        ),
        config.port,
        config.host,
      );
      stops.push(() => closeServer(server));
      port = (server.address() as AddressInfo).port;
      eventsUrl = `http://${config.host ?? '127.0.0.1'}:${port}/slack/events`;
    } else if (socketState) {
      // Health first: a taken port stops the start before anything connects.
      const health = await listen(healthServer(ctx, socketState), config.port, config.host);
      stops.push(() => closeServer(health));
      port = (health.address() as AddressInfo).port;
      stops.push(() => app.stop());
      await connectSocket(app, config.socketConnectTimeoutMs);
    }
    return {
      app,
      store,
      ctx,
      eventsUrl,
      port,
      outbox: worker,
      health: () => healthOf(ctx, socketState),
      sweepNow: sweeper.sweepNow,
      publishAuditHeadNow: heads.publishNow,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
