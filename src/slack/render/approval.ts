// What approvers see: the approval message in their group's channel (one per stage, refreshed
// after every change), its reminder, the admins' escalation, and review requests for unknown tools.
import type { KnownBlock } from '@slack/types';
import { currentStage, RULES, type ExceptionRequest, type Stage } from '../../domain/exceptions.ts';
import { regionName, RISK_LABELS, type DisplayNames, type Tool } from '../../domain/types.ts';
import { ACTION, BLOCK } from '../ids.ts';
import { actions, button, context, section, type MessageView } from './blocks.ts';
import { DATA_CLASS_LABELS, day, groupMention, groupName, when, type GroupDirectory } from './labels.ts';
import { actorName, clip, escapeMrkdwn as esc, mrkdwnLink, userMention as at } from './mrkdwn.ts';

/** A group by name, and by its Slack user group's handle where it has one: "*Security review* (@security-review)". */
const groupTitle = (groups: GroupDirectory, id: string): string => {
  const mention = groupMention(groups, id);
  return `*${esc(groupName(groups, id))}*${mention ? ` (${mention})` : ''}`;
};

/** Who decided: the approver, or the delegate "for" the away approver they stood in for. */
const decider = (stage: Stage): string =>
  `${at(stage.decidedBy ?? '')}${stage.onBehalfOf ? ` for ${at(stage.onBehalfOf)} (away)` : ''}`;

function stageLine(stage: Stage, groups: GroupDirectory): string {
  const name = groupTitle(groups, stage.groupId);
  const note = stage.note ? `: _${esc(clip(stage.note, 500))}_` : '';
  switch (stage.status) {
    case 'approved':
      return `:white_check_mark: ${name}: approved by ${decider(stage)} on ${when(stage.decidedAt)}${note}`;
    case 'denied':
      return `:x: ${name}: denied by ${decider(stage)} on ${when(stage.decidedAt)}${note}`;
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
      return `:heavy_minus_sign: *Cancelled* by ${actorName(r.endedBy ?? r.requester)} on ${when(r.endedAt)}${r.endReason ? `: _${esc(r.endReason)}_` : ''}.`;
    case 'revoked':
      // `system`: no person ended it, the holder's move to another region did (endOnRegionChange).
      return r.endedBy === 'system'
        ? `:no_entry_sign: *Ended* on ${when(r.endedAt)}: _${esc(r.endReason ?? '')}_`
        : `:no_entry_sign: *Revoked* by ${actorName(r.endedBy ?? '')} on ${when(r.endedAt)}: _${esc(r.endReason ?? '')}_`;
    case 'expired':
      return `:clock3: *Expired* on ${day(r.expiresAt)}.`;
    case 'superseded':
      return `:arrows_counterclockwise: *Renewed*: ${esc(r.endReason ?? '')}.`;
  }
}

