// The registry's vocabulary. Pure data: no Slack, no SQL.
import type { PastClassification } from './toolHistory.ts';

// Each list below is the one definition of its values: zod enums, the CLI's flags and the
// renderers are built from it, and a store test checks the SQL CHECK constraints against it.

export const RISK_CLASSES = ['low', 'medium', 'high', 'critical'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export const RISK_LABELS: Record<RiskClass, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

export const TOOL_STATUSES = ['approved', 'conditional', 'exception_required', 'prohibited'] as const;
export type ToolStatus = (typeof TOOL_STATUSES)[number];

export const STATUS_LABELS: Record<ToolStatus, string> = {
  approved: 'Approved',
  conditional: 'Approved with conditions',
  exception_required: 'Exception required',
  prohibited: 'Prohibited',
};

/**
 * Tool ids, and every other id in the registry (regions, categories, approver groups): lowercase
 * letters, digits and hyphens, starting with a letter or digit, at most 64 characters.
 */
export const TOOL_ID = { pattern: /^[a-z0-9][a-z0-9-]*$/, maxLength: 64 } as const;

export const KEY_KINDS = ['id', 'name', 'alias', 'word'] as const;

export interface ToolData {
  sends_code_externally?: boolean | undefined;
  data_location?: string | undefined;
  self_hostable?: boolean | undefined;
  trains_on_inputs?: boolean | undefined;
}

/** Facts about the vendor and the service, for the assessment rubric and the person deciding. All optional. */
export interface ToolFacts {
  /** Who operates the service, where it is not the vendor itself (e.g. "Spring (SG) Pte. Ltd., Singapore"). */
  operatingEntity?: string | undefined;
  openWeights?: boolean | undefined;
  /** e.g. "ISO 27001", "ISO 42001", "SOC 2 Type II". */
  certifications?: string[] | undefined;
  /** Filed under China's generative-AI rules. */
  cnFiling?: boolean | undefined;
  /** Listed under export controls or sanctions. */
  exportControlled?: boolean | undefined;
  /** When these facts were last checked against the vendor's own pages (YYYY-MM-DD). */
  factsChecked?: string | undefined;
  /** Where the facts come from: the vendor's pages. */
  sources?: string[] | undefined;
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
  facts: ToolFacts;
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
  /** Members listed by hand; may be empty when `usergroup` names the members. */
  members: string[];
  /** A Slack user group whose members are approvers too: its id (`S0SEC…`) or its handle (`@security-review`). */
  usergroup: string | null;
  /** Another group whose members may stand in for this one's (delegation while away). */
  backup: string | null;
}

/** What a region rule looks at, in the order the registry file lists the kinds. */
export const REGION_RULE_KINDS = ['field', 'tz', 'email_domain', 'team'] as const;
export type RegionRuleKind = (typeof REGION_RULE_KINDS)[number];

/** The one fact a region rule matches: a profile field among values, a time zone, an email domain, a workspace. */
export type RegionRuleMatch =
  /** A Slack profile field, standard (`title`) or custom, named by its label (`Office`) or its id (`Xf0…`). */
  | { kind: 'field'; field: string; values: string[] }
  /** IANA time zones, as Slack's `tz` gives them (`Asia/Shanghai`). */
  | { kind: 'tz'; zones: string[] }
  /** Email domains; a subdomain matches too (`example.cn` matches `sh.example.cn`). */
  | { kind: 'email_domain'; domains: string[] }
  /** Enterprise Grid workspaces (team ids): the workspace a request came from. */
  | { kind: 'team'; teams: string[] };

/** One entry of `region_rules`: the first that matches sets a person's region (and maybe department). */
export interface RegionRule {
  match: RegionRuleMatch;
  region: string;
  /** The department this rule sets, if any. */
  department: string | null;
  /** Or: the profile field (label or id) the department is read from. */
  departmentField: string | null;
}

/** What people read instead of ids: "China mainland" for `cn`, "AI coding assistant" for `ai-coding-assistant`. */
export interface DisplayNames {
  regions: Record<string, string>;
  categories: Record<string, string>;
}

/** A region's name for people: its display name, else its id. */
export const regionName = (names: DisplayNames, id: string): string => names.regions[id] ?? id;

/** A category's name for people: its display name, else its id with spaces for hyphens. */
export const categoryName = (names: DisplayNames, id: string): string => names.categories[id] ?? id.replace(/-/g, ' ');

export interface Registry {
  /** Region ids, in the file's order. */
  regions: string[];
  /** Display names of regions and categories; an id without one is shown as itself. */
  names: DisplayNames;
  admins: string[];
  reviewChannel: string | null;
  /**
   * The approver group that reviews tools not in the registry (`review_group`): its channel gets the
   * review requests and its members classify them. Without it, `reviewChannel` and the admins.
   */
  reviewGroup?: string | null | undefined;
  /** Where the audit log's head is published every day; without it, only the bot's log has it. */
  auditChannel: string | null;
  /** The registry's changes to the assessment rubric's defaults (weights, thresholds, home countries). */
  rubric: RubricOverrides | null;
  approverGroups: ApproverGroup[];
  approvalChains: Record<RiskClass, string[]>;
  people: Person[];
  /** Where a person's region comes from when `people` does not list them: first match wins. */
  regionRules: RegionRule[];
  tools: Tool[];
  /**
   * Past classifications the registry file carries (`history:` on a tool), by tool id: only for the
   * tools that have the key, so an import leaves the recorded past of the others alone.
   */
  toolHistory?: Record<string, PastClassification[]> | undefined;
}

/** A reference to a tool, enough to name it in a list. */
export interface ToolRef {
  id: string;
  name: string;
  vendor: string;
}

/** A registry's changes to the rubric's defaults: any weight, any threshold, the home countries. */
export interface RubricOverrides {
  weights?: Record<string, number> | undefined;
  thresholds?: { medium?: number | undefined; high?: number | undefined; critical?: number | undefined } | undefined;
  homeCountries?: string[] | undefined;
}
