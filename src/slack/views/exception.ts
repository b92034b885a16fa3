// Exception requests as Block Kit: the request form, the approval message, decision
// forms, direct messages and reminders. Pure functions from data to JSON.
import { RULES, currentStage, type DataClass, type DmEvent, type ExceptionRequest, type Stage } from '../../domain/exceptions.ts';
import type { ApproverGroup, Tool } from '../../domain/types.ts';
import { verdictFor } from '../../domain/verdict.ts';
import type { HomeData, RequestForm } from '../../service/exceptions.ts';
import { actions, button, context, plain, section, type Block, type MessageView } from './blocks.ts';
import { clip, escapeMrkdwn as esc, userMention as at } from './mrkdwn.ts';

export const EXCEPTION_ACTION = {
  approve: 'approve_stage',
  deny: 'deny_stage',
  cancel: 'cancel_request',
  revoke: 'revoke_exception',
  renew: 'renew_exception',
} as const;

export const CALLBACK = {
  request: 'exception_request',
  approve: 'approve_stage',
  deny: 'deny_stage',
  revoke: 'revoke_exception',
} as const;

export const DATA_CLASS_LABELS: Record<DataClass, string> = {
  public: 'Public',
  internal: 'Internal',
  confidential: 'Confidential',
  restricted: 'Restricted',
};

const RISK = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' } as const;

/** Groups by id, as the registry has them now; a group since removed is shown by its id. */
export type GroupDirectory = ReadonlyMap<string, ApproverGroup>;
const groupName = (groups: GroupDirectory, id: string): string => groups.get(id)?.name ?? id;

/** The conditions that hold where the request was made: a region may set its own. */
const conditionsFor = (tool: Tool, region: string): string | null => verdictFor(tool, region).conditions;

const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '?');
const when = (iso: string | null): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '?');

export interface ModalView {
  type: 'modal';
  callback_id: string;
  private_metadata: string;
  title: { type: 'plain_text'; text: string };
  submit?: { type: 'plain_text'; text: string };
  close: { type: 'plain_text'; text: string };
  blocks: Block[];
}

const modal = (callback_id: string, title: string, meta: unknown, blocks: Block[], submit?: string, closeText = 'Cancel'): ModalView => ({
  type: 'modal',
  callback_id,
  private_metadata: JSON.stringify(meta),
  title: { type: 'plain_text', text: clip(title, 24) },
  ...(submit && { submit: { type: 'plain_text' as const, text: submit } }),
  close: { type: 'plain_text', text: closeText },
  blocks,
});

const textInput = (block_id: string, label: string, opts: { multiline?: boolean; placeholder?: string; initial?: string | null; min?: number; max?: number; optional?: boolean; hint?: string }): Block => ({
  type: 'input',
  block_id,
  label: plain(label),
  ...(opts.optional && { optional: true }),
  ...(opts.hint && { hint: plain(opts.hint) }),
  element: {
    type: 'plain_text_input',
    action_id: 'value',
    ...(opts.multiline && { multiline: true }),
    ...(opts.placeholder && { placeholder: plain(opts.placeholder) }),
    ...(opts.initial && { initial_value: opts.initial }),
    ...(opts.min !== undefined && { min_length: opts.min }),
    ...(opts.max !== undefined && { max_length: opts.max }),
  },
});

export function requestModal(form: RequestForm): ModalView {
  const { tool, chain, maxDays, defaultDays, renewalOf: prev } = form;
  const options = Object.entries(DATA_CLASS_LABELS).map(([value, text]) => ({ text: plain(text), value }));
  const initialClass = prev ? options.find((o) => o.value === prev.dataClass) : undefined;
  return modal(
    CALLBACK.request,
    prev ? 'Renew an exception' : 'Request an exception',
    { toolId: tool.id, renewalOf: prev?.id ?? null },
    [
      section(
        `*${esc(tool.name)}* (${esc(tool.vendor)}) · risk ${RISK[tool.risk]}\n` +
          (chain.length ? `Reviewed by: ${chain.map(esc).join(' → ')}` : 'No approval stages: granted when you submit.') +
          (prev ? `\nRenews exception #${prev.id}, which ends ${day(prev.expiresAt)}.` : ''),
      ),
      ...(form.conditions ? [context(`Conditions if granted: ${esc(form.conditions)}`)] : []),
      textInput('justification', 'Justification', {
        multiline: true,
        min: RULES.justificationMin,
        max: RULES.justificationMax,
        initial: prev?.justification,
        placeholder: 'Why you need this tool, and why the approved alternatives do not do the job',
      }),
      textInput('usage', 'Where will you use it?', { max: RULES.usageMax, initial: prev?.usage, placeholder: 'Project or repository, e.g. github.com/acme/website' }),
      {
        type: 'input',
        block_id: 'data_class',
        label: plain('Most sensitive data'),
        hint: plain('The most sensitive data the tool will see or touch.'),
        element: {
          type: 'static_select',
          action_id: 'value',
          placeholder: plain('Choose one'),
          options,
          ...(initialClass && { initial_option: initialClass }),
        },
      },
      {
        type: 'input',
        block_id: 'duration',
        label: plain('Duration (days)'),
        hint: plain(`At most ${maxDays} days for ${tool.name}.`),
        element: { type: 'number_input', action_id: 'value', is_decimal_allowed: false, min_value: '1', max_value: String(maxDays), initial_value: String(prev ? Math.min(prev.durationDays, maxDays) : defaultDays) },
      },
    ],
    'Submit request',
  );
}

