// Modal submissions: the exception request form, approve/deny, revoke.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewOutput, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { AbsenceErrors, AbsenceField } from '../../../domain/approvers.ts';
import type { RequestFormField } from '../../../domain/requestForm.ts';
import { setAbsence } from '../../../service/approverGroups.ts';
import { TOOL_ID } from '../../../domain/types.ts';
import { approverGroupsById, decide, requestException, revoke } from '../../../service/exceptions.ts';
import { refreshHome } from '../../home.ts';
import { CALLBACK, INPUT, INPUT_ELEMENT, type InputBlockId } from '../../ids.ts';
import { noticeModal } from '../../render/form.ts';
import { escapeMrkdwn as esc } from '../../render/mrkdwn.ts';
import { decisionRefusalText, endRefusalText, requestRefusalText } from '../../render/refusals.ts';
import { isSlackResponseUrl } from '../../responseUrl.ts';
import { BUSY_TEXT, parseMetadata, unlessBusy, type SlackDeps } from '../shared.ts';
import { StoreBusyError } from '../../../errors.ts';
import type { ListenerApp } from '../routes.ts';
import * as reviews from './reviews.ts';

type StateValue = ViewOutput['state']['values'][string][string];

/** The one element of an input block, as Slack reports it. */
const field = (view: ViewOutput, block: InputBlockId): StateValue | undefined =>
  view.state.values[block]?.[INPUT_ELEMENT];
const text = (v: StateValue | undefined): string => v?.value ?? '';

const requestMeta = z.object({
  toolId: z.string().max(TOOL_ID.maxLength).regex(TOOL_ID.pattern),
  renewalOf: z.number().int().positive().nullable(),
  /** The ephemeral answer the form was opened from (its response URL, and until when it works). */
  answer: z.object({ url: z.string().max(2000), until: z.iso.datetime() }).optional(),
});
const stageMeta = z.object({ requestId: z.number().int().positive(), position: z.number().int().min(0) });
const requestMetaId = z.object({ requestId: z.number().int().positive() });

/** Where Slack shows each form field's problem: under its input block. */
const FORM_BLOCK: Record<RequestFormField, InputBlockId> = {
  justification: INPUT.justification,
  usage: INPUT.usage,
  dataClass: INPUT.dataClass,
  durationDays: INPUT.duration,
};

const ABSENCE_BLOCK: Record<AbsenceField, InputBlockId> = {
  startsOn: INPUT.awayFrom,
  endsOn: INPUT.awayUntil,
  delegate: INPUT.delegate,
};
const absenceErrorsByBlock = (errors: AbsenceErrors): Record<string, string> =>
  Object.fromEntries(Object.entries(errors).map(([f, message]) => [ABSENCE_BLOCK[f as AbsenceField], message]));

const byBlock = (errors: Partial<Record<RequestFormField, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(errors).map(([f, message]) => [FORM_BLOCK[f as RequestFormField], message]));

/** What a submission did: acted on (or refused for good), or left the form open with field errors to fix. */
type Outcome = 'done' | 'open';
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

