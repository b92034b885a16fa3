// Reclassifying a tool from Slack (issue 12): the Edit modal (status, risk class, each region's
// status, the reason), the impact to confirm before anything is saved, and a tool's history.
// Kept small and self-contained: the full tool form (Classify) is another modal.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { RULES } from '../../domain/exceptions.ts';
import { CONSEQUENTIAL, type ImpactOutcome, type ToolImpact } from '../../domain/reclassification.ts';
import { assessmentLine, assessTool, factsOf, type RubricSettings } from '../../domain/rubric.ts';
import {
  regionName,
  RISK_CLASSES,
  RISK_LABELS,
  STATUS_LABELS,
  TOOL_STATUSES,
  type DisplayNames,
  type Tool,
} from '../../domain/types.ts';
import { CALLBACK, EDIT_REGION_PREFIX, INPUT, INPUT_ELEMENT } from '../ids.ts';
import { context, input, plain, section } from './blocks.ts';
import { clip, escapeMrkdwn as esc, userMention } from './mrkdwn.ts';

/** "As globally": a region without a status of its own. */
export const INHERIT = 'inherit';

const title = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 24) });

const option = (value: string, text: string): PlainTextOption => ({ text: plain(text), value });
const statusOptions = TOOL_STATUSES.map((s) => option(s, STATUS_LABELS[s]));

/** What the Edit modal carries to its confirm step: the change as the person made it. */
export interface EditDraft {
  toolId: string;
  status: string;
  risk: string;
  regions: Record<string, string>;
  reason: string;
}

/** Step one: the change. `draft`: what the person typed before (coming back to fix it), else the tool as it is. */
export function editToolModal(
  tool: Tool,
  regions: readonly string[],
  names: DisplayNames,
  rubric: RubricSettings,
): ModalView {
  const regionInputs = regions.map((id) => {
    const own = tool.regions[id]?.status;
    const options = [option(INHERIT, `As globally`), ...statusOptions];
    const initial = options.find((o) => o.value === (own ?? INHERIT));
    return input(
      `${EDIT_REGION_PREFIX}${id}`,
      `Status in ${regionName(names, id)}`,
      {
        type: 'static_select',
        action_id: INPUT_ELEMENT,
        options,
        ...(initial && { initial_option: initial }),
      },
      { hint: own ? `Its own rule now: ${STATUS_LABELS[own]}.` : 'No rule of its own now.' },
    );
  });
  const blocks: KnownBlock[] = [
    section(
      `*${esc(tool.name)}* (${esc(tool.vendor)}) · now ${STATUS_LABELS[tool.status]}, ${RISK_LABELS[tool.risk]} risk`,
    ),
    input(INPUT.editStatus, 'Status', {
      type: 'static_select',
      action_id: INPUT_ELEMENT,
      options: statusOptions,
      initial_option: option(tool.status, STATUS_LABELS[tool.status]),
    }),
    input(INPUT.editRisk, 'Risk class', {
      type: 'static_select',
      action_id: INPUT_ELEMENT,
      options: RISK_CLASSES.map((r) => option(r, RISK_LABELS[r])),
      initial_option: option(tool.risk, RISK_LABELS[tool.risk]),
    }),
    // The same suggestion Classify and `registry check` show, from the facts the registry holds.
    context(
      `:bulb: Assessment rubric: ${esc(assessmentLine(assessTool(factsOf(tool), rubric), (r) => RISK_LABELS[r]))} The decision is yours.`,
    ),
    ...regionInputs,
    input(
      INPUT.editReason,
      'Reason for the change',
      {
        type: 'plain_text_input',
        action_id: INPUT_ELEMENT,
        multiline: true,
        min_length: RULES.reasonMin,
        max_length: RULES.noteMax,
        placeholder: plain('Recorded in the audit log and the history; told to everyone it affects'),
      },
      {},
    ),
    context('Next you see what the change does to active exceptions and pending requests, before anything is saved.'),
  ];
  return {
    type: 'modal',
    callback_id: CALLBACK.editTool,
    private_metadata: JSON.stringify({ toolId: tool.id }),
    title: title(`Edit ${tool.name}`),
    submit: title('Show impact'),
    close: title('Cancel'),
    blocks,
  };
}

const OUTCOME_WORDS: Record<ImpactOutcome, string> = {
  revoke: 'active exceptions will be revoked',
  close_prohibited: 'pending requests will be closed (now prohibited)',
  close_not_needed: 'pending requests will be closed as no longer needed',
  keeps_chain: 'pending requests keep the approval chain they were filed under',
};

/** The impact in words for a person: how many, whose, where. */
export function impactText(impact: ToolImpact, names: DisplayNames): string {
  const lines: string[] = [];
  for (const outcome of Object.keys(OUTCOME_WORDS) as ImpactOutcome[]) {
    const items = impact.items.filter((i) => i.outcome === outcome);
    if (!items.length) continue;
    const who = items
      .map((i) => `${userMention(i.requester)} (#${i.requestId}, ${esc(regionName(names, i.region))})`)
      .join(', ');
    lines.push(`• *${items.length}* ${OUTCOME_WORDS[outcome]}: ${who}`);
  }
  return lines.length ? lines.join('\n') : 'No active exception or pending request is affected.';
}

/** Step two: what the change does, to confirm. `changed`: the impact moved since it was last shown. */
export function confirmEditModal(
  tool: Tool,
  impact: ToolImpact,
  draft: EditDraft,
  names: DisplayNames,
  changed = false,
): ModalView {
  const consequential = impact.items.filter((i) => CONSEQUENTIAL.has(i.outcome)).map((i) => i.requestId);
  const blocks: KnownBlock[] = [
    ...(changed ? [section(':warning: *This has changed since you looked:* please check it again.')] : []),
    section(`*${esc(tool.name)}*: ${esc(impact.change.join(', ') || 'no change of classification')}`),
    section(impactText(impact, names)),
    context(
      consequential.length
        ? 'Everyone affected gets a DM saying why, with the alternatives cleared in their region.'
        : 'Nothing is revoked or closed.',
    ),
    context(`Reason: ${esc(draft.reason)}`),
  ];
  return {
    type: 'modal',
    callback_id: CALLBACK.editToolConfirm,
    private_metadata: JSON.stringify({ draft, shown: consequential }),
    title: title('Confirm the change'),
    submit: title(consequential.length ? 'Apply and notify' : 'Apply'),
    close: title('Back'),
    blocks,
  };
}

/** A tool's classification over time. */
export function historyModal(toolName: string, line: string | null, detail: readonly string[]): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.toolHistory,
    title: title('History'),
    close: title('Close'),
    blocks: line
      ? [section(`*${esc(toolName)}*\n${esc(line)}`), context(...detail.slice(-10).map(esc))]
      : [section(`*${esc(toolName)}*: no classification changes recorded.`)],
  };
}
