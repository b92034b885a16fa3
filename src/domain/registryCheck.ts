// What `toolgate registry check` (and, later, the weekly digest) tells the review group: tools
// whose risk class the rubric would put elsewhere, and tools whose review or facts have gone stale.
import { assessTool, factsOf, riskGap, type Assessment, type RubricSettings } from './rubric.ts';
import type { RiskClass, Tool } from './types.ts';

const DAY = 86_400_000;

export type RegistryFinding =
  | { kind: 'rubric'; toolId: string; name: string; registry: RiskClass; assessment: Assessment }
  /** `lastChecked` is the later of `reviewed` and `facts_checked`, or null when neither is set. */
  | { kind: 'stale'; toolId: string; name: string; lastChecked: string | null; ageDays: number | null };

/** The later of a tool's review and fact-check dates, or null. */
export function lastChecked(tool: Pick<Tool, 'reviewed' | 'facts'>): string | null {
  const dates = [tool.reviewed, tool.facts.factsChecked].filter((d): d is string => typeof d === 'string');
  return dates.length ? dates.sort().at(-1)! : null;
}

/** Findings about the registry's tools as of `now`; pure. Rubric disagreements first, then stale tools, oldest first. */
export function checkTools(
  tools: readonly Tool[],
  options: { now: Date; maxAgeDays: number; rubric: RubricSettings },
): RegistryFinding[] {
  const rubric: RegistryFinding[] = [];
  const stale: Array<Extract<RegistryFinding, { kind: 'stale' }>> = [];
  for (const tool of tools) {
    const assessment = assessTool(factsOf(tool), options.rubric);
    if (riskGap(tool.risk, assessment.suggested) !== 0)
      rubric.push({ kind: 'rubric', toolId: tool.id, name: tool.name, registry: tool.risk, assessment });
    const last = lastChecked(tool);
    const ageDays = last === null ? null : Math.floor((options.now.getTime() - Date.parse(`${last}T00:00:00Z`)) / DAY);
    if (ageDays === null || ageDays > options.maxAgeDays)
      stale.push({ kind: 'stale', toolId: tool.id, name: tool.name, lastChecked: last, ageDays });
  }
  stale.sort((a, b) => (b.ageDays ?? Infinity) - (a.ageDays ?? Infinity) || a.toolId.localeCompare(b.toolId));
  return [...rubric, ...stale];
}
