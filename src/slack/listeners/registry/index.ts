// Reclassifying a tool from its /can-i-use answer (issue 12): History, and Edit (a modal with the
// change, then its impact to confirm). Who may edit is checked on the server at the click, at the
// first submission and at the confirmation; nothing a button or a view carries is trusted.
import type {
  AllMiddlewareArgs,
  BlockAction,
  SlackViewMiddlewareArgs,
  ViewOutput,
  ViewSubmitAction,
} from '@slack/bolt';
import { z } from 'zod';
import { CONSEQUENTIAL } from '../../../domain/reclassification.ts';
import { rubricSettings } from '../../../domain/rubric.ts';
import { RISK_CLASSES, TOOL_ID, TOOL_STATUSES, type ToolStatus } from '../../../domain/types.ts';
import { editTool, mayEdit, toolHistoryText, type EditRefusal, type ToolEdit } from '../../../service/reclassify.ts';
import { ACTION, CALLBACK, EDIT_REGION_PREFIX, INPUT, INPUT_ELEMENT } from '../../ids.ts';
import { noticeModal } from '../../render/form.ts';
import { escapeMrkdwn as esc } from '../../render/mrkdwn.ts';
import { confirmEditModal, editToolModal, historyModal, INHERIT, type EditDraft } from '../../render/toolEdit.ts';
import { BUSY_TEXT, buttonValue, parseMetadata, tell, toolIdValue, unlessBusy, type SlackDeps } from '../shared.ts';
import type { ListenerApp } from '../routes.ts';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const NOT_EDITOR = 'Only admins and the review group can reclassify tools. Nothing changed.';

const draftSchema = z.object({
  toolId: z.string().max(TOOL_ID.maxLength).regex(TOOL_ID.pattern),
  status: z.enum(TOOL_STATUSES),
  risk: z.enum(RISK_CLASSES),
  regions: z.record(z.string().max(TOOL_ID.maxLength), z.union([z.enum(TOOL_STATUSES), z.literal(INHERIT)])),
  reason: z.string().max(2000),
});
const confirmMeta = z.object({ draft: draftSchema, shown: z.array(z.number().int()) });
const editMeta = z.object({ toolId: z.string().max(TOOL_ID.maxLength).regex(TOOL_ID.pattern) });

/** What the Edit modal's fields say, as a draft (checked by the service, not here). */
function readDraft(view: ViewOutput, toolId: string): EditDraft {
  const values = view.state.values;
  const picked = (block: string): string => values[block]?.[INPUT_ELEMENT]?.selected_option?.value ?? '';
  const regions: Record<string, string> = {};
  for (const block of Object.keys(values))
    if (block.startsWith(EDIT_REGION_PREFIX)) regions[block.slice(EDIT_REGION_PREFIX.length)] = picked(block);
  return {
    toolId,
    status: picked(INPUT.editStatus),
    risk: picked(INPUT.editRisk),
    regions,
    reason: values[INPUT.editReason]?.[INPUT_ELEMENT]?.value ?? '',
  };
}

const editOf = (d: z.infer<typeof draftSchema>): ToolEdit => ({
  kind: 'fields',
  status: d.status,
  risk: d.risk,
  regions: Object.fromEntries(
    Object.entries(d.regions).map(([r, s]): [string, ToolStatus | null] => [r, s === INHERIT ? null : s]),
  ),
});

/** A refusal the person can fix in the form, under the field it concerns; null for the others. */
function fieldErrors(refusal: EditRefusal): Record<string, string> | null {
  switch (refusal.kind) {
    case 'reason_required':
      return { [INPUT.editReason]: `Say why, in at least ${refusal.min} characters.` };
    case 'reason_too_long':
      return { [INPUT.editReason]: `At most ${refusal.max} characters.` };
    case 'unchanged':
      return { [INPUT.editStatus]: 'This is how the tool is classified already: change something first.' };
    case 'invalid': {
      const errors: Record<string, string> = {};
      for (const e of refusal.errors) {
        const region = /^regions\.([^.:]+)/.exec(e)?.[1];
        const block = region
          ? `${EDIT_REGION_PREFIX}${region}`
          : e.startsWith('risk')
            ? INPUT.editRisk
            : INPUT.editStatus;
        errors[block] = errors[block] ? `${errors[block]}; ${e}` : e;
      }
      return errors;
    }
    default:
      return null;
  }
}

const refusalText = (refusal: EditRefusal): string =>
  refusal.kind === 'not_editor'
    ? NOT_EDITOR
    : refusal.kind === 'not_found'
      ? 'That tool is no longer in the registry. Nothing changed.'
      : 'Nothing changed. Please open Edit again from /can-i-use.';

