// `npm start`: read the environment, then run the bot.
import { startBot } from './bot.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { RegistryFileError } from './service/registryFile.ts';

const NO_CREDENTIALS = `No Slack credentials are set, so toolgate runs against a built-in stand-in for Slack.
To connect it to your workspace instead, see "Connecting to Slack" in README.md.`;

/** No Slack credentials: the real bot, with a local stand-in for Slack and a page to play with it. */
async function runPlayground(config: Config): Promise<void> {
  const { startPlayground } = await import('./playground/index.ts');
  let playground: Awaited<ReturnType<typeof startPlayground>>;
  try {
    playground = await startPlayground({ config });
  } catch (e) {
    if (e instanceof RegistryFileError) {
      console.error(e.message);
      process.exit(2);
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `toolgate playground: port ${config.port} is in use; start it on another one, e.g. PORT=${config.port + 1} npm start`,
      );
      process.exit(2);
    }
    throw e;
  }
  console.log(NO_CREDENTIALS);
  console.log(`toolgate playground: ${playground.url}`);
  const shutdown = () => {
    playground.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  if (config.slack.kind === 'none') {
    await runPlayground(config);
    return;
  }
  try {
    const bot = await startBot(config);
    console.log(
      bot.eventsUrl
        ? `toolgate is listening on port ${bot.port}: Slack request URL is <your public address>/slack/events`
        : 'toolgate is connected to Slack over Socket Mode',
    );
    const shutdown = () => {
      bot.stop().finally(() => process.exit(0));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (e) {
    if (e instanceof RegistryFileError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

await main();
