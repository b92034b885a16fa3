// `toolgate report` as text for a person, and as CSV (one figure a row) for a spreadsheet.
import type { DemandReport } from '../domain/report.ts';

const percent = (rate: number | null): string => (rate === null ? 'none decided' : `${Math.round(rate * 100)}%`);

export function reportText(r: DemandReport): string {
  const lines: string[] = [
    `Demand and turnaround, ${r.since.slice(0, 10)} to ${r.until.slice(0, 10)} (${r.days} days)`,
    '',
    `Questions asked: ${r.questions}`,
    '',
    'Most asked tools:',
    ...(r.mostAsked.length
      ? r.mostAsked.map((t) => `  ${t.name.padEnd(28)} ${String(t.count).padStart(5)} questions, ${t.askers} people`)
      : ['  none']),
    '',
    'Not in the registry (most asked):',
    ...(r.unknownNames.length
      ? r.unknownNames.map((n) => `  ${n.name.padEnd(28)} ${String(n.count).padStart(5)} questions, ${n.askers} people`)
      : ['  none']),
    '',
    'Exception requests by tool (approved counts every request granted, even if it ended since):',
    ...(r.requestsByTool.length
      ? r.requestsByTool.map(
          (t) =>
            `  ${t.name.padEnd(28)} ${String(t.total).padStart(5)} filed: ${t.approved} approved, ${t.denied} denied, ${t.pending} pending, ${t.cancelled} cancelled`,
        )
      : ['  none']),
    '',
    `Denial rate: ${percent(r.denialRate.rate)}${r.denialRate.decided ? ` (${r.denialRate.denied} of ${r.denialRate.decided} decided requests)` : ''}`,
    '',
    'Approval turnaround per group (hours from reaching the group to its decision):',
    ...(r.turnaround.length
      ? r.turnaround.map(
          (g) =>
            `  ${g.groupName.padEnd(28)} median ${g.medianHours} h, 90th percentile ${g.p90Hours} h (${g.decisions} decisions)`,
        )
      : ['  no decisions']),
    '',
    `Stale tools (not reviewed or checked in ${r.maxAgeDays} days):`,
    ...(r.staleTools.length
      ? r.staleTools.map(
          (t) =>
            `  ${t.name.padEnd(28)} ${t.lastChecked ? `last checked ${t.lastChecked} (${t.ageDays} days)` : 'never'}`,
        )
      : ['  none']),
    '',
    `Exceptions ending in the next ${r.expiringDays} days:`,
    ...(r.expiring.length
      ? r.expiring.map((e) => `  #${e.requestId} ${e.name} for ${e.requester}, until ${e.expiresAt.slice(0, 10)}`)
      : ['  none']),
  ];
  return lines.join('\n');
}

/**
 * One cell. What people typed can reach a spreadsheet through this file: a cell that a spreadsheet
 * would run as a formula (= + - @ at its start) is prefixed with an apostrophe, as OWASP advises.
 */
const cell = (v: string | number | null): string => {
  let text = v === null ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** section,id,name,metric,value: one figure a row, so every section fits one table. */
export function reportCsv(r: DemandReport): string {
  const rows: Array<[string, string, string, string, string | number | null]> = [
    ['window', '', '', 'since', r.since],
    ['window', '', '', 'until', r.until],
    ['window', '', '', 'days', r.days],
    ['questions', '', '', 'total', r.questions],
  ];
  for (const t of r.mostAsked)
    rows.push(
      ['most_asked', t.toolId, t.name, 'questions', t.count],
      ['most_asked', t.toolId, t.name, 'askers', t.askers],
    );
  for (const n of r.unknownNames)
    rows.push(['unknown_name', '', n.name, 'questions', n.count], ['unknown_name', '', n.name, 'askers', n.askers]);
  for (const t of r.requestsByTool)
    for (const metric of ['total', 'approved', 'denied', 'pending', 'cancelled'] as const)
      rows.push(['requests', t.toolId, t.name, metric, t[metric]]);
  rows.push(
    ['denial_rate', '', '', 'decided', r.denialRate.decided],
    ['denial_rate', '', '', 'denied', r.denialRate.denied],
    ['denial_rate', '', '', 'rate', r.denialRate.rate],
  );
  for (const g of r.turnaround)
    rows.push(
      ['turnaround', g.groupId, g.groupName, 'decisions', g.decisions],
      ['turnaround', g.groupId, g.groupName, 'median_hours', g.medianHours],
      ['turnaround', g.groupId, g.groupName, 'p90_hours', g.p90Hours],
    );
  for (const t of r.staleTools)
    rows.push(
      ['stale', t.toolId, t.name, 'last_checked', t.lastChecked],
      ['stale', t.toolId, t.name, 'age_days', t.ageDays],
    );
  for (const e of r.expiring)
    rows.push(
      ['expiring', String(e.requestId), e.name, 'requester', e.requester],
      ['expiring', String(e.requestId), e.name, 'expires_at', e.expiresAt],
    );
  return ['section,id,name,metric,value', ...rows.map((row) => row.map(cell).join(','))].join('\n');
}
