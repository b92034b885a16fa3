// Buttons: choosing among matching tools, asking for a review, and the exception buttons.
import type { BlockAction } from '@slack/bolt';
import { z } from 'zod';
import { answerForTool } from '../../../service/answer.ts';
import { reviewFormName } from '../../../service/reviews.ts';
import { ACTION } from '../../ids.ts';
import { answerView } from '../../render/answer.ts';
import { escapeMrkdwn } from '../../render/mrkdwn.ts';
import { reviewModal } from '../../render/review.ts';
import { buttonValue, tell, toolIdValue, type SlackDeps } from '../shared.ts';
import * as exceptions from './exceptions.ts';
import * as reviews from './reviews.ts';
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
    const query = queryValue.safeParse(buttonValue(args.body));
    if (!query.success)
      return tell(
        args,
        'Ask for a review',
        'That button carried no tool name. Ask again with /can-i-use &lt;tool&gt;.',
      );
    // What the tool is and how it would be used are asked in a form; the request is filed on submission.
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: reviewModal(reviewFormName(query.data)) });
  });

  exceptions.register(app, deps);
  reviews.register(app, deps);
  registry.register(app, deps);
}