export function register(app: ListenerApp, deps: SlackDeps): void {
  const { ctx, onStateChange, slackApiUrl } = deps;
  const { store } = ctx;

  /**
   * A submitted view (by its id and hash) is acted on once: the same submission sent again, a
   * replay or a double click, is answered and changes nothing. A form left open with field errors
   * is given back, so the corrected one can be submitted.
   */
  const once = (handle: (args: ViewArgs) => Promise<Outcome>) => async (args: ViewArgs) => {
    const key = { id: args.view.id, hash: args.view.hash };
    let claimed = false;
    try {
      claimed = await store.claimViewSubmission(key, args.body.user.id, ctx.clock.now());
      if (!claimed) {
        await args.ack({
          response_action: 'update',
          view: noticeModal('Already submitted', 'This form was already submitted, so nothing changed this time.'),
        });
        return;
      }
      // A form left open (field errors) can be corrected and submitted again. Best effort: it was acked.
      if ((await handle(args)) === 'open') await unlessBusy(() => store.releaseViewSubmission(key));
    } catch (e) {
      if (!(e instanceof StoreBusyError)) throw e;
      // Nothing changed: the form stays as it was, under a notice, so nothing typed is lost.
      if (claimed) await unlessBusy(() => store.releaseViewSubmission(key));
      await args.ack({ response_action: 'push', view: noticeModal('Try again', BUSY_TEXT) });
    }
  };

  reviews.register(app, deps, once);

  app.view(
    CALLBACK.request,
    once(async ({ ack, body, view, client }) => {
      const meta = parseMetadata(requestMeta, view.private_metadata);
      const tool = meta ? await store.getTool(meta.toolId) : null;
      if (!meta || !tool) {
        await ack({
          response_action: 'update',
          view: noticeModal(
            'Nothing filed',
            'This form no longer matches a tool in the registry. Please ask again with /can-i-use.',
          ),
        });
        return 'done';
      }
      // The form's limits are checked by requestException (the domain's checkRequestForm): this only reads the fields.
      const result = await requestException(ctx, {
        user: body.user.id,
        toolId: tool.id,
        justification: text(field(view, INPUT.justification)),
        usage: text(field(view, INPUT.usage)),
        dataClass: field(view, INPUT.dataClass)?.selected_option?.value ?? null,
        durationDays: text(field(view, INPUT.duration)),
        renewalOf: meta.renewalOf,
        // Checked again here: only Slack's own response URLs are ever posted to.
        answer:
          meta.answer && isSlackResponseUrl(meta.answer.url, slackApiUrl)
            ? { url: meta.answer.url, until: new Date(meta.answer.until) }
            : null,
      });
      if (!result.ok) {
        if ('fieldErrors' in result) {
          await ack({ response_action: 'errors', errors: byBlock(result.fieldErrors) });
          return 'open';
        }
        await ack({
          response_action: 'update',
          view: noticeModal(
            'Nothing filed',
            requestRefusalText(result.refusal, tool.name, await store.reviewChannel()),
          ),
        });
        return 'done';
      }
      const r = result.request;
      const message =
        r.status === 'active'
          ? `Exception #${r.id} for *${esc(tool.name)}* is granted until ${r.expiresAt?.slice(0, 10)}.`
          : `Request #${r.id} for *${esc(tool.name)}* is filed. You will get a direct message when it is decided.`;
      await ack({ response_action: 'update', view: noticeModal('Request filed', message) });
      onStateChange();
      await refreshHome(client, ctx, body.user.id, app.logger);
      return 'done';
    }),
  );

  for (const decision of ['approve', 'deny'] as const) {
    const noteBlock = decision === 'approve' ? INPUT.note : INPUT.reason;
    app.view(
      decision === 'approve' ? CALLBACK.approve : CALLBACK.deny,
      once(async ({ ack, body, view, client }) => {
        const meta = parseMetadata(stageMeta, view.private_metadata);
        if (!meta) {
          await ack({
            response_action: 'update',
            view: noticeModal('Nothing changed', 'This form does not point at a request.'),
          });
          return 'done';
        }
        const note = text(field(view, noteBlock)).trim() || null;
        const result = await decide(ctx, { ...meta, actor: body.user.id, decision, note });
        if (result.ok) {
          await ack();
          onStateChange();
          await refreshHome(client, ctx, body.user.id, app.logger);
          return 'done';
        }
        if (result.refusal.kind === 'reason_required' || result.refusal.kind === 'note_too_long') {
          await ack({
            response_action: 'errors',
            errors: { [noteBlock]: decisionRefusalText(result.refusal, (id) => id) },
          });
          return 'open';
        }
        const request = await store.getRequest(meta.requestId);
        const groups = await approverGroupsById(store, request?.stages.map((s) => s.groupId) ?? []);
        await ack({
          response_action: 'update',
          view: noticeModal(
            'Nothing changed',
            decisionRefusalText(result.refusal, (id) => groups.get(id)?.name ?? id),
          ),
        });
        return 'done';
      }),
    );
  }

  app.view(
    CALLBACK.absence,
    once(async ({ ack, body, view, client }) => {
      const user = body.user.id;
      const result = await setAbsence(ctx, {
        user,
        startsOn: field(view, INPUT.awayFrom)?.selected_date ?? null,
        endsOn: field(view, INPUT.awayUntil)?.selected_date ?? null,
        delegate: field(view, INPUT.delegate)?.selected_user ?? null,
      });
      if (!result.ok) {
        await ack({ response_action: 'errors', errors: absenceErrorsByBlock(result.errors) });
        return 'open';
      }
      const a = result.absence;
      await ack({
        response_action: 'update',
        view: noticeModal(
          'Absence saved',
          `You are away from *${a.startsOn}* to *${a.endsOn}*. <@${a.delegate}> decides in your place in ${result.covers.map((c) => `*${esc(c)}*`).join(', ')}, and gets your reminders.`,
        ),
      });
      onStateChange();
      await refreshHome(client, ctx, user, app.logger);
      return 'done';
    }),
  );

  app.view(
    CALLBACK.revoke,
    once(async ({ ack, body, view }) => {
      const meta = parseMetadata(requestMetaId, view.private_metadata);
      if (!meta) {
        await ack({
          response_action: 'update',
          view: noticeModal('Nothing changed', 'This form does not point at an exception.'),
        });
        return 'done';
      }
      const result = await revoke(ctx, meta.requestId, body.user.id, text(field(view, INPUT.reason)).trim());
      if (result.ok) {
        await ack();
        onStateChange();
        return 'done';
      }
      if (result.refusal.kind === 'reason_required' || result.refusal.kind === 'reason_too_long') {
        await ack({ response_action: 'errors', errors: { reason: endRefusalText(result.refusal) } });
        return 'open';
      }
      await ack({ response_action: 'update', view: noticeModal('Nothing changed', endRefusalText(result.refusal)) });
      return 'done';
    }),
  );
}
