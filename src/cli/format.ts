// The CLI's text: answers, requests and the audit log as people read them in a terminal.
import type { AcknowledgeRefusal, AuditKeying, AuditProblem } from '../domain/audit.ts';
import { currentStage, RULES, type ExceptionRequest } from '../domain/exceptions.ts';
import { explainRegion, type RegionSource, type RuleProblem } from '../domain/directory.ts';
import type { RegistryFinding } from '../domain/registryCheck.ts';
import { assessmentLine } from '../domain/rubric.ts';
import { RISK_LABELS } from '../domain/types.ts';
import type { Answer } from '../service/answer.ts';
import type { AuditReport } from '../service/audit.ts';
import type { AuditRecord, ImportSummary, ToolListing } from '../service/ports.ts';

/** Why the region, as the bot says it; the CLI asks no Slack, so a missing profile is one not cached. */
const regionWhy = (source: RegionSource): string =>
  source.kind === 'default' && source.reason === 'profile_unavailable'
    ? 'the default, because no Slack profile of theirs is cached (the CLI does not call Slack; see toolgate whois)'
    : explainRegion(source, 'they');

/** The answer in plain text, for the CLI and for people without Slack. */
export function answerText(a: Answer): string {
  switch (a.kind) {
    case 'help':
      return 'Usage: toolgate ask <tool> [--user U...] [--region R] [--json]\n       toolgate ask list [category]';
    case 'list': {
      const lines = [`${a.categoryName ? `${a.categoryName} tools` : 'All tools'} in ${a.regionName}:`];
      for (const t of a.tools) lines.push(`  ${t.name.padEnd(32)} ${t.status.padEnd(20)} ${t.id}`);
      if (a.total > a.tools.length)
        lines.push(
          `  … ${a.total - a.tools.length} more; narrow it down with a category: ${a.categories.map((c) => c.id).join(', ')}`,
        );
      return lines.join('\n');
    }
    case 'ambiguous':
      return [
        `Several tools match "${a.query}":`,
        ...a.options.map((o) => `  ${o.name} (${o.vendor})  [${o.id}]`),
      ].join('\n');
    case 'not_found':
      return [
        `${a.query}: Not in registry`,
        ...(a.suggestions.length ? [`Did you mean: ${a.suggestions.map((s) => s.name).join(', ')}?`] : []),
      ].join('\n');
    case 'found': {
      const { tool, verdict: v } = a;
      const lines = [`${tool.name} (${tool.vendor}, ${tool.vendorCountry})`];
      // The same note as in Slack: a corrected name is said, never swapped in silently.
      if (a.via !== 'exact') lines.push(`(you asked for "${a.query}"; this is ${tool.name})`);
      lines.push(
        `Status:       ${v.label}${v.exception ? ` until ${v.exception.expiresAt.slice(0, 10)}` : ''}`,
        `Risk class:   ${RISK_LABELS[tool.risk]}`,
        `Category:     ${a.categoryName}`,
        `Region:       ${a.regionName}${a.regionSource ? `, ${regionWhy(a.regionSource)}` : ''}${v.regionOverride ? ' (its own rule for this tool)' : ''}`,
        `Why:          ${v.reason}`,
      );
      if (v.conditions) lines.push(`Conditions:   ${v.conditions}`);
      if (a.alternatives.length) lines.push(`Alternatives: ${a.alternatives.map((r) => r.name).join(', ')}`);
      else if (a.noClearedAlternative)
        lines.push(
          `Alternatives: none cleared in your region: ask ${a.noClearedAlternative.ask ? `the review channel (${a.noClearedAlternative.ask})` : 'the security team'}`,
        );
      if (a.openRequest)
        lines.push(
          `Request:      #${a.openRequest.id}, ${a.openRequest.waitingFor ? `waiting for ${a.openRequest.waitingFor}` : 'in review'}`,
        );
      if (tool.policyUrl) lines.push(`Policy:       ${tool.policyUrl}`);
      lines.push(`Reviewed:     ${tool.reviewed ?? 'never'}`);
      return lines.join('\n');
    }
  }
}

export function requestLine(r: ExceptionRequest): string {
  const stage = currentStage(r);
  const where =
    r.status === 'pending'
      ? `waiting for ${stage?.groupId ?? '?'}`
      : r.status === 'active'
        ? `until ${r.expiresAt?.slice(0, 10)}`
        : '';
  return `#${String(r.id).padEnd(5)} ${r.status.padEnd(10)} ${r.toolId.padEnd(24)} ${r.requester.padEnd(12)} ${r.createdAt.slice(0, 10)}  ${where}`;
}

