// The registry's vocabulary. Pure data: no Slack, no SQL.

export const RISK_CLASSES = ['low', 'medium', 'high', 'critical'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export const TOOL_STATUSES = ['approved', 'conditional', 'exception_required', 'prohibited'] as const;
export type ToolStatus = (typeof TOOL_STATUSES)[number];

export interface ToolData {
  sends_code_externally?: boolean | undefined;
  data_location?: string | undefined;
  self_hostable?: boolean | undefined;
  trains_on_inputs?: boolean | undefined;
}

/** What a region may change about a tool's global entry. */
export interface RegionOverride {
  status?: ToolStatus | undefined;
  reason?: string | undefined;
  conditions?: string | undefined;
  alternatives?: string[] | undefined;
}

export interface Tool {
  id: string;
  name: string;
  vendor: string;
  vendorCountry: string;
  category: string;
  aliases: string[];
  risk: RiskClass;
  status: ToolStatus;
  reason: string;
  conditions: string | null;
  alternatives: string[];
  maxExceptionDays: number | null;
  /** Overrides the risk class's approval chain for this tool. */
  approvers: string[] | null;
  data: ToolData;
  policyUrl: string | null;
  reviewed: string | null;
  regions: Record<string, RegionOverride>;
}

export interface Person {
  user: string;
  name: string | null;
  region: string;
  department: string | null;
}

export interface ApproverGroup {
  id: string;
  name: string;
  channel: string;
  members: string[];
}

export interface Registry {
  regions: string[];
  admins: string[];
  reviewChannel: string | null;
  approverGroups: ApproverGroup[];
  approvalChains: Record<RiskClass, string[]>;
  people: Person[];
  tools: Tool[];
}

/** A reference to a tool, enough to name it in a list. */
export interface ToolRef {
  id: string;
  name: string;
  vendor: string;
}
