// The exception buttons: request, renew, approve/deny (each opens a form), cancel, revoke.
import type { App, BlockAction, SlackActionMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import { approverGroupsById, cancel, deciderRefusal, requestForm } from '../../../service/exceptions.ts';
import { refreshHome } from '../../home.ts';
import { ACTION } from '../../ids.ts';
import { decisionModal, requestModal, revokeModal } from '../../render/form.ts';
import { decisionRefusalText, endRefusalText, requestRefusalText } from '../../render/refusals.ts';
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

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export function register(app: App, { ctx, onStateChange }: SlackDeps): void {
  const { store } = ctx;

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
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: requestModal(result.form) });
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
    if (previous.status === 'revoked')
      return tell(args, 'Renew an exception', endRefusalText({ kind: 'wrong_status', status: previous.status }));
    await openRequestForm(args, previous.toolId, previous.id);
  });

  // Approve and Deny both open a form; whether this person may decide is checked first, and again on submit.
  for (const decision of ['approve', 'deny'] as const) {
    app.action<BlockAction>(decision === 'approve' ? ACTION.approve : ACTION.deny, async (args) => {
      await args.ack();
      const target = stageValue.safeParse(buttonValue(args.body));
      if (!target.success) return tell(args, 'Decide', 'That button does not point at a request.');
      const { requestId, position } = target.data;
      const refusal = await deciderRefusal(ctx, requestId, position, args.body.user.id);
      const request = await store.getRequest(requestId);
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
        view: decisionModal(request, tool, position, decision),
      });
    });
  }

  app.action<BlockAction>(ACTION.cancel, async (args) => {
    await args.ack();
    const id = requestIdValue.safeParse(buttonValue(args.body));
    if (!id.success) return tell(args, 'Cancel request', 'That button does not point at a request.');
    const result = await unlessBusy(() => cancel(ctx, id.data, args.body.user.id));
    if (!result) return tell(args, 'Cancel request', BUSY_TEXT);
    if (!result.ok) return tell(args, 'Cancel request', endRefusalText(result.refusal));
    onStateChange();
    if (args.body.container?.type === 'view') await refreshHome(args.client, ctx, args.body.user.id, args.logger);
    else
      await args.respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: `Request #${id.data} is cancelled.`,
      });
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
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: revokeModal(request, tool) });
  });
}