function stageLine(stage: Stage, groups: GroupDirectory): string {
  const name = `*${esc(groupName(groups, stage.groupId))}*`;
  const note = stage.note ? `: _${esc(clip(stage.note, 500))}_` : '';
  switch (stage.status) {
    case 'approved':
      return `:white_check_mark: ${name}: approved by ${at(stage.decidedBy ?? '')} on ${when(stage.decidedAt)}${note}`;
    case 'denied':
      return `:x: ${name}: denied by ${at(stage.decidedBy ?? '')} on ${when(stage.decidedAt)}${note}`;
    case 'pending':
      return `:hourglass_flowing_sand: ${name}: waiting for a decision since ${when(stage.startedAt)}`;
    case 'waiting':
      return `:white_circle: ${name}: next`;
    case 'cancelled':
      return `:heavy_minus_sign: ${name}: not needed (request cancelled)`;
  }
}

function outcomeLine(r: ExceptionRequest): string {
  switch (r.status) {
    case 'pending':
      return '';
    case 'active':
      return `:large_green_circle: *Granted*: active until ${day(r.expiresAt)}.`;
    case 'denied':
      return ':no_entry: *Denied.*';
    case 'cancelled':
      return `:heavy_minus_sign: *Cancelled* by ${at(r.endedBy ?? r.requester)} on ${when(r.endedAt)}${r.endReason ? `: _${esc(r.endReason)}_` : ''}.`;
    case 'revoked':
      return `:no_entry_sign: *Revoked* by ${at(r.endedBy ?? '')} on ${when(r.endedAt)}: _${esc(r.endReason ?? '')}_`;
    case 'expired':
      return `:clock3: *Expired* on ${day(r.expiresAt)}.`;
    case 'superseded':
      return `:arrows_counterclockwise: *Renewed*: ${esc(r.endReason ?? '')}.`;
  }
}

/** The details every view of a request shows. */
function requestDetails(r: ExceptionRequest, tool: Tool): Block[] {
  return [
    section(`*Exception request #${r.id}*: *${esc(tool.name)}* for ${at(r.requester)}${r.renewalOf ? ` (renews #${r.renewalOf})` : ''}`, {
      fields: [
        `*Tool*\n${esc(tool.name)} (${esc(tool.vendor)}, ${esc(tool.vendorCountry)}), risk ${RISK[tool.risk]}`,
        `*Requester*\n${at(r.requester)}, region ${esc(r.region)}${r.department ? `, ${esc(r.department)}` : ''}`,
        `*Where*\n${esc(r.usage)}`,
        `*Most sensitive data*\n${DATA_CLASS_LABELS[r.dataClass]}`,
        `*Duration*\n${r.durationDays} days`,
        `*Filed*\n${when(r.createdAt)}`,
      ],
    }),
    section(`*Justification*\n${esc(r.justification)}`),
  ];
}

/** The message in an approver group's channel for one stage of a request. */
export function approvalMessage(r: ExceptionRequest, tool: Tool, position: number, groups: GroupDirectory): MessageView {
  const stage = r.stages[position];
  const blocks: Block[] = [...requestDetails(r, tool), section(r.stages.map((s) => stageLine(s, groups)).join('\n'))];
  const outcome = outcomeLine(r);
  if (outcome) blocks.push(section(outcome));
  const value = `${r.id}:${position}`;
  if (stage && currentStage(r)?.position === position) {
    blocks.push(
      actions('decision', [button(EXCEPTION_ACTION.approve, 'Approve', value, 'primary'), button(EXCEPTION_ACTION.deny, 'Deny', value, 'danger')]),
      context(`Stage ${position + 1} of ${r.stages.length}: ${esc(groupName(groups, stage.groupId))}. Members of this group decide; not the requester, and nobody twice.`),
    );
  } else if (r.status === 'active' && position === r.stages.length - 1) {
    blocks.push(actions('admin', [button(EXCEPTION_ACTION.revoke, 'Revoke', String(r.id), 'danger')]), context('Admins can revoke an active exception.'));
  }
  const state = r.status === 'pending' ? (currentStage(r)?.position === position ? 'waiting for your group' : 'in review') : r.status;
  return { text: esc(`Exception request #${r.id}: ${tool.name} for ${r.requester} (${state})`), blocks };
}

