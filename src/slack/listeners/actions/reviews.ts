// The review request's buttons in the review channel: Classify, Same as an existing tool, Reject.
// Each opens its form only for a reviewer of an open request; the decision is checked again on submission.
import type { BlockAction } from '@slack/bolt';
import { z } from 'zod';
import type { ToolReview } from '../../../domain/review.ts';
import type { Registry } from '../../../domain/types.ts';
import { reviewToDecide } from '../../../service/reviews.ts';
import { ACTION } from '../../ids.ts';
import { classifyModal, rejectModal, reviewDecisionRefusalText, sameAsModal } from '../../render/review.ts';
import { buttonValue, tell, type SlackDeps } from '../shared.ts';
import type { ListenerApp } from '../routes.ts';

const reviewIdValue = z
  .string()
  .regex(/^\d{1,12}$/, 'expected a review request number')
  .transform(Number);

export function register(app: ListenerApp, { ctx }: SlackDeps): void {
  const forms = [
    [
      ACTION.reviewClassify,
      'Classify',
      (review: ToolReview, registry: Registry) =>
        classifyModal(review, registry, ctx.clock.now().toISOString().slice(0, 10)),
    ],
    [ACTION.reviewSameAs, 'Same as a tool', sameAsModal],
    [ACTION.reviewReject, 'Reject', (review: ToolReview) => rejectModal(review)],
  ] as const;
  for (const [actionId, title, form] of forms) {
    app.action<BlockAction>(actionId, async (args) => {
      await args.ack();
      const id = reviewIdValue.safeParse(buttonValue(args.body));
      if (!id.success) return tell(args, title, 'That button does not point at a review request.');
      const ready = await reviewToDecide(ctx, args.body.user.id, id.data);
      if (!ready.ok) {
        const snapshot = await ctx.store.registrySnapshot();
        return tell(
          args,
          title,
          reviewDecisionRefusalText(ready.refusal, (t) => snapshot.tool(t)?.name ?? t),
        );
      }
      await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: form(ready.review, ready.snapshot.registry),
      });
    });
  }
}
