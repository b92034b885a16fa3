// Demand and turnaround as Block Kit: the admins' summary on the Home tab, and the weekly digest of
// stale tools posted to the review channel.
import type { KnownBlock } from '@slack/types';
import type { DemandReport, StaleDigestNotice } from '../../domain/report.ts';
import { context, header, section, type MessageView } from './blocks.ts';
import { day } from './labels.ts';
import { escapeMrkdwn as esc, userMention as at } from './mrkdwn.ts';

/** At most this many lines per list: a Home tab is for a glance; `toolgate report` has it all. */
const HOME_LINES = 5;
const DIGEST_LINES = 40;

const staleLine = (t: { name: string; lastChecked: string | null; ageDays: number | null }): string =>
  t.lastChecked
    ? `*${esc(t.name)}*: last checked ${t.lastChecked} (${t.ageDays} days ago)`
    : `*${esc(t.name)}*: never reviewed`;

const percent = (rate: number | null): string => (rate === null ? 'none decided' : `${Math.round(rate * 100)}%`);

const more = (shown: number, total: number): string => (total > shown ? `\n_…and ${total - shown} more_` : '');

function list<T>(items: readonly T[], line: (item: T) => string, none: string, max = HOME_LINES): string {
  if (!items.length) return `_${none}_`;
  return (
    items
      .slice(0, max)
      .map((i) => `• ${line(i)}`)
      .join('\n') + more(Math.min(items.length, max), items.length)
  );
}

/** The summary admins see on the Home tab: the same figures as `toolgate report`, shortened. */
export function reportHomeBlocks(r: DemandReport): KnownBlock[] {
  const denied = r.denialRate;
  return [
    header(`Demand, last ${r.days} days`),
    section(
      `*Questions:* ${r.questions} · *Denial rate:* ${percent(denied.rate)}${denied.decided ? ` (${denied.denied} of ${denied.decided} decided)` : ''}`,
    ),
    section(
      `*Most asked*\n${list(r.mostAsked, (t) => `${esc(t.name)}: ${t.count} (${t.askers} people)`, 'No questions yet.')}`,
    ),
    section(
      `*Not in the registry*\n${list(r.unknownNames, (n) => `\`${esc(n.name)}\`: ${n.count} (${n.askers} people)`, 'Nobody asked for an unknown tool.')}`,
    ),
    section(
      `*Requests by tool*\n${list(
        r.requestsByTool,
        (t) =>
          `${esc(t.name)}: ${t.total} (${t.approved} approved, ${t.denied} denied, ${t.pending} pending, ${t.cancelled} cancelled)`,
        'No exception requests.',
      )}`,
    ),
    section(
      `*Approval turnaround*\n${list(
        r.turnaround,
        (g) =>
          `${esc(g.groupName)}: median ${g.medianHours} h, 90th percentile ${g.p90Hours} h (${g.decisions} decisions)`,
        'No decisions.',
      )}`,
    ),
    section(
      `*Exceptions ending in the next ${r.expiringDays} days*\n${list(
        r.expiring,
        (e) => `#${e.requestId} ${esc(e.name)} for ${at(e.requester)}, until ${day(e.expiresAt)}`,
        'None.',
      )}`,
    ),
    section(
      `*Stale tools* (not reviewed or checked in ${r.maxAgeDays} days)\n${list(r.staleTools, staleLine, 'None: every tool was checked recently.')}`,
    ),
    context('The whole report: `toolgate report --days 30 --format text|json|csv`.'),
  ];
}

/** The weekly digest for the review channel: which tools to look at again. */
export function staleDigestMessage(n: StaleDigestNotice): MessageView {
  const title = `${n.tools.length} ${n.tools.length === 1 ? 'tool has' : 'tools have'} not been reviewed or checked in ${n.maxAgeDays} days`;
  return {
    text: esc(`Weekly registry digest: ${title}`),
    blocks: [
      section(`:spiral_calendar_pad: *Weekly registry digest:* ${esc(title)}.`),
      section(list(n.tools, staleLine, 'None.', DIGEST_LINES)),
      context(
        'Check the facts against the vendor’s pages, then update `reviewed` or `facts_checked` in the registry. `toolgate registry check` lists them too.',
      ),
    ],
  };
}
