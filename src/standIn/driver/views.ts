/**
 * Submitting and closing views. Submission first checks what a Slack client checks (required
 * fields, number ranges) and refuses as a client would; afterwards Slack applies the bot's
 * response_action to the modal stack, and so does this step unless told not to.
 */
import { buildStateValues, type StateValues } from '../blocks.ts';
import { currentView, type DriverContext } from './context.ts';
import { viewClosedPayload, viewSubmissionPayload } from './payloads.ts';
import { overridesOf, sendPayload } from './sending.ts';
import type { InteractionResult, ViewClosedOptions, ViewSubmissionOptions } from './types.ts';

/** Thrown when a Slack client would not send the submission at all. */
export class SlackClientValidationError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super(`a Slack client would refuse to submit this view: ${JSON.stringify(errors)}`);
    this.name = 'SlackClientValidationError';
  }
}

export async function viewSubmission(ctx: DriverContext, opts: ViewSubmissionOptions): Promise<InteractionResult> {
  const { standIn } = ctx;
  const view = currentView(ctx, opts.view);
  const built = buildStateValues(view.blocks, opts.values ?? {});
  if (!opts.skipClientValidation && Object.keys(built.clientErrors).length > 0) {
    throw new SlackClientValidationError(built.clientErrors);
  }
  const values: StateValues = { ...view.state.values, ...built.values };
  standIn.setViewState(view.id, values);
  const triggerId = standIn.newTriggerId(opts.user);
  const payload = viewSubmissionPayload(ctx, opts.user, view, values, triggerId);
  const response = await sendPayload(ctx, payload, overridesOf(opts));
  if (opts.applyResponse !== false && response.status === 200) {
    standIn.applyViewSubmissionResponse(opts.user, view.id, response.json ?? {});
  }
  return { ...response, triggerId, payload };
}

/** The user closes a view: closed in the stand-in first (unless told not to), then the bot hears of it. */
export async function viewClosed(ctx: DriverContext, opts: ViewClosedOptions): Promise<InteractionResult> {
  const view = currentView(ctx, opts.view);
  const payload = viewClosedPayload(ctx, opts.user, view, opts.isCleared ?? false);
  if (opts.applyClose !== false) ctx.standIn.closeView(opts.user, view.id, { all: opts.isCleared === true });
  const response = await sendPayload(ctx, payload, overridesOf(opts));
  return { ...response, triggerId: '', payload };
}
