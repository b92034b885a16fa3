/** Slash commands: sent form-encoded to the commands URL; Slack shows a non-empty ack body as a message. */
import type { DriverContext } from './context.ts';
import { commandFields } from './payloads.ts';
import { overridesOf, postSigned } from './sending.ts';
import type { CommandOptions, CommandResult } from './types.ts';

export async function sendCommand(ctx: DriverContext, opts: CommandOptions): Promise<CommandResult> {
  const { standIn } = ctx;
  const channel = opts.channel ?? 'C0GENERAL';
  const channelId = standIn.conversationId(channel);
  const responseUrl = opts.responseUrl ?? standIn.newResponseUrl({ channel, user: opts.user });
  const triggerId = opts.triggerId ?? standIn.newTriggerId(opts.user);
  const rawBody = new URLSearchParams(commandFields(ctx, opts, channelId, responseUrl, triggerId)).toString();
  const response = await postSigned(
    ctx,
    ctx.commandsUrl,
    rawBody,
    'application/x-www-form-urlencoded',
    overridesOf(opts),
  );
  if (opts.applyAck !== false && response.status === 200) {
    standIn.deliverAck(responseUrl, response.json ?? response.body);
  }
  return { ...response, responseUrl, triggerId };
}