/** The details every view of a request shows: the approval message and the decision forms. */
export function requestDetails(r: ExceptionRequest, tool: Tool, names: DisplayNames): KnownBlock[] {
  return [
    section(
      `*Exception request #${r.id}*: *${esc(tool.name)}* for ${at(r.requester)}${r.renewalOf ? ` (renews #${r.renewalOf})` : ''}`,
      {
        fields: [
          `*Tool*\n${esc(tool.name)} (${esc(tool.vendor)}, ${esc(tool.vendorCountry)}), risk ${RISK_LABELS[tool.risk]}`,
          `*Requester*\n${at(r.requester)}, ${esc(regionName(names, r.region))}${r.department ? `, ${esc(r.department)}` : ''}`,
          `*Where*\n${esc(r.usage)}`,
          `*Most sensitive data*\n${DATA_CLASS_LABELS[r.dataClass]}`,
          `*Duration*\n${r.durationDays} days`,
          `*Filed*\n${when(r.createdAt)}`,
        ],
      },
    ),
    section(`*Justification*\n${esc(r.justification)}`),
  ];
}

/** The message in an approver group's channel for one stage of a request. */
export function approvalMessage(
  r: ExceptionRequest,
  tool: Tool,
  position: number,
  groups: GroupDirectory,
  names: DisplayNames,
): MessageView {
  const stage = r.stages[position];
  const blocks: KnownBlock[] = [
    ...requestDetails(r, tool, names),
    section(r.stages.map((s) => stageLine(s, groups)).join('\n')),
  ];
  const outcome = outcomeLine(r);
  if (outcome) blocks.push(section(outcome));
  const value = `${r.id}:${position}`;
  if (stage && currentStage(r)?.position === position) {
    blocks.push(
      actions(BLOCK.decision, [
        button(ACTION.approve, 'Approve', value, 'primary'),
        button(ACTION.deny, 'Deny', value, 'danger'),
      ]),
      context(
        `Stage ${position + 1} of ${r.stages.length}: ${esc(groupName(groups, stage.groupId))}${groupMention(groups, stage.groupId) ? ` (${groupMention(groups, stage.groupId)})` : ''}. Members of this group decide (or the delegate of one who is away); not the requester, and nobody twice.`,
      ),
    );
  } else if (r.status === 'active' && position === r.stages.length - 1) {
    blocks.push(
      actions(BLOCK.admin, [button(ACTION.revoke, 'Revoke', String(r.id), 'danger')]),
      context('Admins can revoke an active exception.'),
    );
  }
  const state =
    r.status === 'pending'
      ? currentStage(r)?.position === position
        ? 'waiting for your group'
        : 'in review'
      : r.status;
  return { text: `${esc(`Exception request #${r.id}: ${tool.name} for`)} ${at(r.requester)} (${esc(state)})`, blocks };
}

/** Where the current approval message of a request is: a link to it, or its channel when Slack gave no link. */
function currentMessageLink(permalink: string | null, channel: string): string {
  return permalink
    ? mrkdwnLink(permalink, 'the current message')
    : `the current message in <#${channel.replace(/[^A-Z0-9]/gi, '')}>`;
}

/** The answer to a click on a copy of an approval message that is not the one the bot keeps up to date. */
export function staleCopyText(requestId: number, permalink: string | null, channel: string): string {
  return `This message is out of date: request #${requestId} is shown and decided in ${currentMessageLink(permalink, channel)}. Nothing changed.`;
}

/**
 * What a stray copy of an approval message becomes once someone clicks it: the request it was
 * about, no buttons, and where the current message is. (A copy is left behind when the bot died
 * after Slack posted a message but before it recorded where.)
 */
export function staleApprovalCopy(
  r: ExceptionRequest,
  tool: Tool,
  permalink: string | null,
  channel: string,
  names: DisplayNames,
): MessageView {
  return {
    text: `${esc(`Exception request #${r.id}: ${tool.name} for`)} ${at(r.requester)} (out of date)`,
    blocks: [
      ...requestDetails(r, tool, names),
      context(
        `:warning: This copy is out of date and takes no decisions: see ${currentMessageLink(permalink, channel)}.`,
      ),
    ],
  };
}

/** A reminder by DM to the delegate of an away approver: they may decide in their place. */
export function delegateReminder(
  r: ExceptionRequest,
  tool: Tool,
  stage: Stage,
  groups: GroupDirectory,
  onBehalfOf: string,
): MessageView {
  const channel = groups.get(stage.groupId)?.channel;
  return {
    text: `${esc(`Reminder: request #${r.id} by`)} ${at(r.requester)} ${esc(`is waiting for ${groupName(groups, stage.groupId)}`)}`,
    blocks: [
      section(
        `:bell: Reminder: request #${r.id} for *${esc(tool.name)}* by ${at(r.requester)} has been waiting for ${groupTitle(groups, stage.groupId)} since ${when(stage.startedAt)}. ` +
          `${at(onBehalfOf)} is away and named you to decide in their place` +
          (channel ? `: see <#${channel}>, or your toolgate Home tab.` : ': see your toolgate Home tab.'),
      ),
    ],
  };
}

export function stageReminder(r: ExceptionRequest, tool: Tool, stage: Stage, groups: GroupDirectory): MessageView {
  return {
    text: `${esc(`Reminder: request #${r.id} by`)} ${at(r.requester)} ${esc(`is waiting for ${groupName(groups, stage.groupId)}`)}`,
    blocks: [
      section(
        `:bell: Reminder: request #${r.id} for *${esc(tool.name)}* by ${at(r.requester)} has been waiting for *${esc(groupName(groups, stage.groupId))}* since ${when(stage.startedAt)}.`,
      ),
    ],
  };
}

export function escalationMessage(
  r: ExceptionRequest,
  tool: Tool,
  stage: Stage,
  groups: GroupDirectory,
  everyoneAway = false,
): MessageView {
  const group = groups.get(stage.groupId);
  if (everyoneAway)
    return {
      text: esc(
        `Escalation: request #${r.id} is waiting for ${groupName(groups, stage.groupId)}, and all of them are away`,
      ),
      blocks: [
        section(
          `:rotating_light: Request #${r.id} for *${esc(tool.name)}* by ${at(r.requester)} is waiting for ${groupTitle(groups, stage.groupId)}` +
            (group ? ` (<#${group.channel}>)` : '') +
            ', and every member of that group is away. As an admin, please find it a decider (their delegates, if they named any, may decide).',
        ),
      ],
    };
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
    text: `Review requested by ${at(user)}: ${esc(query)}`,
    blocks: [section(`:mag: ${at(user)} asks for a review of *${esc(query)}*, which is not in the registry.`)],
  };
}
