// The `/can-i-use` answer as Block Kit.
import type { KnownBlock } from '@slack/types';
import { cutText } from '../../domain/text.ts';
import { RISK_LABELS, STATUS_LABELS, TOOL_STATUSES, type ToolStatus } from '../../domain/types.ts';
import type { Answer } from '../../service/answer.ts';
import { ACTION, BLOCK } from '../ids.ts';
import { actions, button, context, header, section, type MessageView } from './blocks.ts';
import { escapeMrkdwn as esc, mrkdwnLink } from './mrkdwn.ts';

const STATUS_EMOJI: Record<ToolStatus, string> = {
  approved: ':white_check_mark:',
  conditional: ':large_yellow_circle:',
  exception_required: ':warning:',
  prohibited: ':no_entry:',
};

const names = (refs: Array<{ name: string }>): string => refs.map((r) => `*${esc(r.name)}*`).join(', ');

function helpView(command: string): MessageView {
  return {
    text: esc(`How to use ${command}`),
    blocks: [
      section(`*${command} &lt;tool&gt;* tells you whether you may use a tool at work, and why.`),
      section(
        [
          `• \`${command} claude code\`: the answer for one tool (spelling, case and hyphens don't matter)`,
          `• \`${command} list\`: every tool, grouped by status`,
          `• \`${command} list ai-coding-assistant\`: one category`,
          `• \`${command} help\`: this message`,
        ].join('\n'),
      ),
      context('Answers depend on your region. Where an exception is possible, you can request one from the answer.'),
    ],
  };
}

export function answerView(a: Answer, command = '/can-i-use'): MessageView {
  switch (a.kind) {
    case 'help':
      return helpView(command);

    case 'list': {
      const title = a.category ? `Tools in ${a.category}` : 'All tools';
      if (a.tools.length === 0) {
        return {
          text: esc(`No tools in category ${a.category ?? ''}`),
          blocks: [
            section(`No tools in category *${esc(a.category ?? '')}*.`),
            context(`Categories: ${a.categories.map((c) => `\`${esc(c)}\``).join(', ') || 'none yet'}`),
          ],
        };
      }
      const blocks: KnownBlock[] = [header(`${title} (region ${a.region})`)];
      for (const status of TOOL_STATUSES) {
        const tools = a.tools.filter((t) => t.status === status);
        if (!tools.length) continue;
        blocks.push(
          section(
            `${STATUS_EMOJI[status]} *${STATUS_LABELS[status]}* (${tools.length})\n${tools.map((t) => esc(t.name)).join(', ')}`,
          ),
        );
      }
      const more = a.total > a.tools.length ? `Showing ${a.tools.length} of ${a.total}. ` : '';
      blocks.push(
        context(
          `${more}Narrow it down with \`${command} list &lt;category&gt;\`: ${a.categories.map((c) => `\`${esc(c)}\``).join(', ')}`,
        ),
      );
      return { text: esc(`${title}: ${a.tools.length} tools`), blocks };
    }

    case 'ambiguous':
      return {
        text: esc(`Several tools match "${a.query}"`),
        blocks: [
          section(`Several tools match *${esc(a.query)}*. Which one did you mean?`),
          actions(
            BLOCK.chooseTool,
            a.options.map((o, i) => button(`${ACTION.chooseTool}_${i}`, `${o.name} (${o.vendor})`, o.id)),
          ),
        ],
      };

    case 'not_found': {
      const blocks: KnownBlock[] = [
        section(
          `:grey_question: *Not in registry*\n*${esc(a.query)}* is not a tool the security team has reviewed yet, so there is no approval for it.`,
        ),
      ];
      if (a.suggestions.length) {
        blocks.push(section(`Did you mean ${a.suggestions.map((s) => `*${esc(s.name)}*`).join(', ')}?`));
        blocks.push(
          actions(
            BLOCK.suggestions,
            a.suggestions.map((s, i) => button(`${ACTION.chooseTool}_${i}`, s.name, s.id)),
          ),
        );
      }
      blocks.push(
        actions(BLOCK.review, [button(ACTION.requestReview, 'Ask for a review of this tool', cutText(a.query, 200))]),
      );
      return { text: esc(`${a.query}: Not in registry`), blocks };
    }

    case 'found': {
      const { tool, verdict: v } = a;
      const statusLine = v.exception
        ? `:white_check_mark: *${esc(v.label)}* until ${v.exception.expiresAt.slice(0, 10)}`
        : `${STATUS_EMOJI[v.status]} *${v.label}*`;
      const blocks: KnownBlock[] = [
        header(tool.name),
        section(statusLine, {
          fields: [
            `*Vendor*\n${esc(tool.vendor)} (${esc(tool.vendorCountry)})`,
            `*Risk class*\n${RISK_LABELS[tool.risk]}`,
            `*Category*\n${esc(tool.category)}`,
            `*Your region*\n${esc(v.region)}${v.regionOverride ? ' (regional rule)' : ''}`,
          ],
        }),
        section(`*Why*\n${esc(v.reason)}`),
      ];
      if (v.conditions) blocks.push(section(`*Conditions*\n${esc(v.conditions)}`));
      if (a.alternatives.length) blocks.push(section(`*Approved alternatives*\n${names(a.alternatives)}`));
      const footer: string[] = [];
      if (tool.policyUrl) footer.push(mrkdwnLink(tool.policyUrl, 'Policy'));
      footer.push(tool.reviewed ? `Last reviewed ${tool.reviewed}` : 'Not reviewed yet');
      if (a.via !== 'exact') footer.push(`Showing results for *${esc(tool.name)}* (you asked for "${esc(a.query)}")`);
      if (a.others.length) footer.push(`Also: ${a.others.map((o) => esc(o.name)).join(', ')}`);
      blocks.push(context(footer.join(' · ')));
      if (v.canRequestException) {
        blocks.push(
          actions(BLOCK.exception, [button(ACTION.requestException, 'Request an exception', tool.id, 'primary')]),
        );
      } else if (v.status === 'prohibited') {
        const contact = a.contactChannel ? `<#${a.contactChannel.replace(/[^A-Z0-9]/gi, '')}>` : 'the security team';
        blocks.push(
          context(
            `No exceptions are granted for prohibited tools. Think the policy is wrong for your case? Talk to ${contact}.`,
          ),
        );
      }
      return { text: esc(`${tool.name}: ${v.label}`), blocks };
    }
  }
}
