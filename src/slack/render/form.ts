// Modals: the exception request form, the approve/deny and revoke forms, and a notice.
import type { InputBlock, KnownBlock, ModalView, PlainTextElement, PlainTextOption } from '@slack/types';
import { RULES, type ExceptionRequest } from '../../domain/exceptions.ts';
import { RISK_LABELS, type DisplayNames, type Tool } from '../../domain/types.ts';
import type { AbsenceView } from '../../service/approverGroups.ts';
import type { RequestForm } from '../../service/exceptions.ts';
import { CALLBACK, INPUT, INPUT_ELEMENT } from '../ids.ts';
import { requestDetails } from './approval.ts';
import { context, input, plain, section } from './blocks.ts';
import { DATA_CLASS_LABELS, day } from './labels.ts';
import { clip, escapeMrkdwn as esc } from './mrkdwn.ts';

/** Modal titles, submit and close texts: plain text of at most 24 characters. */
const TITLE_MAX = 24;
const label = (text: string): PlainTextElement => ({ type: 'plain_text', text: clip(text, TITLE_MAX) });

const modal = (
  callback_id: string,
  title: string,
  meta: unknown,
  blocks: KnownBlock[],
  submit?: string,
  closeText = 'Cancel',
): ModalView => ({
  type: 'modal',
  callback_id,
  private_metadata: JSON.stringify(meta),
  title: label(title),
  ...(submit && { submit: label(submit) }),
  close: label(closeText),
  blocks,
});

interface TextInputOptions {
  multiline?: boolean;
  placeholder?: string;
  initial?: string | null;
  min?: number;
  max?: number;
  optional?: boolean;
  hint?: string;
}

const textInput = (block_id: string, label: string, opts: TextInputOptions): InputBlock =>
  input(
    block_id,
    label,
    {
      type: 'plain_text_input',
      action_id: INPUT_ELEMENT,
      ...(opts.multiline && { multiline: true }),
      ...(opts.placeholder && { placeholder: plain(opts.placeholder) }),
      ...(opts.initial && { initial_value: opts.initial }),
      ...(opts.min !== undefined && { min_length: opts.min }),
      ...(opts.max !== undefined && { max_length: opts.max }),
    },
    { ...(opts.optional && { optional: true }), ...(opts.hint && { hint: opts.hint }) },
  );

/** `answer`: the /can-i-use answer the form was opened from, to show the filed request in its place. */
export function requestModal(form: RequestForm, answer: { url: string; until: string } | null = null): ModalView {
  const { tool, chain, maxDays, defaultDays, renewalOf: prev } = form;
  const options: PlainTextOption[] = Object.entries(DATA_CLASS_LABELS).map(([value, text]) => ({
    text: plain(text),
    value,
  }));
  const initialClass = prev ? options.find((o) => o.value === prev.dataClass) : undefined;
  return modal(
    CALLBACK.request,
    prev ? 'Renew an exception' : 'Request an exception',
    { toolId: tool.id, renewalOf: prev?.id ?? null, ...(answer && { answer }) },
    [
      section(
        `*${esc(tool.name)}* (${esc(tool.vendor)}) · risk ${RISK_LABELS[tool.risk]}\n` +
          (chain.length
            ? `Reviewed by: ${chain.map(esc).join(' → ')}`
            : 'No approval stages: granted when you submit.') +
          (prev ? `\nRenews exception #${prev.id}, which ends ${day(prev.expiresAt)}.` : ''),
      ),
      ...(form.conditions ? [context(`Conditions if granted: ${esc(form.conditions)}`)] : []),
      textInput(INPUT.justification, 'Justification', {
        multiline: true,
        min: RULES.justificationMin,
        max: RULES.justificationMax,
        initial: prev?.justification,
        placeholder: 'Why you need this tool, and why the approved alternatives do not do the job',
      }),
      textInput(INPUT.usage, 'Where will you use it?', {
        max: RULES.usageMax,
        initial: prev?.usage,
        placeholder: 'Project or repository, e.g. github.com/acme/website',
      }),
      input(
        INPUT.dataClass,
        'Most sensitive data',
        {
          type: 'static_select',
          action_id: INPUT_ELEMENT,
          placeholder: plain('Choose one'),
          options,
          ...(initialClass && { initial_option: initialClass }),
        },
        { hint: 'The most sensitive data the tool will see or touch.' },
      ),
      input(
        INPUT.duration,
        'Duration (days)',
        {
          type: 'number_input',
          action_id: INPUT_ELEMENT,
          is_decimal_allowed: false,
          min_value: '1',
          max_value: String(maxDays),
          initial_value: String(prev ? Math.min(prev.durationDays, maxDays) : defaultDays),
        },
        { hint: `At most ${maxDays} days for ${tool.name}.` },
      ),
    ],
    'Submit request',
  );
}

