// Direct messages to the person a request is about: filed, progress, decided, ending, ended.
import { currentStage, type DmEvent, type ExceptionRequest } from '../../domain/exceptions.ts';
import type { Tool } from '../../domain/types.ts';
import { verdictFor } from '../../domain/verdict.ts';
import { ACTION, BLOCK } from '../ids.ts';
import { actions, button, context, section, type MessageView } from './blocks.ts';
import { day, groupName, type GroupDirectory } from './labels.ts';
import { actorName, escapeMrkdwn as esc, userMention as at } from './mrkdwn.ts';

/** The conditions that hold where the request was made: a region may set its own. */
export const conditionsFor = (tool: Tool, region: string): string | null => verdictFor(tool, region).conditions;

/**
 * Where a request stands now, in one line: shown in place of a button that no longer applies, and
 * as the answer to a click on one.
 */
export function requestStateLine(r: ExceptionRequest, tool: Tool): string {
  const name = `*${esc(tool.name)}*`;
  switch (r.status) {
    case 'pending':
      return `Request #${r.id} for ${name} is still being reviewed.`;
    case 'active':
      return `Request #${r.id} for ${name} was approved: you hold exception #${r.id} until ${day(r.expiresAt)}.`;
    case 'denied':
      return `Request #${r.id} for ${name} was denied on ${day(r.decidedAt)}.`;
    case 'cancelled':
      return `Request #${r.id} for ${name} was cancelled on ${day(r.endedAt)}.`;
    case 'revoked':
      return `Exception #${r.id} for ${name} was revoked on ${day(r.endedAt)}.`;
    case 'expired':
      return `Exception #${r.id} for ${name} expired on ${day(r.expiresAt)}.`;
    case 'superseded':
      return `Exception #${r.id} for ${name} was renewed${r.endReason ? ` (${esc(r.endReason)})` : ''}.`;
  }
}

/** For a `reclassified` DM: the tools cleared in the person's region instead, and the region's name. */
export interface ReclassifiedContext {
  regionName: string;
  alternatives: Array<{ name: string }>;
}

export function directMessage(
  event: DmEvent,
  r: ExceptionRequest,
  tool: Tool,
  groups: GroupDirectory,
  reclassified: ReclassifiedContext | null = null,
): MessageView {
  const name = `*${esc(tool.name)}*`;
  const chain = r.stages.map((s) => esc(groupName(groups, s.groupId))).join(', then ');
  const current = currentStage(r);
  const regional = conditionsFor(tool, r.region);
  const conditions = regional ? `\n*Conditions:* ${esc(regional)}` : '';
  switch (event) {
    case 'filed':
      // Refreshed after every change while it is open: Cancel stays only while there is something to cancel.
      return {
        text: esc(`Request #${r.id} for ${tool.name} filed`),
        blocks:
          r.status === 'pending'
            ? [
                section(
                  `:inbox_tray: Request #${r.id} for ${name} is filed. It is reviewed by ${chain}; you will hear back here.` +
                    (current && current.position > 0 ? `\nNow with *${esc(groupName(groups, current.groupId))}*.` : ''),
                ),
                actions(BLOCK.request, [button(ACTION.cancel, 'Cancel request', String(r.id))]),
              ]
            : [
                section(`:inbox_tray: Request #${r.id} for ${name} was filed on ${day(r.createdAt)}.`),
                context(requestStateLine(r, tool)),
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
            `:no_entry: Request #${r.id} for ${name} was denied by ${at(denied?.decidedBy ?? '')}${denied?.onBehalfOf ? ` for ${at(denied.onBehalfOf)}` : ''} (${esc(groupName(groups, denied?.groupId ?? ''))}).\n*Reason:* ${esc(denied?.note ?? '')}`,
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
            `:no_entry_sign: Your exception #${r.id} for ${name} was revoked by ${actorName(r.endedBy ?? '')}.\n*Reason:* ${esc(r.endReason ?? '')}\nPlease stop using it now.`,
          ),
        ],
      };
    case 'expiring':
      return {
        text: esc(`Exception #${r.id} for ${tool.name} ends on ${day(r.expiresAt)}`),
        blocks:
          r.status === 'active'
            ? [
                section(
                  `:hourglass: Your exception #${r.id} for ${name} ends on *${day(r.expiresAt)}*. Still need it? Request a renewal, pre-filled from this one.`,
                ),
                actions(BLOCK.renewal, [button(ACTION.renew, 'Request a renewal', String(r.id), 'primary')]),
              ]
            : [
                section(`:hourglass: Your exception #${r.id} for ${name} was due to end on ${day(r.expiresAt)}.`),
                context(requestStateLine(r, tool)),
              ],
      };
    case 'reclassified': {
      // Rendered from the tool as it is now: the alternatives are those cleared in the person's region.
      const where = esc(reclassified?.regionName ?? r.region);
      const alternatives = reclassified?.alternatives ?? [];
      const instead = alternatives.length
        ? `\n*Cleared in ${where} instead:* ${alternatives.map((a) => `*${esc(a.name)}*`).join(', ')}`
        : `\nNo cleared alternative in ${where}: ask the security team.`;
      const stillNeeded = verdictFor(tool, r.region).status === 'prohibited';
      if (r.status === 'revoked')
        return {
          text: esc(`Exception #${r.id} for ${tool.name} was revoked: the tool was reclassified`),
          blocks: [
            section(
              `:no_entry_sign: Your exception #${r.id} for ${name} is revoked because the tool was reclassified.\n*Why:* ${esc(r.endReason ?? '')}\nPlease stop using it now.${instead}`,
            ),
          ],
        };
      return {
        text: esc(`Request #${r.id} for ${tool.name} was closed: the tool was reclassified`),
        blocks: [
          section(
            `:heavy_minus_sign: Your request #${r.id} for ${name} is closed because the tool was reclassified.\n*Why:* ${esc(r.endReason ?? '')}` +
              (stillNeeded ? instead : `\n\`/can-i-use ${esc(tool.id)}\` has the current answer.${conditions}`),
          ),
        ],
      };
    }
    case 'expired':
      return {
        text: esc(`Exception #${r.id} for ${tool.name} has expired`),
        blocks: [
          section(
            `:clock3: Your exception #${r.id} for ${name} expired on ${day(r.expiresAt)}. Please stop using it; \`/can-i-use ${esc(tool.id)}\` has the current answer.`,
          ),
        ],
      };
    case 'region_changed':
      // The reason names the new region and why (from the profile as Slack gave it): escaped.
      return {
        text: esc(`Exception #${r.id} for ${tool.name} has ended: your region changed`),
        blocks: [
          section(
            `:no_entry_sign: Your exception #${r.id} for ${name} has ended because your region changed.\n*Why:* ${esc(r.endReason ?? '')}.\n\`/can-i-use ${esc(tool.id)}\` has the answer for your region now.`,
          ),
        ],
      };
  }
}
