// Direct messages to the person a request is about: filed, progress, decided, ending, ended.
import { currentStage, type DmEvent, type ExceptionRequest } from '../../domain/exceptions.ts';
import type { Tool } from '../../domain/types.ts';
import { verdictFor } from '../../domain/verdict.ts';
import { ACTION, BLOCK } from '../ids.ts';
import { actions, button, section, type MessageView } from './blocks.ts';
import { day, groupName, type GroupDirectory } from './labels.ts';
import { escapeMrkdwn as esc, userMention as at } from './mrkdwn.ts';

/** The conditions that hold where the request was made: a region may set its own. */
export const conditionsFor = (tool: Tool, region: string): string | null => verdictFor(tool, region).conditions;

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
          section(
            `:inbox_tray: Request #${r.id} for ${name} is filed. It is reviewed by ${chain}; you will hear back here.`,
          ),
          actions(BLOCK.request, [button(ACTION.cancel, 'Cancel request', String(r.id))]),
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
        blocks: [
          section(
            `:tada: Request #${r.id} is approved. You may use ${name} until *${day(r.expiresAt)}* (exception #${r.id}).${conditions}`,
          ),
        ],
      };
    case 'denied': {
      const denied = r.stages.find((s) => s.status === 'denied');
      return {
        text: esc(`Request #${r.id} for ${tool.name} was denied`),
        blocks: [
          section(
            `:no_entry: Request #${r.id} for ${name} was denied by ${at(denied?.decidedBy ?? '')} (${esc(groupName(groups, denied?.groupId ?? ''))}).\n*Reason:* ${esc(denied?.note ?? '')}`,
          ),
        ],
      };
    }
    case 'cancelled':
      return {
        text: esc(`Request #${r.id} cancelled`),
        blocks: [
          section(
            `:heavy_minus_sign: Request #${r.id} for ${name} is cancelled${r.endReason ? `: ${esc(r.endReason)}` : ''}.`,
          ),
        ],
      };
    case 'revoked':
      return {
        text: esc(`Exception #${r.id} for ${tool.name} was revoked`),
        blocks: [
          section(
            `:no_entry_sign: Your exception #${r.id} for ${name} was revoked by ${at(r.endedBy ?? '')}.\n*Reason:* ${esc(r.endReason ?? '')}\nPlease stop using it now.`,
          ),
        ],
      };
    case 'expiring':
      return {
        text: esc(`Exception #${r.id} for ${tool.name} ends on ${day(r.expiresAt)}`),
        blocks: [
          section(
            `:hourglass: Your exception #${r.id} for ${name} ends on *${day(r.expiresAt)}*. Still need it? Request a renewal, pre-filled from this one.`,
          ),
          actions(BLOCK.renewal, [button(ACTION.renew, 'Request a renewal', String(r.id), 'primary')]),
        ],
      };
    case 'expired':
      return {
        text: esc(`Exception #${r.id} for ${tool.name} has expired`),
        blocks: [
          section(
            `:clock3: Your exception #${r.id} for ${name} expired on ${day(r.expiresAt)}. Please stop using it; \`/can-i-use ${esc(tool.id)}\` has the current answer.`,
          ),
        ],
      };
  }
}
