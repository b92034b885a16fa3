// The App Home tab: your exceptions, your open requests and, for approvers, what waits on you.
import type { HomeView, KnownBlock } from '@slack/types';
import { currentStage } from '../../domain/exceptions.ts';
import type { DemandReport } from '../../domain/report.ts';
import type { HomeData } from '../../service/exceptions.ts';
import { ACTION, BLOCK } from '../ids.ts';
import { actions, button, context, header, section } from './blocks.ts';
import { conditionsFor } from './dm.ts';
import { reportHomeBlocks } from './report.ts';
import { day, groupName, type GroupDirectory } from './labels.ts';
import { clip, escapeMrkdwn as esc, userMention as at } from './mrkdwn.ts';

/** Slack refuses a view of more than 100 blocks. */
const MAX_VIEW_BLOCKS = 100;

export function homeView(d: HomeData, groups: GroupDirectory, report: DemandReport | null = null): HomeView {
  const blocks: KnownBlock[] = [header('toolgate'), context('Ask about any tool with `/can-i-use &lt;tool&gt;`.')];
  blocks.push(header('Your exceptions'));
  if (!d.active.length) blocks.push(section('_None active._'));
  for (const { request: r, tool } of d.active) {
    const conditions = conditionsFor(tool, r.region);
    blocks.push(
      section(
        `:large_green_circle: *${esc(tool.name)}*: exception #${r.id}, until *${day(r.expiresAt)}*${conditions ? `\n_${esc(conditions)}_` : ''}`,
      ),
    );
  }
  blocks.push(header('Your open requests'));
  if (!d.open.length) blocks.push(section('_None open._'));
  for (const { request: r, tool } of d.open) {
    const stage = currentStage(r);
    blocks.push(
      section(
        `:hourglass_flowing_sand: *${esc(tool.name)}*: request #${r.id}, waiting for ${esc(groupName(groups, stage?.groupId ?? ''))} since ${day(stage?.startedAt ?? null)}`,
        {
          accessory: button(ACTION.cancel, 'Cancel', String(r.id)),
        },
      ),
    );
  }
  if (d.isApprover) {
    blocks.push(header('Away'));
    const a = d.absence;
    if (a) {
      const today = d.today ?? '';
      const now = a.startsOn <= today && today <= a.endsOn;
      blocks.push(
        section(
          `:palm_tree: You ${now ? 'are' : 'will be'} away from *${a.startsOn}* to *${a.endsOn}*; ${at(a.delegate)} decides in your place${now ? ' and gets your reminders' : ''}.`,
        ),
        actions(BLOCK.absence, [
          button(ACTION.setAbsence, 'Change'),
          button(ACTION.clearAbsence, 'I’m not away', undefined, 'danger'),
        ]),
      );
    } else {
      blocks.push(
        section('_Not away._ Going away? Name who decides in your place while you are.', {
          accessory: button(ACTION.setAbsence, 'I’m away'),
        }),
      );
    }
  }
  if (d.isApprover || d.standsIn) {
    blocks.push(header('Waiting for your decision'));
    if (!d.queue.length) blocks.push(section('_Nothing waiting. Thank you!_'));
    for (const { request: r, tool } of d.queue) {
      const stage = currentStage(r);
      if (!stage) continue;
      const value = `${r.id}:${stage.position}`;
      blocks.push(
        section(
          `*#${r.id} ${esc(tool.name)}* for ${at(r.requester)} (${esc(groupName(groups, stage.groupId))}, since ${day(stage.startedAt)})\n${esc(clip(r.justification, 300))}`,
        ),
        actions(`decision_${r.id}`, [
          button(ACTION.approve, 'Approve', value, 'primary'),
          button(ACTION.deny, 'Deny', value, 'danger'),
        ]),
      );
    }
  }
  // The admins' summary goes last but is never cut: the approval queue gives way to it instead.
  const summary = report ? reportHomeBlocks(report) : [];
  return { type: 'home', blocks: [...blocks.slice(0, MAX_VIEW_BLOCKS - summary.length), ...summary] };
}
