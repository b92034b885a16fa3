// `npm start`: read the environment, then run the bot.
import { startBot } from './bot.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { RegistryFileError } from './service/registryFile.ts';

const HOW_TO_CONNECT = `toolgate has no Slack credentials, so there is nothing to connect to yet.

To run it in your workspace:
  1. Create the app from manifest.yml: https://api.slack.com/apps > Create New App > From a manifest.
  2. Install it to your workspace, then set:
       SLACK_BOT_TOKEN=xoxb-...        (OAuth & Permissions > Bot User OAuth Token)
       SLACK_SIGNING_SECRET=...        (Basic Information > App Credentials), for HTTP mode
     or
       SLACK_APP_TOKEN=xapp-...        (Basic Information > App-Level Tokens, scope connections:write), for Socket Mode
  3. npm start

Without Slack, ask the registry from the command line:  npx toolgate ask claude-code`;

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
    console.log(HOW_TO_CONNECT);
    process.exit(1);
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