export function decisionModal(
  r: ExceptionRequest,
  tool: Tool,
  position: number,
  decision: 'approve' | 'deny',
  names: DisplayNames,
): ModalView {
  const approve = decision === 'approve';
  return modal(
    approve ? CALLBACK.approve : CALLBACK.deny,
    approve ? 'Approve request' : 'Deny request',
    { requestId: r.id, position },
    [
      ...requestDetails(r, tool, names),
      approve
        ? textInput(INPUT.note, 'Note', {
            multiline: true,
            optional: true,
            max: RULES.noteMax,
            placeholder: 'Anything the requester or the next stage should know',
          })
        : textInput(INPUT.reason, 'Reason', {
            multiline: true,
            min: RULES.reasonMin,
            max: RULES.noteMax,
            placeholder: 'Why this request is denied; the requester will see it',
          }),
    ],
    approve ? 'Approve' : 'Deny',
  );
}

export function revokeModal(r: ExceptionRequest, tool: Tool, names: DisplayNames): ModalView {
  return modal(
    CALLBACK.revoke,
    'Revoke exception',
    { requestId: r.id },
    [
      ...requestDetails(r, tool, names),
      textInput(INPUT.reason, 'Reason', {
        multiline: true,
        min: RULES.reasonMin,
        max: RULES.noteMax,
        placeholder: 'The holder will see this',
      }),
    ],
    'Revoke',
  );
}

/** "I'm away from <date> to <date>; my approvals go to @someone", filled in with the absence set now, if any. */
export function absenceModal(view: AbsenceView, today: string): ModalView {
  const a = view.absence;
  const where = view.groups
    .map((g) => `*${esc(g.name)}*${g.backup ? ` (or its backup, *${esc(g.backup.name)}*)` : ''}`)
    .join(', ');
  return modal(
    CALLBACK.absence,
    a ? 'Change your absence' : 'I’m away',
    null,
    [
      section(
        `While you are away, the person you name decides in your place, and gets your reminders. They must be a member of ${where || 'your approver group or its backup'}. Dates are whole days (UTC), both included.`,
      ),
      input(INPUT.awayFrom, 'Away from', {
        type: 'datepicker',
        action_id: INPUT_ELEMENT,
        initial_date: a?.startsOn ?? today,
      }),
      input(INPUT.awayUntil, 'Until (the last day away)', {
        type: 'datepicker',
        action_id: INPUT_ELEMENT,
        ...(a && { initial_date: a.endsOn }),
      }),
      input(INPUT.delegate, 'My approvals go to', {
        type: 'users_select',
        action_id: INPUT_ELEMENT,
        placeholder: plain('Choose a person'),
        ...(a && { initial_user: a.delegate }),
      }),
    ],
    'Save',
  );
}

/** A modal that only says something, e.g. why a submission changed nothing. */
export function noticeModal(title: string, text: string): ModalView {
  return modal(CALLBACK.notice, title, null, [section(text)], undefined, 'Close');
}
