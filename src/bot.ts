// Wiring: configuration -> store -> services -> Slack app. Shared by main.ts and the tests,
// so the tests run exactly what production runs.
import type { App } from '@slack/bolt';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { openContext } from './context.ts';
import { sweep } from './service/exceptions.ts';
import type { Clock, ServiceContext } from './service/ports.ts';
import { seedIfEmpty } from './service/registryFile.ts';
import { createSlackApp } from './slack/app.ts';
import { outboxClient, startOutboxWorker, type OutboxWorker } from './slack/outboxWorker.ts';
import type { SqliteStore } from './store/sqlite/sqliteStore.ts';

export interface RunningBot {
  app: App;
  store: SqliteStore;
  ctx: ServiceContext;
  /** Where Slack should send requests (HTTP mode), e.g. http://127.0.0.1:3000/slack/events. */
  eventsUrl: string | null;
  port: number | null;
  outbox: OutboxWorker;
  /** One pass of expiries, reminders and escalations, as the timer does it. */
  sweepNow(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBot(config: Config, options: { clock?: Clock } = {}): Promise<RunningBot> {
  const { store, ctx } = openContext(config, options.clock);
  try {
    const seeded = await seedIfEmpty(store, config.registryPath, ctx.clock.now());
    if (seeded)
      console.log(
        `toolgate: imported ${seeded.added.length} tools from ${config.registryPath} into the empty database`,
      );
    if (config.slack.kind === 'none') throw new Error('startBot needs Slack credentials');
    let outbox: OutboxWorker | null = null;
    const app = createSlackApp(config, { ctx, onStateChange: () => outbox?.kick() });
    outbox = startOutboxWorker({
      store,
      client: outboxClient(config.slack.botToken, config.slackApiUrl, app.logger),
      clock: ctx.clock,
      logger: app.logger,
      pollMs: config.outboxPollMs,
      baseDelayMs: config.outboxRetryBaseMs,
    });
    const worker = outbox;
    const sweepNow = async () => {
      try {
        await sweep(ctx);
        worker.kick();
      } catch (e) {
        app.logger.error(`sweep failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const sweepTimer = config.sweepIntervalMs > 0 ? setInterval(() => void sweepNow(), config.sweepIntervalMs) : null;
    sweepTimer?.unref();
    if (sweepTimer) void sweepNow();
    let port: number | null = null;
    let eventsUrl: string | null = null;
    if (config.slack.kind === 'http') {
      const server = (await app.start({ port: config.port, ...(config.host && { host: config.host }) })) as Server;
      port = (server.address() as AddressInfo).port;
      eventsUrl = `http://${config.host ?? '127.0.0.1'}:${port}/slack/events`;
    } else {
      await app.start();
    }
    return {
      app,
      store,
      ctx,
      eventsUrl,
      port,
      outbox: worker,
      sweepNow,
      async stop() {
        if (sweepTimer) clearInterval(sweepTimer);
        await worker.stop();
        await app.stop();
        store.close();
      },
    };
  } catch (e) {
    store.close();
    throw e;
  }
}
