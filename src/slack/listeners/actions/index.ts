// Buttons: choosing among matching tools, asking for a review, and the exception buttons.
import type { App, BlockAction } from '@slack/bolt';
import { z } from 'zod';
import { answerForTool } from '../../../service/answer.ts';
import { requestReview } from '../../../service/exceptions.ts';
import { ACTION } from '../../ids.ts';
import { answerView } from '../../render/answer.ts';
import { escapeMrkdwn } from '../../render/mrkdwn.ts';
import { reviewRefusalText } from '../../render/refusals.ts';
import { BUSY_TEXT, buttonValue, toolIdValue, unlessBusy, type SlackDeps } from '../shared.ts';
import * as exceptions from './exceptions.ts';

const queryValue = z.string().trim().min(1).max(200);

export function register(app: App, deps: SlackDeps): void {
  const { ctx } = deps;
  app.action<BlockAction>(new RegExp(`^${ACTION.chooseTool}_\\d+$`), async ({ ack, body, respond }) => {
    await ack();
    const id = toolIdValue.safeParse(buttonValue(body));
    const tool = id.success ? await ctx.store.getTool(id.data) : null;
    if (!tool) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'That tool is no longer in the registry. Try /can-i-use again.',
      });
      return;
    }
    const result = await answerForTool(ctx, tool, { user: body.user.id });
    await respond({ response_type: 'ephemeral', replace_original: true, ...answerView(result) });
  });

  app.action<BlockAction>(ACTION.requestReview, async ({ ack, body, respond }) => {
    await ack();
    const query = queryValue.safeParse(buttonValue(body));
    if (!query.success) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'That button carried no tool name. Ask again with /can-i-use &lt;tool&gt;.',
      });
      return;
    }
    const result = await unlessBusy(() => requestReview(ctx, body.user.id, query.data));
    if (!result) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: BUSY_TEXT });
      return;
    }
    if (!result.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: reviewRefusalText(result.refusal) });
      return;
    }
    deps.onStateChange();
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: `Thanks. The security team has been asked to review *${escapeMrkdwn(result.query)}*. Until it is reviewed, please don't use it for company work.`,
    });
  });

  exceptions.register(app, deps);
}
