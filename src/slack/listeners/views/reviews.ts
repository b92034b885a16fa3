// Review submissions: asking for a review, and a reviewer's Classify, Same as and Reject forms.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewOutput, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { ReviewFormField } from '../../../domain/review.ts';
import { TOOL_ID } from '../../../domain/types.ts';
import { askForReview, classifyReview, rejectReview, sameAsReview } from '../../../service/reviews.ts';
import type { ReviewDecisionResult } from '../../../service/ports.ts';
import { CALLBACK, INPUT, INPUT_ELEMENT } from '../../ids.ts';
import { noticeModal } from '../../render/form.ts';
import { escapeMrkdwn as esc } from '../../render/mrkdwn.ts';
import { reviewRefusalText } from '../../render/refusals.ts';
import { REVIEW_FORM_BLOCK, reviewDecisionRefusalText } from '../../render/review.ts';
import { toolEntryFromState, toolFieldErrors } from '../../render/toolForm.ts';
import { parseMetadata, type SlackDeps } from '../shared.ts';
import type { ListenerApp } from '../routes.ts';

type Outcome = 'done' | 'open';
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type Once = (handle: (args: ViewArgs) => Promise<Outcome>) => (args: ViewArgs) => Promise<void>;

const reviewMeta = z.object({ reviewId: z.number().int().positive() });
type StateValue = ViewOutput['state']['values'][string][string];
const field = (view: ViewOutput, block: string): StateValue | undefined => view.state.values[block]?.[INPUT_ELEMENT];
const text = (v: StateValue | undefined): string => v?.value ?? '';

const byBlock = (errors: Partial<Record<ReviewFormField, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(errors).map(([f, m]) => [REVIEW_FORM_BLOCK[f as ReviewFormField], m]));

/** A review form whose metadata names no review request (forged or garbled): nothing is done. */
async function notAReview(ack: ViewArgs['ack']): Promise<Outcome> {
  await ack({
    response_action: 'update',
    view: noticeModal('Nothing changed', 'This form does not point at a review request.'),
  });
  return 'done';
}

export function register(app: ListenerApp, { ctx, onStateChange }: SlackDeps, once: Once): void {
  const { store } = ctx;
  const toolName = async () => {
    const snapshot = await store.registrySnapshot();
    return (id: string) => snapshot.tool(id)?.name ?? id;
  };
  /** A decision's answer to the reviewer: the form closes, or says why nothing changed. */
  const decided = async (ack: ViewArgs['ack'], result: ReviewDecisionResult, done: string): Promise<Outcome> => {
    if (result.ok) {
      await ack({ response_action: 'update', view: noticeModal('Done', done) });
      onStateChange();
      return 'done';
    }
    await ack({
      response_action: 'update',
      view: noticeModal('Nothing changed', reviewDecisionRefusalText(result.refusal, await toolName())),
    });
    return 'done';
  };

  app.view(
    CALLBACK.review,
    once(async ({ ack, body, view }) => {
      const result = await askForReview(ctx, body.user.id, {
        name: text(field(view, INPUT.reviewName)),
        vendor: text(field(view, INPUT.reviewVendor)),
        usage: text(field(view, INPUT.usage)),
        dataClass: field(view, INPUT.dataClass)?.selected_option?.value ?? null,
      });
      if (!result.ok && 'fieldErrors' in result) {
        await ack({ response_action: 'errors', errors: byBlock(result.fieldErrors) });
        return 'open';
      }
      if (!result.ok) {
        await ack({ response_action: 'update', view: noticeModal('Nothing sent', reviewRefusalText(result.refusal)) });
        return 'done';
      }
      const name = `*${esc(result.review.name)}*`;
      const message = result.already
        ? `You have already asked for a review of ${name}; the security team has it. You will hear back by DM.`
        : result.joined
          ? `Others have asked about ${name} too: you have joined their review request. You will hear back by DM.`
          : `Thanks. The security team has been asked to review ${name}. Until it is reviewed, please don't use it for company work.`;
      await ack({ response_action: 'update', view: noticeModal('Review requested', message) });
      if (!result.already) onStateChange();
      return 'done';
    }),
  );

  app.view(
    CALLBACK.classify,
    once(async ({ ack, body, view }) => {
      const meta = parseMetadata(reviewMeta, view.private_metadata);
      if (!meta) return notAReview(ack);
      const regions = (await store.regions()).filter((r) => TOOL_ID.pattern.test(r));
      const entry = toolEntryFromState(view.state.values, regions);
      const result = await classifyReview(ctx, body.user.id, meta.reviewId, entry);
      if (!result.ok && 'fieldErrors' in result) {
        const blocks = new Set(view.blocks.flatMap((b) => (b.type === 'input' && b.block_id ? [b.block_id] : [])));
        await ack({ response_action: 'errors', errors: toolFieldErrors(result.fieldErrors, blocks) });
        return 'open';
      }
      return decided(
        ack,
        result,
        result.ok
          ? `*${esc(entry.name)}* is in the registry now. Everyone who asked gets the answer for their region by DM.`
          : '',
      );
    }),
  );

  app.view(
    CALLBACK.sameAs,
    once(async ({ ack, body, view }) => {
      const meta = parseMetadata(reviewMeta, view.private_metadata);
      const v = field(view, INPUT.sameAsTool);
      const toolId = (v?.selected_option?.value ?? v?.value ?? '').trim();
      if (!meta || !toolId) {
        await ack({ response_action: 'errors', errors: { [INPUT.sameAsTool]: 'Choose the tool it is.' } });
        return 'open';
      }
      const result = await sameAsReview(ctx, body.user.id, meta.reviewId, toolId);
      if (!result.ok && result.refusal.kind === 'unknown_tool') {
        await ack({ response_action: 'errors', errors: { [INPUT.sameAsTool]: `No tool has the id "${toolId}".` } });
        return 'open';
      }
      return decided(ack, result, 'Saved. Everyone who asked gets the tool’s answer for their region by DM.');
    }),
  );

  app.view(
    CALLBACK.reject,
    once(async ({ ack, body, view }) => {
      const meta = parseMetadata(reviewMeta, view.private_metadata);
      if (!meta) return notAReview(ack);
      const result = await rejectReview(ctx, body.user.id, meta.reviewId, text(field(view, INPUT.reason)));
      if (!result.ok && result.refusal.kind === 'reason_required') {
        await ack({
          response_action: 'errors',
          errors: { [INPUT.reason]: reviewDecisionRefusalText(result.refusal, (id) => id) },
        });
        return 'open';
      }
      return decided(ack, result, 'Rejected. Everyone who asked is told why by DM.');
    }),
  );
}
