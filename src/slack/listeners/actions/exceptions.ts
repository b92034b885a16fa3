// The exception buttons: request, renew, approve/deny (each opens a form), cancel, revoke.
import type { BlockAction, SlackActionMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import type { ExceptionRequest } from '../../../domain/exceptions.ts';
import { utcDay } from '../../../domain/approvers.ts';
import { absenceView, clearAbsence } from '../../../service/approverGroups.ts';
import { approverGroupsById, cancel, deciderRefusal, requestForm } from '../../../service/exceptions.ts';
import type { ServiceContext } from '../../../service/ports.ts';
import { refreshHome } from '../../home.ts';
import { ACTION } from '../../ids.ts';
import { staleApprovalCopy, staleCopyText } from '../../render/approval.ts';
import { absenceModal, decisionModal, requestModal, revokeModal } from '../../render/form.ts';
import { requestStateLine } from '../../render/dm.ts';
import { decisionRefusalText, endRefusalText, requestRefusalText } from '../../render/refusals.ts';
import { isSlackResponseUrl, RESPONSE_URL_LIFETIME_MS } from '../../responseUrl.ts';
import {
  BUSY_TEXT,
  buttonValue,
  requestIdValue,
  stageValue,
  tell,
  toolIdValue,
  unlessBusy,
  type SlackDeps,
} from '../shared.ts';
import type { ListenerApp } from '../routes.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * A click on a channel message that is not the approval message recorded for its stage: a copy
 * left behind when the bot died after Slack posted it but before the bot recorded where (a later
 * post is the one kept up to date). Answers that it is out of date with a link to the current one,
 * and turns the copy into an inert one. Returns false for the current message and for the App Home.
 */
async function answeredAsStaleCopy(
  args: ButtonArgs,
  store: ServiceContext['store'],
  r: ExceptionRequest,
  position: number,
): Promise<boolean> {
  const container = args.body.container as {
    type?: unknown;
    message_ts?: unknown;
    channel_id?: unknown;
    is_ephemeral?: unknown;
  };
  if (container.type !== 'message' || container.is_ephemeral === true) return false;
  const stage = r.stages[position];
  if (!stage?.messageTs || !stage.messageChannel) return false; // not recorded yet: nothing to compare with
  const ts = typeof container.message_ts === 'string' ? container.message_ts : args.body.message?.ts;
  const channel = typeof container.channel_id === 'string' ? container.channel_id : args.body.channel?.id;
  if (!ts || !channel || (ts === stage.messageTs && channel === stage.messageChannel)) return false;
  let permalink: string | null = null;
  try {
    const link = await args.client.chat.getPermalink({ channel: stage.messageChannel, message_ts: stage.messageTs });
    permalink = link.permalink ?? null;
  } catch (e) {
    args.logger.warn(`no permalink for request #${r.id}'s approval message: ${messageOf(e)}`);
  }
  await tell(args, 'Out of date', staleCopyText(r.id, permalink, stage.messageChannel));
  // The copy stops looking live for everyone else, too (best effort: the answer above is what matters).
  const tool = await store.getTool(r.toolId);
  if (tool) {
    try {
      await args.client.chat.update({
        channel,
        ts,
        ...staleApprovalCopy(r, tool, permalink, stage.messageChannel, await store.displayNames()),
      });
    } catch (e) {
      args.logger.warn(`could not mark a stray copy of request #${r.id}'s approval message: ${messageOf(e)}`);
    }
  }
  return true;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function register(app: ListenerApp, { ctx, onStateChange, slackApiUrl }: SlackDeps): void {
  const { store } = ctx;

  /**
   * The ephemeral /can-i-use answer a click came from, while Slack lets the bot replace it: once
   * the request is filed, it shows the request instead of the button.
   */
  const answerOf = (args: ButtonArgs): { url: string; until: string } | null => {
    const container = args.body.container as { type?: unknown; is_ephemeral?: unknown } | undefined;
    const url = args.body.response_url;
    if (container?.type !== 'message' || container.is_ephemeral !== true || !isSlackResponseUrl(url, slackApiUrl))
      return null;
    return { url, until: new Date(ctx.clock.now().getTime() + RESPONSE_URL_LIFETIME_MS).toISOString() };
  };

  const openRequestForm = async (args: ButtonArgs, toolId: string, renewalOf: number | null) => {
    const user = args.body.user.id;
    const result = await requestForm(ctx, user, toolId, renewalOf);
    if (!result.ok) {
      const tool = await store.getTool(toolId);
      await tell(
        args,
        'Request an exception',
        requestRefusalText(result.refusal, tool?.name ?? toolId, await store.reviewChannel()),
      );
      return;
    }
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: requestModal(result.form, answerOf(args)) });
  };

  app.action<BlockAction>(ACTION.requestException, async (args) => {
    await args.ack();
    const toolId = toolIdValue.safeParse(buttonValue(args.body));
    if (!toolId.success)
      return tell(args, 'Request an exception', 'That button carried no tool. Ask again with /can-i-use &lt;tool&gt;.');
    await openRequestForm(args, toolId.data, null);
  });

  app.action<BlockAction>(ACTION.renew, async (args) => {
    await args.ack();
    const id = requestIdValue.safeParse(buttonValue(args.body));
    const previous = id.success ? await store.getRequest(id.data) : null;
    if (!previous || previous.requester !== args.body.user.id)
      return tell(args, 'Renew an exception', 'That exception is not yours to renew.');
    // An old reminder's button must not offer to renew what an admin has since revoked.
    if (previous.status === 'revoked') {
      const tool = await store.getTool(previous.toolId);
      return tell(
        args,
        'Renew an exception',
        tool
          ? `${requestStateLine(previous, tool)} Nothing to renew.`
          : endRefusalText({ kind: 'wrong_status', status: previous.status }),
      );
    }
    await openRequestForm(args, previous.toolId, previous.id);
  });

  // Approve and Deny both open a form; whether this person may decide is checked first, and again on submit.
  for (const decision of ['approve', 'deny'] as const) {
    app.action<BlockAction>(decision === 'approve' ? ACTION.approve : ACTION.deny, async (args) => {
      await args.ack();
      const target = stageValue.safeParse(buttonValue(args.body));
      if (!target.success) return tell(args, 'Decide', 'That button does not point at a request.');
      const { requestId, position } = target.data;
      const request = await store.getRequest(requestId);
      if (request && (await answeredAsStaleCopy(args, store, request, position))) return;
      const refusal = await deciderRefusal(ctx, requestId, position, args.body.user.id);
      if (refusal || !request) {
        const groups = await approverGroupsById(store, request?.stages.map((s) => s.groupId) ?? []);
        return tell(
          args,
          'Nothing changed',
          decisionRefusalText(refusal ?? { kind: 'not_found' }, (id) => groups.get(id)?.name ?? id),
        );
      }
      const tool = await store.getTool(request.toolId);
      if (!tool) return tell(args, 'Nothing changed', 'The tool of this request is no longer in the registry.');
      await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: decisionModal(request, tool, position, decision, await store.displayNames()),
      });
    });
  }

  app.action<BlockAction>(ACTION.cancel, async (args) => {
    await args.ack();
    const id = requestIdValue.safeParse(buttonValue(args.body));
    if (!id.success) return tell(args, 'Cancel request', 'That button does not point at a request.');
    const result = await unlessBusy(() => cancel(ctx, id.data, args.body.user.id));
    if (!result) return tell(args, 'Cancel request', BUSY_TEXT);
    if (!result.ok) {
      // A Cancel left on an old message: say where the request stands now, in one line.
      const r = result.refusal.kind === 'wrong_status' ? await store.getRequest(id.data) : null;
      const tool = r ? await store.getTool(r.toolId) : null;
      return tell(
        args,
        'Cancel request',
        r && tool ? `${requestStateLine(r, tool)} Nothing to cancel.` : endRefusalText(result.refusal),
      );
    }
    onStateChange();
    if (args.body.container?.type === 'view') await refreshHome(args.client, ctx, args.body.user.id, args.logger);
    else
      await args.respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: `Request #${id.data} is cancelled.`,
      });
  });

  // App Home: an approver's absence, and who decides in their place meanwhile.
  app.action<BlockAction>(ACTION.setAbsence, async (args) => {
    await args.ack();
    const view = await absenceView(ctx, args.body.user.id);
    if (!view.groups.length)
      return tell(args, 'I’m away', 'You are not in any approver group, so there are no approvals to hand over.');
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: absenceModal(view, utcDay(ctx.clock.now())),
    });
  });

  app.action<BlockAction>(ACTION.clearAbsence, async (args) => {
    await args.ack();
    const user = args.body.user.id;
    const cleared = await unlessBusy(() => clearAbsence(ctx, user));
    if (cleared === null) return tell(args, 'I’m not away', BUSY_TEXT);
    if (!cleared) return tell(args, 'I’m not away', 'You had no absence set. Nothing changed.');
    await refreshHome(args.client, ctx, user, args.logger);
  });

  app.action<BlockAction>(ACTION.revoke, async (args) => {
    await args.ack();
    const id = requestIdValue.safeParse(buttonValue(args.body));
    const request = id.success ? await store.getRequest(id.data) : null;
    if (!request) return tell(args, 'Revoke exception', 'That exception does not exist.');
    if (!(await store.isAdmin(args.body.user.id)))
      return tell(args, 'Revoke exception', endRefusalText({ kind: 'not_admin' }));
    if (request.status !== 'active')
      return tell(args, 'Revoke exception', endRefusalText({ kind: 'wrong_status', status: request.status }));
    const tool = await store.getTool(request.toolId);
    if (!tool) return tell(args, 'Revoke exception', 'The tool of this exception is no longer in the registry.');
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: revokeModal(request, tool, await store.displayNames()),
    });
  });
}
