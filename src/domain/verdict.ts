// What a tool's registry entry means for one person: the region override applied,
// and (once exceptions exist) their own active exception.
import { STATUS_LABELS, type Tool, type ToolStatus } from './types.ts';

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

export function verdictFor(tool: Tool, region: string, exception: ActiveException | null = null): Verdict {
  const override = tool.regions[region];
  const status = override?.status ?? tool.status;
  const held = status === 'exception_required' ? exception : null;
  return {
    status,
    label: held ? `Allowed under exception #${held.requestId}` : STATUS_LABELS[status],
    reason: override?.reason ?? tool.reason,
    conditions: override?.conditions ?? tool.conditions,
    alternatives: override?.alternatives ?? tool.alternatives,
    region,
    regionOverride: override !== undefined && Object.values(override).some((v) => v !== undefined),
    exception: held,
    canRequestException: status === 'exception_required' && held === null,
  };
}
