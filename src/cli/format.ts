// The CLI's text: answers, requests and the audit log as people read them in a terminal.
import { currentStage, type ExceptionRequest } from '../domain/exceptions.ts';
import type { Answer } from '../service/answer.ts';
import type { AuditRecord, ImportSummary, ToolListing } from '../service/ports.ts';

/** The answer in plain text, for the CLI and for people without Slack. */
export function answerText(a: Answer): string {
  switch (a.kind) {
    case 'help':
      return 'Usage: toolgate ask <tool> [--user U...] [--region R] [--json]\n       toolgate ask list [category]';
    case 'list': {
      const lines = [`${a.category ? `Tools in ${a.category}` : 'All tools'} (region ${a.region}):`];
      for (const t of a.tools) lines.push(`  ${t.name.padEnd(32)} ${t.status.padEnd(20)} ${t.id}`);
      if (a.total > a.tools.length)
        lines.push(`  … ${a.total - a.tools.length} more; narrow it down with a category: ${a.categories.join(', ')}`);
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
      const lines = [
        `${tool.name} (${tool.vendor}, ${tool.vendorCountry})`,
        `Status:       ${v.label}${v.exception ? ` until ${v.exception.expiresAt.slice(0, 10)}` : ''}`,
        `Risk class:   ${tool.risk}`,
        `Region:       ${v.region}${v.regionOverride ? ' (regional rule)' : ''}`,
        `Why:          ${v.reason}`,
      ];
      if (v.conditions) lines.push(`Conditions:   ${v.conditions}`);
      if (a.alternatives.length) lines.push(`Alternatives: ${a.alternatives.map((r) => r.name).join(', ')}`);
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
        `  ${s.position + 1}. ${s.groupId.padEnd(12)} ${s.status.padEnd(9)} ${s.decidedBy ? `${s.decidedBy} at ${s.decidedAt}` : ''}${s.note ? ` - ${s.note}` : ''}`,
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

export const toolListingLine = (t: ToolListing): string =>
  `${t.id.padEnd(28)} ${t.status.padEnd(20)} ${t.category.padEnd(22)} ${t.name}`;