export function register(app: ListenerApp, { ctx, onStateChange }: SlackDeps): void {
  const { store } = ctx;

  app.action<BlockAction>(ACTION.toolHistory, async (args) => {
    await args.ack();
    const id = toolIdValue.safeParse(buttonValue(args.body));
    const history = id.success ? await toolHistoryText(ctx, id.data) : null;
    if (!history) return tell(args, 'History', 'That tool is no longer in the registry.');
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: historyModal(history.tool.name, history.line, history.detail),
    });
  });

  app.action<BlockAction>(ACTION.editTool, async (args) => {
    await args.ack();
    if (!(await mayEdit(ctx, args.body.user.id))) return tell(args, 'Edit', NOT_EDITOR);
    const id = toolIdValue.safeParse(buttonValue(args.body));
    const snapshot = await store.registrySnapshot();
    const tool = id.success ? snapshot.tool(id.data) : null;
    if (!tool) return tell(args, 'Edit', 'That tool is no longer in the registry.');
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: editToolModal(
        tool,
        snapshot.registry.regions,
        snapshot.registry.names,
        rubricSettings(snapshot.registry.rubric),
      ),
    });
  });

  // Step one submitted: nothing is saved; the impact is worked out (a dry run) and shown to confirm.
  app.view(CALLBACK.editTool, async ({ ack, body, view }: ViewArgs) => {
    const meta = parseMetadata(editMeta, view.private_metadata);
    const draft = meta ? readDraft(view, meta.toolId) : null;
    const parsed = draftSchema.safeParse(draft);
    if (!meta || !parsed.success) {
      await ack({
        response_action: 'update',
        view: noticeModal('Nothing changed', 'This form does not point at a tool.'),
      });
      return;
    }
    const d = parsed.data;
    const preview = await editTool(ctx, {
      toolId: d.toolId,
      edit: editOf(d),
      actor: body.user.id,
      reason: d.reason,
      source: 'slack',
      confirmed: true,
      dryRun: true,
    });
    if (!preview.ok) {
      const errors = fieldErrors(preview.refusal);
      if (errors) await ack({ response_action: 'errors', errors });
      else await ack({ response_action: 'update', view: noticeModal('Nothing changed', refusalText(preview.refusal)) });
      return;
    }
    const snapshot = await store.registrySnapshot();
    const tool = snapshot.tool(d.toolId);
    if (!tool) {
      await ack({
        response_action: 'update',
        view: noticeModal('Nothing changed', refusalText({ kind: 'not_found' })),
      });
      return;
    }
    await ack({
      response_action: 'push',
      view: confirmEditModal(tool, preview.impact, d, snapshot.registry.names),
    });
  });

  // Step two: applied, with its consequences, if the impact is still what was shown; else shown again.
  app.view(CALLBACK.editToolConfirm, async ({ ack, body, view }: ViewArgs) => {
    const meta = parseMetadata(confirmMeta, view.private_metadata);
    if (!meta) {
      await ack({
        response_action: 'update',
        view: noticeModal('Nothing changed', 'This form does not point at a tool.'),
      });
      return;
    }
    const d = meta.draft;
    const cmd = { toolId: d.toolId, edit: editOf(d), actor: body.user.id, reason: d.reason, source: 'slack' as const };
    const result = await unlessBusy(async () => {
      const now = await editTool(ctx, { ...cmd, confirmed: true, dryRun: true });
      if (!now.ok) return now;
      const ids = now.impact.items.filter((i) => CONSEQUENTIAL.has(i.outcome)).map((i) => i.requestId);
      if (ids.join(',') !== meta.shown.join(',')) return { ok: true as const, changedImpact: now.impact };
      return editTool(ctx, { ...cmd, confirmed: true });
    });
    if (!result) {
      await ack({ response_action: 'push', view: noticeModal('Try again', BUSY_TEXT) });
      return;
    }
    if (!result.ok) {
      await ack({ response_action: 'update', view: noticeModal('Nothing changed', refusalText(result.refusal)) });
      return;
    }
    const snapshot = await store.registrySnapshot();
    const tool = snapshot.tool(d.toolId);
    if ('changedImpact' in result) {
      if (tool)
        await ack({
          response_action: 'update',
          view: confirmEditModal(tool, result.changedImpact, d, snapshot.registry.names, true),
        });
      else
        await ack({
          response_action: 'update',
          view: noticeModal('Nothing changed', refusalText({ kind: 'not_found' })),
        });
      return;
    }
    const ended = result.impact.items.filter((i) => CONSEQUENTIAL.has(i.outcome)).length;
    await ack({
      response_action: 'update',
      view: noticeModal(
        'Saved',
        `*${esc(tool?.name ?? d.toolId)}* is reclassified: ${esc(result.impact.change.join(', ') || 'saved')}.` +
          (ended ? ` ${ended} exceptions and requests were ended; everyone affected is told by DM.` : ''),
      ),
    });
    onStateChange();
  });
}
