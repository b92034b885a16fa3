// The real bot on Bolt's HTTP receiver, a stand-in for Slack's Web API, and a driver
// that sends requests exactly as Slack does. One per test file or per test.
import { startBot, type RunningBot } from '../../src/bot.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Clock } from '../../src/service/ports.ts';
import { createSlackDriver, startSlackStandIn, type SlackDriver, type SlackStandIn } from '../../src/standIn/index.ts';
import { REGISTRY_PATH, tempDbPath } from './tmp.ts';

export const SIGNING_SECRET = '0123456789abcdef0123456789abcdef';

export interface Harness {
  bot: RunningBot;
  standIn: SlackStandIn;
  slack: SlackDriver;
  config: Config;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  databasePath?: string;
  registryPath?: string;
  clock?: Clock;
  env?: Record<string, string>;
  /**
   * A stand-in to share with another harness (e.g. a bot restarted on the same database).
   * The caller owns it: stop() leaves it running.
   */
  standIn?: SlackStandIn;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const ownStandIn = !options.standIn;
  const standIn = options.standIn ?? (await startSlackStandIn());
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: options.databasePath ?? tempDbPath(),
    REGISTRY_PATH: options.registryPath ?? REGISTRY_PATH,
    LOG_LEVEL: 'error',
    ...options.env,
  });
  const bot = await startBot(config, options.clock ? { clock: options.clock } : {});
  const slack = createSlackDriver({ botUrl: bot.eventsUrl as string, signingSecret: SIGNING_SECRET, standIn });
  return {
    bot,
    standIn,
    slack,
    config,
    async stop() {
      await bot.stop();
      if (ownStandIn) await standIn.close();
    },
  };
}

/** All the text a Block Kit message shows, flattened, for assertions on what a person reads. */
export function visibleText(message: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string' && (o.type === 'mrkdwn' || o.type === 'plain_text')) out.push(o.text);
      for (const [k, child] of Object.entries(o))
        if (k !== 'value' && k !== 'action_id' && k !== 'block_id') walk(child);
    }
  };
  walk(message);
  return out.join('\n');
}