export function requestDetail(r: ExceptionRequest, trail: AuditRecord[]): string {
  const lines = [
    `Request #${r.id}: ${r.toolId} for ${r.requester} (region ${r.region}${r.department ? `, ${r.department}` : ''})`,
    `Status:        ${r.status}${r.expiresAt ? ` (until ${r.expiresAt})` : ''}${r.endReason ? ` - ${r.endReason}` : ''}`,
    `Filed:         ${r.createdAt}${r.renewalOf ? ` (renews #${r.renewalOf})` : ''}`,
    `Where:         ${r.usage}`,
    `Data:          ${r.dataClass}`,
    `Duration:      ${r.durationDays} days`,
    `Justification: ${r.justification}`,
    'Stages:',
    ...r.stages.map(
      (s) =>
        `  ${s.position + 1}. ${s.groupId.padEnd(12)} ${s.status.padEnd(9)} ${s.decidedBy ? `${s.decidedBy}${s.onBehalfOf ? ` for ${s.onBehalfOf} (away)` : ''} at ${s.decidedAt}` : ''}${s.note ? ` - ${s.note}` : ''}`,
    ),
    'Audit trail:',
    ...trail.map((e) => `  ${e.at}  ${e.action.padEnd(24)} ${e.actor}`),
  ];
  return lines.join('\n');
}

const csvCell = (v: unknown): string => {
  const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function auditCsv(entries: AuditRecord[]): string {
  const head = ['id', 'at', 'actor', 'action', 'subject_type', 'subject_id', 'before', 'after', 'prev_hash', 'hash'];
  const rows = entries.map((e) =>
    [e.id, e.at, e.actor, e.action, e.subjectType, e.subjectId, e.before, e.after, e.prevHash, e.hash]
      .map(csvCell)
      .join(','),
  );
  return [head.join(','), ...rows].join('\n');
}

export const importSummaryText = (file: string, s: ImportSummary): string =>
  `Imported ${file}: ${s.added.length} added, ${s.updated.length} updated, ${s.unchanged} unchanged, ${s.removed.length} removed` +
  (s.kept.length ? `; kept ${s.kept.join(', ')} (still referenced)` : '');

/** `toolgate registry check` in words: what the rubric would change, then what has gone stale. */
export function registryCheckText(
  findings: readonly RegistryFinding[],
  maxAgeDays: number,
  rules: readonly RuleProblem[] = [],
): string {
  const lines: string[] = [];
  if (rules.length) {
    lines.push('Region rules that can never match, or only in part (first match wins):');
    for (const r of rules) lines.push(`  ${r.message}`);
  }
  const rubric = findings.filter((f) => f.kind === 'rubric');
  const stale = findings.filter((f) => f.kind === 'stale');
  if (rubric.length) {
    lines.push("The assessment rubric would class these differently (a suggestion: the decision is a person's):");
    for (const f of rubric)
      lines.push(
        `  ${f.toolId.padEnd(28)} ${RISK_LABELS[f.registry]} in the registry. ${assessmentLine(f.assessment, (r) => RISK_LABELS[r])}`,
      );
  }
  if (stale.length) {
    lines.push(`Not reviewed or checked in the last ${maxAgeDays} days:`);
    for (const f of stale)
      lines.push(
        `  ${f.toolId.padEnd(28)} ${f.lastChecked ? `last checked ${f.lastChecked} (${f.ageDays} days ago)` : 'never reviewed or checked'}`,
      );
  }
  return lines.length
    ? lines.join('\n')
    : 'Nothing to report: every tool matches the rubric and is up to date, and every region rule can match.';
}

export const toolListingLine = (t: ToolListing): string =>
  `${t.id.padEnd(28)} ${t.status.padEnd(20)} ${t.category.padEnd(22)} ${t.name}`;

const SCHEME_WORDS: Record<number, string> = {
  1: 'the first rule, checked under it (SHA-256 with no key, from before the audit key; the entry number not covered)',
  2: 'unkeyed SHA-256 over every column (written with no audit key)',
  3: 'keyed, HMAC-SHA-256 over every column with the audit key',
};

const range = (first: number, last: number): string => (first === last ? `#${first}` : `#${first}-#${last}`);

/** Which rule the entries are under, and whether the chain is keyed, in words. */
export function keyingLines(k: AuditKeying): string[] {
  if (!k.schemes.length) return ['The audit log is empty.'];
  const lines = k.schemes.map(
    (s) =>
      `Entries ${range(s.first, s.last)}${s.count !== s.last - s.first + 1 ? ` (${s.count} of them)` : ''}: ${SCHEME_WORDS[s.scheme] ?? `unknown rule ${s.scheme}`}${s.scheme === 3 && k.keyId ? ` (key id ${k.keyId})` : ''}.`,
  );
  const keyed = k.schemes.find((s) => s.scheme === 3);
  if (keyed && k.keyId) lines.push(`The chain is keyed from entry #${keyed.first} on.`);
  else if (keyed)
    lines.push(
      `The chain is keyed from entry #${keyed.first} on, but there is no audit key here to check those entries: set AUDIT_KEY, or AUDIT_KEY_FILE to the key file that wrote them.`,
    );
  else
    lines.push(
      k.keyId
        ? 'The chain is UNKEYED so far; entries from the next one on are keyed with the audit key (key id ' +
            k.keyId +
            ').'
        : 'The chain is UNKEYED: whoever can write the database file could rewrite it undetected. Set AUDIT_KEY or AUDIT_KEY_FILE (see README, "Audit").',
    );
  return lines;
}

/** Problems one per entry, except a run of entries that cannot be checked for want of their key: one line. */
function problemLines(problems: readonly AuditProblem[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i] as AuditProblem;
    if (p.kind === 'unverifiable' || p.kind === 'other_key') {
      let j = i;
      while (problems[j + 1]?.kind === p.kind && problems[j + 1]?.entry === (problems[j]?.entry ?? 0) + 1) j++;
      if (j > i) {
        const last = problems[j] as AuditProblem;
        lines.push(
          `  ${range(p.entry, last.entry)}  ${p.kind === 'unverifiable' ? 'keyed, and there is no audit key here to check them' : 'written with another audit key than this one'}`,
        );
        i = j;
        continue;
      }
    }
    lines.push(`  #${p.entry}  ${p.message}`);
  }
  return lines;
}

/** `toolgate audit verify`: what is sound goes to stdout, what is wrong to stderr. */
export function auditReportText(r: AuditReport): { out: string[]; err: string[] } {
  const keying = keyingLines(r.keying);
  const acknowledged = r.acknowledged.length
    ? [
        `Acknowledged (${r.acknowledged.length}), known to be bad and not counted as failing:`,
        ...r.acknowledged.map(
          ({ problem, ack }) =>
            `  #${problem.entry}  ${problem.message}; acknowledged by ${ack.actor} at ${ack.at} (entry #${ack.by}): ${ack.reason}`,
        ),
      ]
    : [];
  if (r.ok) {
    const anchors = r.anchors ? ` against ${r.anchors} anchor(s)` : '';
    return {
      out: [
        `Audit log intact: ${r.entries} entries, hash chain verified${anchors}; ${r.requests} exception requests are in the state the log says.`,
        ...keying,
        ...acknowledged,
        ...(r.head
          ? [`Head: ${r.head}  (record it elsewhere; --anchor ${r.head} proves the log was not rewritten since)`]
          : []),
      ],
      err: [],
    };
  }
  const err: string[] = [];
  const first = r.failing.find((p) => p.kind !== 'unverifiable');
  if (first) err.push(`Audit log TAMPERED: ${first.message}. First bad entry: #${first.entry}.`);
  else if (r.failing.length)
    err.push(
      `Audit log NOT VERIFIED: ${r.failing.length} keyed entries cannot be checked without the audit key; set AUDIT_KEY, or AUDIT_KEY_FILE to the key that wrote them.`,
    );
  else
    err.push(
      `Audit log TAMPERED: the database is not in the state the log says (${r.differences.length} differences).`,
    );
  if (r.failing.length) err.push(`Problems (${r.failing.length}):`, ...problemLines(r.failing));
  if (r.differences.length)
    err.push(
      `Changed beside the log (${r.differences.length}): the database differs from the state the log says it reached:`,
      ...r.differences.map((d) => `  ${d.message}`),
    );
  return { out: [...keying, ...acknowledged], err };
}

export function acknowledgeRefusalText(entry: number, r: AcknowledgeRefusal): string {
  switch (r.kind) {
    case 'reason_required':
      return `toolgate: --reason must say why (at least ${RULES.reasonMin} characters)`;
    case 'reason_too_long':
      return `toolgate: --reason is at most ${r.max} characters`;
    case 'not_found':
      return `There is no audit entry #${entry}.`;
    case 'nothing_wrong':
      return `Audit entry #${entry} verifies: there is nothing to acknowledge.`;
    case 'not_acknowledgeable':
      return `Audit entry #${entry} cannot be acknowledged: ${r.problems.map((p) => p.message).join('; ')}. A missing key or a removed tail is fixed, not acknowledged.`;
    case 'already':
      return `Audit entry #${entry} is already acknowledged, by ${r.ack.actor} at ${r.ack.at} (entry #${r.ack.by}).`;
  }
}