export function decisionModal(r: ExceptionRequest, tool: Tool, position: number, decision: 'approve' | 'deny'): ModalView {
  const approve = decision === 'approve';
  return modal(
    approve ? CALLBACK.approve : CALLBACK.deny,
    approve ? 'Approve request' : 'Deny request',
    { requestId: r.id, position },
    [
      ...requestDetails(r, tool),
      approve
        ? textInput('note', 'Note (optional)', { multiline: true, optional: true, max: RULES.noteMax, placeholder: 'Anything the requester or the next stage should know' })
        : textInput('reason', 'Reason', { multiline: true, min: RULES.reasonMin, max: RULES.noteMax, placeholder: 'Why this request is denied; the requester will see it' }),
    ],
    approve ? 'Approve' : 'Deny',
  );
}

export function revokeModal(r: ExceptionRequest, tool: Tool): ModalView {
  return modal(
    CALLBACK.revoke,
    'Revoke exception',
    { requestId: r.id },
    [...requestDetails(r, tool), textInput('reason', 'Reason', { multiline: true, min: RULES.reasonMin, max: RULES.noteMax, placeholder: 'The holder will see this' })],
    'Revoke',
  );
}

/** A modal that only says something, e.g. why a submission changed nothing. */
export function noticeModal(title: string, text: string): ModalView {
  return modal('notice', title, null, [section(text)], undefined, 'Close');
}

export function directMessage(event: DmEvent, r: ExceptionRequest, tool: Tool, groups: GroupDirectory): MessageView {
  const name = `*${esc(tool.name)}*`;
  const chain = r.stages.map((s) => esc(groupName(groups, s.groupId))).join(', then ');
  const current = currentStage(r);
  const regional = conditionsFor(tool, r.region);
  const conditions = regional ? `\n*Conditions:* ${esc(regional)}` : '';
  switch (event) {
    case 'filed':
      return {
        text: esc(`Request #${r.id} for ${tool.name} filed`),
        blocks: [
          section(`:inbox_tray: Request #${r.id} for ${name} is filed. It is reviewed by ${chain}; you will hear back here.`),
          actions('request', [button(EXCEPTION_ACTION.cancel, 'Cancel request', String(r.id))]),
        ],
      };
    case 'progress': {
      const last = [...r.stages].reverse().find((s) => s.status === 'approved');
      return {
        text: esc(`Request #${r.id}: approved by ${last ? groupName(groups, last.groupId) : 'a reviewer'}`),
        blocks: [
          section(
            `:white_check_mark: Request #${r.id} for ${name}: ${esc(last ? groupName(groups, last.groupId) : 'a reviewer')} approved` +
              (current ? `; it is now with ${esc(groupName(groups, current.groupId))}.` : '.'),
          ),
        ],
      };
    }
    case 'approved':
      return {
        text: esc(`Request #${r.id} approved: ${tool.name} until ${day(r.expiresAt)}`),
        blocks: [section(`:tada: Request #${r.id} is approved. You may use ${name} until *${day(r.expiresAt)}* (exception #${r.id}).${conditions}`)],
      };
    case 'denied': {
      const denied = r.stages.find((s) => s.status === 'denied');
      return {
        text: esc(`Request #${r.id} for ${tool.name} was denied`),
        blocks: [
          section(`:no_entry: Request #${r.id} for ${name} was denied by ${at(denied?.decidedBy ?? '')} (${esc(groupName(groups, denied?.groupId ?? ''))}).\n*Reason:* ${esc(denied?.note ?? '')}`),
        ],
      };
    }
    case 'cancelled':
      return {
        text: esc(`Request #${r.id} cancelled`),
        blocks: [section(`:heavy_minus_sign: Request #${r.id} for ${name} is cancelled${r.endReason ? `: ${esc(r.endReason)}` : ''}.`)],
      };
    case 'revoked':
      return {
        text: esc(`Exception #${r.id} for ${tool.name} was revoked`),
        blocks: [section(`:no_entry_sign: Your exception #${r.id} for ${name} was revoked by ${at(r.endedBy ?? '')}.\n*Reason:* ${esc(r.endReason ?? '')}\nPlease stop using it now.`)],
      };
    case 'expiring':
      return {
        text: esc(`Exception #${r.id} for ${tool.name} ends on ${day(r.expiresAt)}`),
        blocks: [
          section(`:hourglass: Your exception #${r.id} for ${name} ends on *${day(r.expiresAt)}*. Still need it? Request a renewal, pre-filled from this one.`),
          actions('renewal', [button(EXCEPTION_ACTION.renew, 'Request a renewal', String(r.id), 'primary')]),
        ],
      };
    case 'expired':
      return {
        text: esc(`Exception #${r.id} for ${tool.name} has expired`),
        blocks: [section(`:clock3: Your exception #${r.id} for ${name} expired on ${day(r.expiresAt)}. Please stop using it; \`/can-i-use ${esc(tool.id)}\` has the current answer.`)],
      };
  }
}

