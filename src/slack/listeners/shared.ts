// What the listeners share: parsing what Slack sends back, and telling a person why nothing happened.
import type { AllMiddlewareArgs, BlockAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { TOOL_ID } from '../../domain/types.ts';
import { StoreBusyError } from '../../errors.ts';
import type { ServiceContext } from '../../service/ports.ts';
import { noticeModal } from '../render/form.ts';

export interface SlackDeps {
  ctx: ServiceContext;
  /** A state change was committed: its outbox messages are waiting. */
  onStateChange: () => void;
  /** SLACK_API_URL, if set: response URLs on its host are the stand-in's. */
  slackApiUrl: string | null;
}

// Values carried in buttons are only pointers; everything they point at is re-read and re-checked.
export const toolIdValue = z.string().max(TOOL_ID.maxLength).regex(TOOL_ID.pattern);
export const requestIdValue = z
  .string()
  .regex(/^\d{1,12}$/, 'expected a request number')
  .transform(Number);
export const stageValue = z
  .string()
  .regex(/^\d{1,12}:\d{1,3}$/, 'expected request:stage')
  .transform((v) => {
    const [id, position] = v.split(':').map(Number);
    return { requestId: id as number, position: position as number };
  });

export function buttonValue(body: BlockAction): string | undefined {
  const action = body.actions[0];
  return action?.type === 'button' ? action.value : undefined;
}

/** Parse private_metadata we wrote ourselves; a tampered or stale one is refused, not trusted. */
export function parseMetadata<T>(schema: z.ZodType<T>, raw: string | undefined): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(raw ?? ''));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Tell the clicking person something only they see: an ephemeral reply where the click came
 * from a message, a small modal where it came from a view (App Home has no response_url).
 */
export async function tell(
  args: { body: BlockAction; respond: RespondFn; client: AllMiddlewareArgs['client'] },
  title: string,
  text: string,
): Promise<void> {
  if (args.body.container?.type === 'view' || !args.body.response_url) {
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: noticeModal(title, text) });
    return;
  }
  await args.respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** What a person is told when another process held the database's write lock past Slack's deadline. */
export const BUSY_TEXT = 'toolgate is busy right now, so nothing changed. Please try again in a moment.';

/** Runs a state change; a StoreBusyError (nothing changed) becomes `null`, for the caller to say so. */
export async function unlessBusy<T>(change: () => Promise<T>): Promise<T | null> {
  try {
    return await change();
  } catch (e) {
    if (e instanceof StoreBusyError) return null;
    throw e;
  }
}
