import type { App, ViewOutput } from '@slack/bolt';
import { z } from 'zod';
import { DATA_CLASSES, RULES } from '../../../domain/exceptions.ts';
import { approverGroupsById, decide, requestException, revoke } from '../../../service/exceptions.ts';
import { CALLBACK, noticeModal } from '../../views/exception.ts';
import { decisionRefusalText, endRefusalText, requestRefusalText } from '../../views/refusals.ts';
import { escapeMrkdwn as esc } from '../../views/mrkdwn.ts';
import { publishHome } from '../events/index.ts';
import { parseMetadata, type SlackDeps } from '../shared.ts';

type StateValue = ViewOutput['state']['values'][string][string];

/** The one element of an input block, as Slack reports it. */
const field = (view: ViewOutput, block: string): StateValue | undefined => view.state.values[block]?.value;

const requestMeta = z.object({ toolId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/), renewalOf: z.number().int().positive().nullable() });
const stageMeta = z.object({ requestId: z.number().int().positive(), position: z.number().int().min(0) });
const requestMetaId = z.object({ requestId: z.number().int().positive() });

const text = (v: StateValue | undefined) => (v?.value ?? '').trim();

/** Per-field problems, keyed by block_id, as Slack shows them under each input. */
function requestFormErrors(view: ViewOutput, maxDays: number) {
  const errors: Record<string, string> = {};
  const justification = text(field(view, 'justification'));
  if (justification.length < RULES.justificationMin) errors.justification = `Please write at least ${RULES.justificationMin} characters: why you need it, and why the alternatives don't do.`;
  else if (justification.length > RULES.justificationMax) errors.justification = `At most ${RULES.justificationMax} characters, please.`;
  const usage = text(field(view, 'usage'));
  if (!usage) errors.usage = 'Name the project or repository.';
  else if (usage.length > RULES.usageMax) errors.usage = `At most ${RULES.usageMax} characters, please.`;
  const dataClass = z.enum(DATA_CLASSES).safeParse(field(view, 'data_class')?.selected_option?.value);
  if (!dataClass.success) errors.data_class = 'Choose the most sensitive data the tool will touch.';
  const rawDays = text(field(view, 'duration'));
  const days = /^\d{1,4}$/.test(rawDays) ? Number(rawDays) : Number.NaN;
  if (!Number.isInteger(days) || days < 1) errors.duration = 'Enter a whole number of days, at least 1.';
  else if (days > maxDays) errors.duration = `At most ${maxDays} days for this tool.`;
  return { errors, values: { justification, usage, dataClass: dataClass.success ? dataClass.data : null, days } };
}

export function register(app: App, { ctx, onStateChange }: SlackDeps): void {
  const { store } = ctx;
  // The Home tab is a view of the state, not a message the change must send: best effort, after the ack.
  const refreshHome = async (client: App['client'], user: string) => {
    try {
      await publishHome(client, ctx, user);
    } catch (e) {
      app.logger.warn(`could not refresh the Home tab of ${user}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  app.view(CALLBACK.request, async ({ ack, body, view, client }) => {
    const meta = parseMetadata(requestMeta, view.private_metadata);
    const tool = meta ? await store.getTool(meta.toolId) : null;
    if (!meta || !tool) {
      await ack({ response_action: 'update', view: noticeModal('Nothing filed', 'This form no longer matches a tool in the registry. Please ask again with /can-i-use.') });
      return;
    }
    const { errors, values } = requestFormErrors(view, tool.maxExceptionDays ?? RULES.defaultMaxDays);
    if (Object.keys(errors).length || !values.dataClass) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const result = await requestException(ctx, {
      user: body.user.id,
      toolId: tool.id,
      justification: values.justification,
      usage: values.usage,
      dataClass: values.dataClass,
      durationDays: values.days,
      renewalOf: meta.renewalOf,
    });
    if (!result.ok) {
      if ('fieldErrors' in result) await ack({ response_action: 'errors', errors: result.fieldErrors });
      else await ack({ response_action: 'update', view: noticeModal('Nothing filed', requestRefusalText(result.refusal, tool.name, await store.reviewChannel())) });
      return;
    }
    const r = result.request;
    const message =
      r.status === 'active'
        ? `Exception #${r.id} for *${esc(tool.name)}* is granted until ${r.expiresAt?.slice(0, 10)}.`
        : `Request #${r.id} for *${esc(tool.name)}* is filed. You will get a direct message when it is decided.`;
    await ack({ response_action: 'update', view: noticeModal('Request filed', message) });
    onStateChange();
    await refreshHome(client, body.user.id);
  });

  for (const decision of ['approve', 'deny'] as const) {
    app.view(decision === 'approve' ? CALLBACK.approve : CALLBACK.deny, async ({ ack, body, view, client }) => {
      const meta = parseMetadata(stageMeta, view.private_metadata);
      if (!meta) {
        await ack({ response_action: 'update', view: noticeModal('Nothing changed', 'This form does not point at a request.') });
        return;
      }
      const note = text(field(view, decision === 'approve' ? 'note' : 'reason')) || null;
      const result = await decide(ctx, { ...meta, actor: body.user.id, decision, note });
      if (result.ok) {
        await ack();
        onStateChange();
        await refreshHome(client, body.user.id);
        return;
      }
      if (result.refusal.kind === 'reason_required' || result.refusal.kind === 'note_too_long') {
        await ack({ response_action: 'errors', errors: { [decision === 'approve' ? 'note' : 'reason']: decisionRefusalText(result.refusal, (id) => id) } });
        return;
      }
      const request = await store.getRequest(meta.requestId);
      const groups = await approverGroupsById(store, request?.stages.map((s) => s.groupId) ?? []);
      await ack({ response_action: 'update', view: noticeModal('Nothing changed', decisionRefusalText(result.refusal, (id) => groups.get(id)?.name ?? id)) });
    });
  }

  app.view(CALLBACK.revoke, async ({ ack, body, view }) => {
    const meta = parseMetadata(requestMetaId, view.private_metadata);
    if (!meta) {
      await ack({ response_action: 'update', view: noticeModal('Nothing changed', 'This form does not point at an exception.') });
      return;
    }
    const result = await revoke(ctx, meta.requestId, body.user.id, text(field(view, 'reason')));
    if (result.ok) {
      await ack();
      onStateChange();
      return;
    }
    if (result.refusal.kind === 'reason_required' || result.refusal.kind === 'reason_too_long') await ack({ response_action: 'errors', errors: { reason: endRefusalText(result.refusal) } });
    else await ack({ response_action: 'update', view: noticeModal('Nothing changed', endRefusalText(result.refusal)) });
  });
}
