import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { answerForTool } from '../../../service/answer.ts';
import type { ServiceContext } from '../../../service/context.ts';
import { ACTION, answerView } from '../../views/answer.ts';
import { escapeMrkdwn } from '../../views/mrkdwn.ts';

// Button values come from the client: parse them, then trust only what the database says.
const toolIdValue = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
const queryValue = z.string().trim().min(1).max(200);

export function buttonValue(body: BlockAction): string | undefined {
  const action = body.actions[0] as ButtonAction | undefined;
  return action?.type === 'button' ? action.value : undefined;
}

export function register(app: App, ctx: ServiceContext): void {
  app.action<BlockAction>(new RegExp(`^${ACTION.chooseTool}_\\d+$`), async ({ ack, body, respond }) => {
    await ack();
    const id = toolIdValue.safeParse(buttonValue(body));
    const tool = id.success ? await ctx.store.getTool(id.data) : null;
    if (!tool) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That tool is no longer in the registry. Try /can-i-use again.' });
      return;
    }
    const result = await answerForTool(ctx, tool, { user: body.user.id });
    await respond({ response_type: 'ephemeral', replace_original: true, ...answerView(result) });
  });

  app.action<BlockAction>(ACTION.requestReview, async ({ ack, body, respond, client }) => {
    await ack();
    const query = queryValue.safeParse(buttonValue(body));
    if (!query.success) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That button carried no tool name. Ask again with /can-i-use <tool>.' });
      return;
    }
    const channel = await ctx.store.reviewChannel();
    if (!channel) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'No review channel is configured yet. Please ask the security team directly.' });
      return;
    }
    await client.chat.postMessage({
      channel,
      text: `<@${body.user.id}> asks for a review of *${escapeMrkdwn(query.data)}*, which is not in the registry.`,
    });
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: `Thanks. The security team has been asked to review *${escapeMrkdwn(query.data)}*. Until it is reviewed, please don't use it for company work.`,
    });
  });

  app.action<BlockAction>(ACTION.requestException, async ({ ack, respond }) => {
    await ack();
    await respond({ response_type: 'ephemeral', replace_original: false, text: 'Exception requests are not available yet.' });
  });
}