export function stageReminder(r: ExceptionRequest, tool: Tool, stage: Stage, groups: GroupDirectory): MessageView {
  return {
    text: esc(`Reminder: request #${r.id} is waiting for ${groupName(groups, stage.groupId)}`),
    blocks: [section(`:bell: Reminder: request #${r.id} for *${esc(tool.name)}* by ${at(r.requester)} has been waiting for *${esc(groupName(groups, stage.groupId))}* since ${when(stage.startedAt)}.`)],
  };
}

export function escalationMessage(r: ExceptionRequest, tool: Tool, stage: Stage, groups: GroupDirectory): MessageView {
  const group = groups.get(stage.groupId);
  return {
    text: esc(`Escalation: request #${r.id} has waited ${RULES.escalationDays} days`),
    blocks: [
      section(
        `:rotating_light: Request #${r.id} for *${esc(tool.name)}* by ${at(r.requester)} has waited more than ${RULES.escalationDays} days for *${esc(groupName(groups, stage.groupId))}*` +
          (group ? ` (<#${group.channel}>)` : '') +
          '. As an admin, please find it a decider.',
      ),
    ],
  };
}

export function reviewRequestMessage(user: string, query: string): MessageView {
  return {
    text: esc(`Review requested: ${query}`),
    blocks: [section(`:mag: ${at(user)} asks for a review of *${esc(query)}*, which is not in the registry.`)],
  };
}

export function homeView(d: HomeData, groups: GroupDirectory): { type: 'home'; blocks: Block[] } {
  const blocks: Block[] = [{ type: 'header', text: plain('toolgate') }, context('Ask about any tool with `/can-i-use &lt;tool&gt;`.')];
  blocks.push({ type: 'header', text: plain('Your exceptions') });
  if (!d.active.length) blocks.push(section('_None active._'));
  for (const { request: r, tool } of d.active) {
    const conditions = conditionsFor(tool, r.region);
    blocks.push(section(`:large_green_circle: *${esc(tool.name)}*: exception #${r.id}, until *${day(r.expiresAt)}*${conditions ? `\n_${esc(conditions)}_` : ''}`));
  }
  blocks.push({ type: 'header', text: plain('Your open requests') });
  if (!d.open.length) blocks.push(section('_None open._'));
  for (const { request: r, tool } of d.open) {
    const stage = currentStage(r);
    blocks.push(
      section(`:hourglass_flowing_sand: *${esc(tool.name)}*: request #${r.id}, waiting for ${esc(groupName(groups, stage?.groupId ?? ''))} since ${day(stage?.startedAt ?? null)}`, {
        accessory: button(EXCEPTION_ACTION.cancel, 'Cancel', String(r.id)),
      }),
    );
  }
  if (d.isApprover) {
    blocks.push({ type: 'header', text: plain('Waiting for your decision') });
    if (!d.queue.length) blocks.push(section('_Nothing waiting. Thank you!_'));
    for (const { request: r, tool } of d.queue) {
      const stage = currentStage(r);
      if (!stage) continue;
      const value = `${r.id}:${stage.position}`;
      blocks.push(
        section(`*#${r.id} ${esc(tool.name)}* for ${at(r.requester)} (${esc(groupName(groups, stage.groupId))}, since ${day(stage.startedAt)})\n${esc(clip(r.justification, 300))}`),
        actions(`decision_${r.id}`, [button(EXCEPTION_ACTION.approve, 'Approve', value, 'primary'), button(EXCEPTION_ACTION.deny, 'Deny', value, 'danger')]),
      );
    }
  }
  return { type: 'home', blocks: blocks.slice(0, 100) };
}

