// What a tool's registry entry means for one person: the region override applied,
// and (once exceptions exist) their own active exception.
import { STATUS_LABELS, type RegionOverride, type Tool, type ToolStatus } from './types.ts';

export interface ActiveException {
  requestId: number;
  expiresAt: string;
}

export interface Verdict {
  status: ToolStatus;
  label: string;
  reason: string;
  conditions: string | null;
  /** Ids of approved alternatives, as the region sees them. */
  alternatives: string[];
  /** The region whose rules were applied. */
  region: string;
  /** True when the region override changed anything. */
  regionOverride: boolean;
  /** Set when the person holds an active exception for this tool. */
  exception: ActiveException | null;
  /** Whether asking for an exception makes sense for this person now. */
  canRequestException: boolean;
}

/**
 * The conditions that apply in a region. A region's own conditions win; the global entry's apply only
 * where the region keeps the global status (they were written for it: "exceptions cover open-source
 * repositories only" means nothing where the tool is prohibited, or approved outright). Nothing
 * conditions a prohibited tool.
 */
function conditionsWhere(tool: Tool, override: RegionOverride | undefined, status: ToolStatus): string | null {
  if (status === 'prohibited') return null;
  if (override?.conditions) return override.conditions;
  return status === tool.status ? tool.conditions : null;
}

export function verdictFor(tool: Tool, region: string, exception: ActiveException | null = null): Verdict {
  const override = tool.regions[region];
  const status = override?.status ?? tool.status;
  const held = status === 'exception_required' ? exception : null;
  return {
    status,
    label: held ? `Allowed under exception #${held.requestId}` : STATUS_LABELS[status],
    reason: override?.reason ?? tool.reason,
    conditions: conditionsWhere(tool, override, status),
    alternatives: override?.alternatives ?? tool.alternatives,
    region,
    regionOverride: override !== undefined && Object.values(override).some((v) => v !== undefined),
    exception: held,
    canRequestException: status === 'exception_required' && held === null,
  };
}

/** The statuses under which a tool may be offered as an alternative: usable without an exception. */
export const CLEARED_STATUSES: readonly ToolStatus[] = ['approved', 'conditional'];

/**
 * Of a verdict's alternatives, those the region clears (Approved or Approved with conditions there),
 * in the registry's order: an alternative prohibited in the asker's region is no alternative.
 */
export function clearedAlternatives(
  ids: readonly string[],
  region: string,
  toolOf: (id: string) => Tool | null,
): string[] {
  return ids.filter((id) => {
    const alternative = toolOf(id);
    return alternative !== null && CLEARED_STATUSES.includes(verdictFor(alternative, region).status);
  });
}

/** Whether the answer should say no cleared alternative exists: the person cannot use the tool as it is, and has nowhere to go. */
export const needsAlternative = (v: Verdict): boolean =>
  v.exception === null && (v.status === 'exception_required' || v.status === 'prohibited');
