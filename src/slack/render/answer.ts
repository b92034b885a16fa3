// The `/can-i-use` answer as Block Kit.
import type { KnownBlock } from '@slack/types';
import { explainRegion, type RegionSource } from '../../domain/directory.ts';
import { cutText } from '../../domain/text.ts';
import { RISK_LABELS, STATUS_LABELS, TOOL_STATUSES, type ToolStatus } from '../../domain/types.ts';
import type { Answer } from '../../service/answer.ts';
import { ACTION, BLOCK } from '../ids.ts';
import { actions, button, context, header, section, type MessageView } from './blocks.ts';
import { countryName, day } from './labels.ts';
import { echoed, escapeMrkdwn as esc, mrkdwnLink } from './mrkdwn.ts';

type FoundAnswer = Extract<Answer, { kind: 'found' }>;

const STATUS_EMOJI: Record<ToolStatus, string> = {
  approved: ':white_check_mark:',
  conditional: ':large_yellow_circle:',
  exception_required: ':warning:',
  prohibited: ':no_entry:',
};

/** ", from your Slack profile (Office: Hangzhou)": where the region came from; nothing when the caller chose it. */
const why = (source: RegionSource | null): string => (source ? `, ${esc(explainRegion(source))}` : '');

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
      const title = a.categoryName ? `${a.categoryName} tools` : 'All tools';
      const categories = a.categories.map((c) => esc(c.name)).join(', ') || 'none yet';
      if (a.tools.length === 0) {
        return {
          text: esc(`No tools in category ${a.categoryName ?? a.category ?? ''}`),
          blocks: [
            section(`No tools in category ${echoed(a.category ?? '')}.`),
            context(`Categories: ${categories}. For one of them: \`${command} list <category>\``),
          ],
        };
      }
      const blocks: KnownBlock[] = [header(`${title} in ${a.regionName}`)];
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
          `${more}Answers for your region, ${esc(a.regionName)}${why(a.regionSource)}. Categories: ${categories}.`,
        ),
      );
      return { text: esc(`${title} in ${a.regionName}: ${a.tools.length} tools`), blocks };
    }

    case 'ambiguous':
      return {
        text: esc(`Several tools match "${a.query}"`),
        blocks: [
          section(`Several tools match ${echoed(a.query)}. Which one did you mean?`),
          actions(
            BLOCK.chooseTool,
            a.options.map((o, i) => button(`${ACTION.chooseTool}_${i}`, `${o.name} (${o.vendor})`, o.id)),
          ),
          actions(BLOCK.review, [
            button(ACTION.requestReview, 'None of these: ask for a review', cutText(a.query, 200)),
          ]),
        ],
      };

    case 'not_found': {
      const blocks: KnownBlock[] = [
        section(
          `:grey_question: *Not in registry*\n${echoed(a.query)} is not a tool the security team has reviewed yet, so there is no approval for it.`,
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

    case 'found':
      return toolAnswer(a);
  }
}

/** A channel mention (Slack shows it as #its-name), or who to ask where the registry names none. */
const channelOrTeam = (channel: string | null): string =>
  channel ? `<#${channel.replace(/[^A-Z0-9]/gi, '')}>` : 'the security team';

/** What to do next, under the verdict: the exception button, the open request, or who to talk to. */
function nextStep(a: FoundAnswer): KnownBlock | null {
  const { tool, verdict: v } = a;
  if (a.openRequest) {
    const r = a.openRequest;
    return section(
      `:inbox_tray: You asked for an exception: request #${r.id}, filed ${day(r.createdAt)}, is ${r.waitingFor ? `waiting for *${esc(r.waitingFor)}*` : 'in review'}. You will hear back in a DM.`,
    );
  }
  if (v.canRequestException)
    return actions(BLOCK.exception, [button(ACTION.requestException, 'Request an exception', tool.id, 'primary')]);
  if (v.status === 'prohibited') {
    const contact = a.contactChannel ? `<#${a.contactChannel.replace(/[^A-Z0-9]/gi, '')}>` : 'the security team';
    return context(
      `No exceptions are granted for prohibited tools. Think the policy is wrong for your case? Talk to ${contact}.`,
    );
  }
  return null;
}

/**
 * One tool's answer, built to be read in a glance: the verdict with its reason, conditions and
 * alternatives in one section, what to do next, and the facts behind it in one context line.
 */
function toolAnswer(a: FoundAnswer): MessageView {
  const { tool, verdict: v } = a;
  const region = `Your region: ${esc(a.regionName)}${why(a.regionSource)}${v.regionOverride ? ' (it has its own rule for this tool)' : ''}`;
  const lines: string[] = [];
  if (v.exception) {
    // Holding an exception, the person needs its end and its conditions; the reasons are for those without one.
    lines.push(`:white_check_mark: *${esc(v.label)}* until ${day(v.exception.expiresAt)}`, region);
    if (v.conditions) lines.push(`*Conditions:* ${esc(v.conditions)}`);
  } else {
    lines.push(`${STATUS_EMOJI[v.status]} *${v.label}* · ${region}`, esc(v.reason));
    if (v.conditions) lines.push(`*Conditions:* ${esc(v.conditions)}`);
    if (a.alternatives.length) lines.push(`*Approved alternatives:* ${names(a.alternatives)}`);
    else if (a.noClearedAlternative)
      lines.push(`No cleared alternative in your region: ask ${channelOrTeam(a.noClearedAlternative.ask)}.`);
  }
  const blocks: KnownBlock[] = [header(tool.name)];
  if (a.via !== 'exact') blocks.push(context(`You asked for ${echoed(a.query)}; this is *${esc(tool.name)}*.`));
  blocks.push(section(lines.join('\n')));
  const next = nextStep(a);
  if (next) blocks.push(next);
  // History where there is some; Edit for those who may reclassify (checked again on the server at each click).
  const toolButtons = [
    ...(a.tools?.history ? [button(ACTION.toolHistory, 'History', tool.id)] : []),
    ...(a.tools?.edit ? [button(ACTION.editTool, 'Edit', tool.id)] : []),
  ];
  if (toolButtons.length) blocks.push(actions(BLOCK.toolAdmin, toolButtons));
  const facts = [
    `${esc(tool.vendor)}, ${esc(countryName(tool.vendorCountry))}`,
    `${RISK_LABELS[tool.risk]} risk`,
    esc(a.categoryName),
    tool.reviewed ? `Reviewed ${tool.reviewed}` : 'Not reviewed yet',
  ];
  if (tool.policyUrl) facts.push(mrkdwnLink(tool.policyUrl, 'Policy'));
  if (a.others.length) facts.push(`Also matching: ${a.others.map((o) => esc(o.name)).join(', ')}`);
  blocks.push(context(facts.join(' · ')));
  return { text: esc(`${tool.name}: ${v.label}`), blocks };
}
