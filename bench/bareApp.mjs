// The bench's reference: a bare Bolt app on the same Bolt and the same HTTPReceiver as toolgate,
// whose /can-i-use only acks a fixed ephemeral text. Whatever toolgate does more costs the difference.
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '', logLevel: LogLevel.ERROR });
// botId and botUserId given, as toolgate gives them after its auth.test: Bolt asks Slack nothing.
const app = new App({
  token: 'xoxb-bench',
  botId: 'B0BENCH',
  botUserId: 'U0BENCHBOT',
  receiver,
  logLevel: LogLevel.ERROR,
});
app.command('/can-i-use', async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'Claude Code: Exception required.' });
});
const server = await app.start({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`bare bolt is listening on port ${server.address().port}`);
const stop = () => void app.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
