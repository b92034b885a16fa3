// Buttons: choosing among matching tools, asking for a review, and the exception buttons.
import type { BlockAction } from '@slack/bolt';
import { z } from 'zod';
import { answerForTool } from '../../../service/answer.ts';
import { requestReview } from '../../../service/exceptions.ts';
import { ACTION } from '../../ids.ts';
import { answerView } from '../../render/answer.ts';
import { escapeMrkdwn } from '../../render/mrkdwn.ts';
import { reviewRefusalText } from '../../render/refusals.ts';
import { BUSY_TEXT, buttonValue, tell, toolIdValue, unlessBusy, type SlackDeps } from '../shared.ts';
import * as exceptions from './exceptions.ts';
import * as registry from '../registry/index.ts';
import type { ListenerApp } from '../routes.ts';

const queryValue = z.string().trim().min(1).max(200);

export function register(app: ListenerApp, deps: SlackDeps): void {
  const { ctx } = deps;
  // These buttons sit under a /can-i-use answer; a click that came with no response_url (a forged
  // one from a view) is told what happened in a small modal instead (tell).
  app.action<BlockAction>(new RegExp(`^${ACTION.chooseTool}_\\d+$`), async (args) => {
    await args.ack();
    const id = toolIdValue.safeParse(buttonValue(args.body));
    const tool = id.success ? await ctx.store.getTool(id.data) : null;
    if (!tool) return tell(args, 'Choose a tool', 'That tool is no longer in the registry. Try /can-i-use again.');
    if (!args.body.response_url)
      return tell(args, 'Choose a tool', `Ask again with \`/can-i-use ${escapeMrkdwn(tool.id)}\`.`);
    const result = await answerForTool(ctx, tool, { user: args.body.user.id });
    await args.respond({ response_type: 'ephemeral', replace_original: true, ...answerView(result) });
  });

  app.action<BlockAction>(ACTION.requestReview, async (args) => {
    await args.ack();
    const title = 'Ask for a review';
    const query = queryValue.safeParse(buttonValue(args.body));
    if (!query.success)
      return tell(args, title, 'That button carried no tool name. Ask again with /can-i-use &lt;tool&gt;.');
    const result = await unlessBusy(() => requestReview(ctx, args.body.user.id, query.data));
    if (!result) return tell(args, title, BUSY_TEXT);
    if (!result.ok) return tell(args, title, reviewRefusalText(result.refusal));
    deps.onStateChange();
    const thanks = `Thanks. The security team has been asked to review *${escapeMrkdwn(result.query)}*. Until it is reviewed, please don't use it for company work.`;
    if (!args.body.response_url) return tell(args, title, thanks);
    await args.respond({ response_type: 'ephemeral', replace_original: true, text: thanks });
  });

  exceptions.register(app, deps);
  registry.register(app, deps);
}
