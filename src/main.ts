// `npm start`: read the environment, check it with Slack, then run the bot (or, with no Slack
// credentials, the playground). A set-up problem stops the process with one message and exit 2.
//
// The bot's modules (Bolt, its listeners) are loaded only once the configuration is read, so that
// the kept registry snapshot can be read on another thread meanwhile (keptPrefetch.ts): at 50,000
// tools that read takes as long as the loading, and the start overlaps the two.
import { loadConfig, type Config } from './config.ts';
import { isToolgateError } from './errors.ts';
import { prefetchKeptSnapshot } from './store/sqlite/keptPrefetch.ts';

const NO_CREDENTIALS = `No Slack credentials are set, so toolgate runs against a built-in stand-in for Slack.
To connect it to your workspace instead, see "Connecting to Slack" in README.md.`;

/** Stop cleanly on Ctrl-C or a service manager's SIGTERM. */
function stopOnSignal(stop: () => Promise<void>): void {
  const shutdown = () => {
    void stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** A set-up problem is said in one message, without a stack trace; anything else is a bug and keeps its stack. */
function explainAndExit(e: unknown, config: Config | null): never {
  if (isToolgateError(e)) {
    console.error(e.message);
    process.exit(2);
  }
  if ((e as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE' && config) {
    console.error(
      `toolgate cannot start: port ${config.port} is in use; start it on another one, e.g. PORT=${config.port + 1} npm start`,
    );
    process.exit(2);
  }
  throw e;
}

/** No Slack credentials: the real bot, with a local stand-in for Slack and a page to play with it. */
async function runPlayground(config: Config): Promise<void> {
  const { startPlayground } = await import('./playground/index.ts');
  const playground = await startPlayground({ config });
  console.log(NO_CREDENTIALS);
  console.log(`toolgate playground: ${playground.url}`);
  stopOnSignal(() => playground.stop());
}

async function runBot(config: Config): Promise<void> {
  const prefetchedKept = prefetchKeptSnapshot(config.databasePath);
  const { startBot } = await import('./bot.ts');
  const bot = await startBot(config, { prefetchedKept });
  console.log(
    bot.eventsUrl
      ? `toolgate is listening on port ${bot.port}: Slack request URL is <your public address>/slack/events`
      : 'toolgate is connected to Slack over Socket Mode',
  );
  stopOnSignal(() => bot.stop());
}

let config: Config | null = null;
try {
  config = loadConfig(process.env);
  await (config.slack.kind === 'none' ? runPlayground(config) : runBot(config));
} catch (e) {
  explainAndExit(e, config);
}
