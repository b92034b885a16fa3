// The registry tables behind RegistryStore: the import (one transaction, statements prepared once
// when the store opens, every stored tool read in one pass) and the whole-registry read that the
// snapshot in memory (registrySnapshot.ts) and the export are made from.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  REGION_RULE_KINDS,
  RISK_CLASSES,
  TOOL_STATUSES,
  type ApproverGroup,
  type DisplayNames,
  type Person,
  type RegionRule,
  type RegionRuleMatch,
  type Registry,
  type RubricOverrides,
  type RiskClass,
  type Tool,
  type ToolStatus,
} from '../../domain/types.ts';
import type { ExceptionRequest, Transition } from '../../domain/exceptions.ts';
import {
  classificationOf,
  consequencesOfChange,
  hasConsequences,
  impactOfChange,
  impactSummary,
  sameClassification,
  type ToolImpact,
} from '../../domain/reclassification.ts';
import {
  fileHistoryEntries,
  HISTORY_SOURCES,
  type HistoryEntry,
  type HistorySource,
} from '../../domain/toolHistory.ts';
import {
  type ImportOptions,
  type ImportSummary,
  type RegistryStore,
  type ToolChangeOptions,
  type ToolChangeResult,
} from '../../service/ports.ts';
import { NeedsConfirmationError, RegistryConflictError } from '../../errors.ts';
import type { AuditRepo } from './auditRepo.ts';
import { writeTransaction, type Db } from './db.ts';

// Columns written by this code are still checked on the way out: a hand-edited row must fail loudly, not leak.
const stringArray = z.array(z.string());
const json = <T>(schema: z.ZodType<T>, value: string | null, fallback: T): T =>
  value === null ? fallback : schema.parse(JSON.parse(value));
const factsSchema = z.object({
  operatingEntity: z.string().optional(),
  openWeights: z.boolean().optional(),
  certifications: z.array(z.string()).optional(),
  cnFiling: z.boolean().optional(),
  exportControlled: z.boolean().optional(),
  factsChecked: z.string().optional(),
  sources: z.array(z.string()).optional(),
});
const rubricSchema = z.object({
  weights: z.record(z.string(), z.number()).optional(),
  thresholds: z
    .object({ medium: z.number().optional(), high: z.number().optional(), critical: z.number().optional() })
    .optional(),
  homeCountries: z.array(z.string()).optional(),
});
const dataSchema = z.object({
  sends_code_externally: z.boolean().optional(),
  data_location: z.string().optional(),
  self_hostable: z.boolean().optional(),
  trains_on_inputs: z.boolean().optional(),
});

// The whole-registry read turns 50,000 rows into tools at every start, and zod's parse of each JSON
// column was a good part of it. The same check, by hand, for what this code writes: a value that
// passes is exactly what zod would give (same keys, in the schema's order); anything else (a wrong
// type, an unknown key zod would drop) goes to zod itself, so a hand-edited row fails, or is
// cleaned, exactly as before, with zod's message.
type FieldType = 'string' | 'boolean' | 'strings';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const hasType = (v: unknown, type: FieldType) => (type === 'strings' ? isStrings(v) : typeof v === type);

function checkedObject<T>(
  schema: z.ZodType<T>,
  fields: ReadonlyArray<readonly [string, FieldType]>,
  value: unknown,
): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return schema.parse(value);
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let seen = 0;
  for (const [key, type] of fields) {
    if (!Object.hasOwn(v, key)) continue;
    if (!hasType(v[key], type)) return schema.parse(value);
    out[key] = v[key];
    seen++;
  }
  return seen === Object.keys(v).length ? (out as T) : schema.parse(value);
}
const DATA_FIELDS = [
  ['sends_code_externally', 'boolean'],
  ['data_location', 'string'],
  ['self_hostable', 'boolean'],
  ['trains_on_inputs', 'boolean'],
] as const;
const FACTS_FIELDS = [
  ['operatingEntity', 'string'],
  ['openWeights', 'boolean'],
  ['certifications', 'strings'],
  ['cnFiling', 'boolean'],
  ['exportControlled', 'boolean'],
  ['factsChecked', 'string'],
  ['sources', 'strings'],
] as const;
const stringsOf = (value: string): string[] => {
  const v: unknown = JSON.parse(value);
  return isStrings(v) ? v : stringArray.parse(v);
};
const dataOf = (value: string): Tool['data'] => checkedObject(dataSchema, DATA_FIELDS, JSON.parse(value));
const factsOf = (value: string): Tool['facts'] => checkedObject(factsSchema, FACTS_FIELDS, JSON.parse(value));

interface ToolRow {
  id: string;
  name: string;
  vendor: string;
  vendor_country: string;
  category: string;
  risk: string;
  status: string;
  reason: string;
  conditions: string | null;
  alternatives: string;
  aliases: string;
  max_exception_days: number | null;
  approvers: string | null;
  data: string;
  facts: string;
  policy_url: string | null;
  reviewed: string | null;
}

/** What writeTool wrote for one tool: the rows a read of it gives back. */
interface WrittenRows {
  tool: ToolRow;
  regions: RegionRow[];
}

// SQLite keeps text as UTF-8, so a lone surrogate does not come back as it went in, and it orders
// text by code point, which is JavaScript's order only for text without surrogates.
const SURROGATE = /[\ud800-\udfff]/;
const hasSurrogate = (row: object): boolean =>
  Object.values(row).some((v) => typeof v === 'string' && SURROGATE.test(v));

/**
 * The tools a read of these rows gives, without reading them (issue 11: the first start had read
 * back every row it had just written, a second for 50,000 tools): in id order (BINARY, which is `<`
 * for text without surrogates), each region's rows in region order, each tool made by the same
 * toolFromRows from the same column values. Null when the database might not give back exactly
 * what was written (a surrogate in any text, -0 in an INTEGER column): then the rows are read.
 */
function toolsAsRead(written: readonly WrittenRows[]): Tool[] | null {
  for (const w of written) {
    if (hasSurrogate(w.tool) || Object.is(w.tool.max_exception_days, -0)) return null;
    if (w.regions.some(hasSurrogate)) return null;
  }
  const byId = [...written].sort((a, b) => (a.tool.id < b.tool.id ? -1 : a.tool.id > b.tool.id ? 1 : 0));
  for (let i = 1; i < byId.length; i++) if (byId[i - 1]?.tool.id === byId[i]?.tool.id) return null;
  return byId.map((w) =>
    toolFromRows(
      w.tool,
      [...w.regions].sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : 0)),
    ),
  );
}

const TOOL_COLUMNS =
  'id, name, vendor, vendor_country, category, risk, status, reason, conditions, alternatives, aliases, max_exception_days, approvers, data, facts, policy_url, reviewed';

interface RegionRow {
  region: string;
  status: string | null;
  reason: string | null;
  conditions: string | null;
  alternatives: string | null;
}

interface RegionRuleRow {
  kind: string;
  field: string | null;
  match_values: string;
  region: string;
  department: string | null;
  department_field: string | null;
}

const ruleKindSchema = z.enum(REGION_RULE_KINDS);

function regionRuleFromRow(row: RegionRuleRow): RegionRule {
  const values = json(stringArray, row.match_values, []);
  const kind = ruleKindSchema.parse(row.kind);
  const match: RegionRuleMatch =
    kind === 'field'
      ? { kind, field: z.string().parse(row.field), values }
      : kind === 'tz'
        ? { kind, zones: values }
        : kind === 'email_domain'
          ? { kind, domains: values }
          : { kind, teams: values };
  return { match, region: row.region, department: row.department, departmentField: row.department_field };
}

const matchValues = (m: RegionRuleMatch): string[] =>
  m.kind === 'field' ? m.values : m.kind === 'tz' ? m.zones : m.kind === 'email_domain' ? m.domains : m.teams;

const riskSchema = z.enum(RISK_CLASSES);
const statusSchema = z.enum(TOOL_STATUSES);
// As the enums' parse, without a zod call a column: zod only for its message when the value is not one of them.
const RISKS: ReadonlySet<string> = new Set(RISK_CLASSES);
const STATUSES: ReadonlySet<string> = new Set(TOOL_STATUSES);
const riskOf = (v: string): RiskClass => (RISKS.has(v) ? (v as RiskClass) : riskSchema.parse(v));
const statusOf = (v: string): ToolStatus => (STATUSES.has(v) ? (v as ToolStatus) : statusSchema.parse(v));

function toolFromRows(row: ToolRow, regions: RegionRow[]): Tool {
  return {
    id: row.id,
    name: row.name,
    vendor: row.vendor,
    vendorCountry: row.vendor_country,
    category: row.category,
    aliases: stringsOf(row.aliases),
    risk: riskOf(row.risk),
    status: statusOf(row.status),
    reason: row.reason,
    conditions: row.conditions,
    alternatives: stringsOf(row.alternatives),
    maxExceptionDays: row.max_exception_days,
    approvers: row.approvers === null ? null : stringsOf(row.approvers),
    data: dataOf(row.data),
    facts: factsOf(row.facts),
    policyUrl: row.policy_url,
    reviewed: row.reviewed,
    regions: Object.fromEntries(
      regions.map((r) => [
        r.region,
        {
          ...(r.status !== null && { status: statusOf(r.status) }),
          ...(r.reason !== null && { reason: r.reason }),
          ...(r.conditions !== null && { conditions: r.conditions }),
          ...(r.alternatives !== null && { alternatives: stringsOf(r.alternatives) }),
        },
      ]),
    ),
  };
}

/**
 * How rows are turned into tools, as a label for kept snapshots (registrySnapshot.ts): their tools
 * are kept as this code made them, so a kept snapshot made by code that makes them otherwise (a
 * field added, a column read differently) is built from the rows again instead of read back. Told
 * by what toolFromRows makes of rows with every column filled, not by its source text, which
 * differs between the build (dist/) and tsx.
 */
export const TOOLS_FROM_ROWS = createHash('sha256')
  .update(
    JSON.stringify(
      toolFromRows(
        {
          id: 'sample',
          name: 'Sample',
          vendor: 'Vendor',
          vendor_country: 'US',
          category: 'misc',
          risk: 'high',
          status: 'exception_required',
          reason: 'Why.',
          conditions: 'When.',
          alternatives: '["other"]',
          aliases: '["sample app"]',
          max_exception_days: 30,
          approvers: '["security"]',
          data: JSON.stringify({
            sends_code_externally: true,
            data_location: 'US',
            self_hostable: false,
            trains_on_inputs: false,
          }),
          facts: JSON.stringify({
            operatingEntity: 'Vendor Inc.',
            openWeights: false,
            certifications: ['SOC 2'],
            cnFiling: false,
            exportControlled: false,
            factsChecked: '2026-01-01',
            sources: ['https://example.com'],
          }),
          policy_url: 'https://example.com/policy',
          reviewed: '2026-01-01',
        },
        [
          { region: 'cn', status: 'prohibited', reason: 'Not there.', conditions: 'Never.', alternatives: '["local"]' },
          { region: 'eu', status: null, reason: null, conditions: null, alternatives: null },
        ],
      ),
    ),
  )
  .digest('hex')
  .slice(0, 12);

/** Stable form of a value for change detection on import: keys sorted at every depth, undefined dropped. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
const fingerprint = (t: Tool): string => stableJson(t);

/** Reads the store serves from the registry snapshot in memory (registrySnapshot.ts), not from here. */
type SnapshotReads =
  | 'registrySnapshot'
  | 'findKeyHits'
  | 'getTool'
  | 'toolRefs'
  | 'listTools'
  | 'categories'
  | 'getPerson'
  | 'approverGroup'
  | 'approvalChain'
  | 'admins'
  | 'reviewChannel'
  | 'auditChannel'
  | 'displayNames'
  | 'regions'
  | 'regionRules'
  | 'rubric';

/** What a reclassification needs of the exception tables, inside the registry's transaction. */
export interface RequestAccess {
  /** Active exceptions and pending requests of these tools, with their stages, in one read. */
  openForToolsSync(toolIds: readonly string[], now: Date): ExceptionRequest[];
  /** Saves a request transition with its audit entries and outbox messages. */
  saveSync(t: Transition, now: Date): void;
}

const classificationSchema = z.object({
  status: statusSchema.nullable(),
  risk: riskSchema.nullable(),
  regions: z.record(z.string(), statusSchema),
  approvers: z.array(z.string()).nullable(),
});
const sourceSchema = z.enum(HISTORY_SOURCES);

interface HistoryRow {
  at: string;
  actor: string | null;
  source: string;
  before: string | null;
  after: string;
  reason: string | null;
}

/** Thrown inside a dry run's transaction to roll it back, carrying what it worked out. */
class RolledBack extends Error {
  constructor(readonly result: unknown) {
    super('rolled back (dry run)');
  }
}

export interface RegistryRepo extends Omit<RegistryStore, 'close' | 'ping' | SnapshotReads> {
  /** The whole registry, as exportRegistry gives it; call inside a transaction for one consistent read. */
  readRegistrySync: () => Registry;
  /** One tool as its rows are now. */
  toolSync: (id: string) => Tool | null;
  /** Writes one tool and its region rules, inside the caller's transaction; `stored`: it has rows to replace. */
  writeToolSync: (t: Tool, now: Date, stored: boolean) => void;
  /** Counts the tools by category again (after tools were added or removed). */
  recountSync: () => void;
}

/**
 * `seeded`: told, once an import into an empty registry has committed, the registry a read would now
 * give and the registry version it is (so the store's snapshot need not read it back).
 */
export function registryRepo(
  db: Db,
  audit: AuditRepo,
  requests: RequestAccess,
  seeded: (version: number, registry: Registry) => void = () => undefined,
): RegistryRepo {
  const s = {
    // The columns a tool is made of (not updated_at, which nothing reads back): 50,000 strings fewer.
    allTools: db.prepare<[], ToolRow & { rowid: number }>(`SELECT rowid, ${TOOL_COLUMNS} FROM tools`),
    toolOrder: db.prepare<[], number>('SELECT rowid FROM tools ORDER BY id').pluck(),
    allRegions: db.prepare<[], RegionRow & { tool_id: string }>(
      'SELECT tool_id, region, status, reason, conditions, alternatives FROM tool_regions ORDER BY tool_id, region',
    ),
    countTools: db.prepare<{ category: string | null }, { n: number }>(
      'SELECT COALESCE(SUM(count), 0) AS n FROM tool_categories WHERE :category IS NULL OR category = :category',
    ),
    regions: db.prepare<[], { id: string }>('SELECT id FROM regions ORDER BY position, id'),
    regionNames: db.prepare<[], { id: string; name: string }>(
      'SELECT id, name FROM regions WHERE name IS NOT NULL ORDER BY position, id',
    ),
    categoryNames: db.prepare<[], { id: string; name: string }>(
      'SELECT id, name FROM category_names ORDER BY position, id',
    ),
    recount: db.prepare('DELETE FROM tool_categories'),
    recountInsert: db.prepare(
      'INSERT INTO tool_categories (category, count) SELECT category, COUNT(*) FROM tools GROUP BY category',
    ),
    group: db.prepare<
      [string],
      { id: string; name: string; channel: string; usergroup: string | null; backup: string | null }
    >('SELECT id, name, channel, usergroup, backup FROM approver_groups WHERE id = ?'),
    regionRules: db.prepare<[], RegionRuleRow>(
      'SELECT kind, field, match_values, region, department, department_field FROM region_rules ORDER BY position',
    ),
    groupMembers: db.prepare<[string], { user_id: string }>(
      'SELECT user_id FROM approver_group_members WHERE group_id = ? ORDER BY user_id',
    ),
    chain: db.prepare<[string], { group_id: string }>(
      'SELECT group_id FROM approval_chains WHERE risk = ? ORDER BY position',
    ),
    admins: db.prepare<[], { user_id: string }>('SELECT user_id FROM admins ORDER BY user_id'),
    setting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    registryVersion: db.prepare<[], number>('SELECT version FROM registry_version').pluck(),
    // Writes, used by import.
    upsertTool: db.prepare(`
      INSERT INTO tools (id, name, vendor, vendor_country, category, risk, status, reason, conditions, alternatives, aliases,
        max_exception_days, approvers, data, facts, policy_url, reviewed, updated_at)
      VALUES (:id, :name, :vendor, :vendor_country, :category, :risk, :status, :reason, :conditions, :alternatives, :aliases,
        :max_exception_days, :approvers, :data, :facts, :policy_url, :reviewed, :updated_at)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, vendor = excluded.vendor, vendor_country = excluded.vendor_country,
        category = excluded.category, risk = excluded.risk, status = excluded.status, reason = excluded.reason,
        conditions = excluded.conditions, alternatives = excluded.alternatives, aliases = excluded.aliases,
        max_exception_days = excluded.max_exception_days, approvers = excluded.approvers, data = excluded.data, facts = excluded.facts,
        policy_url = excluded.policy_url, reviewed = excluded.reviewed, updated_at = excluded.updated_at`),
    deleteRegions: db.prepare<[string]>('DELETE FROM tool_regions WHERE tool_id = ?'),
    insertRegion: db.prepare(
      'INSERT INTO tool_regions (tool_id, region, status, reason, conditions, alternatives) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    deleteTool: db.prepare<[string]>('DELETE FROM tools WHERE id = ?'),
    setSetting: db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    deleteSetting: db.prepare<[string]>('DELETE FROM settings WHERE key = ?'),
    toolApprovers: db.prepare<[], { id: string; approvers: string }>(
      'SELECT id, approvers FROM tools WHERE approvers IS NOT NULL',
    ),
    openStageGroups: db.prepare<[], { group_id: string; requests: string }>(
      "SELECT group_id, group_concat(request_id, ', #') AS requests FROM request_stages WHERE status IN ('pending', 'waiting') GROUP BY group_id",
    ),
    // The settings tables, which an import replaces whole.
    insertRegionId: db.prepare<[string, number, string | null]>(
      'INSERT INTO regions (id, position, name) VALUES (?, ?, ?)',
    ),
    insertCategoryName: db.prepare<[string, string, number]>(
      'INSERT INTO category_names (id, name, position) VALUES (?, ?, ?)',
    ),
    insertGroup: db.prepare<[string, string, string, string | null]>(
      'INSERT INTO approver_groups (id, name, channel, usergroup) VALUES (?, ?, ?, ?)',
    ),
    setBackup: db.prepare<[string, string]>('UPDATE approver_groups SET backup = ? WHERE id = ?'),
    insertMember: db.prepare<[string, string]>(
      'INSERT OR IGNORE INTO approver_group_members (group_id, user_id) VALUES (?, ?)',
    ),
    insertRule: db.prepare<[number, string, string | null, string, string, string | null, string | null]>(
      'INSERT INTO region_rules (position, kind, field, match_values, region, department, department_field) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertChain: db.prepare<[string, number, string]>(
      'INSERT INTO approval_chains (risk, position, group_id) VALUES (?, ?, ?)',
    ),
    insertPerson: db.prepare<[string, string | null, string, string | null]>(
      'INSERT INTO people (user_id, name, region, department) VALUES (?, ?, ?, ?)',
    ),
    insertAdmin: db.prepare<[string]>('INSERT OR IGNORE INTO admins (user_id) VALUES (?)'),
    oneTool: db.prepare<[string], ToolRow>(`SELECT ${TOOL_COLUMNS} FROM tools WHERE id = ?`),
    oneToolRegions: db.prepare<[string], RegionRow>(
      'SELECT region, status, reason, conditions, alternatives FROM tool_regions WHERE tool_id = ? ORDER BY region',
    ),
    insertHistory: db.prepare<[string, string, string | null, string, string | null, string, string | null]>(
      'INSERT INTO tool_history (tool_id, at, actor, source, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deleteFileHistory: db.prepare<[string]>("DELETE FROM tool_history WHERE tool_id = ? AND source = 'file'"),
    historyOf: db.prepare<[string], HistoryRow>(
      'SELECT at, actor, source, before, after, reason FROM tool_history WHERE tool_id = ? ORDER BY at, id',
    ),
    hasHistory: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM tool_history WHERE tool_id = ? LIMIT 1'),
  };

  const recordHistory = (toolId: string, e: HistoryEntry) =>
    s.insertHistory.run(
      toolId,
      e.at,
      e.actor,
      e.source,
      e.before === null ? null : JSON.stringify(e.before),
      JSON.stringify(e.after),
      e.reason,
    );

  /**
   * What reclassifying these tools does to their exceptions and requests, worked out from one read
   * of all their open requests (a set, however many tools changed), and done unless `refuse`.
   */
  const reclassifySync = (
    changed: ReadonlyArray<{ before: Tool; after: Tool }>,
    chains: { before: Record<RiskClass, string[]>; after: Record<RiskClass, string[]> },
    names: DisplayNames,
    cmd: { actor: string; reason: string | null; now: Date; source: HistorySource; refuse: string | null },
  ): ToolImpact[] => {
    if (!changed.length) return [];
    const open = new Map<string, ExceptionRequest[]>();
    for (const r of requests.openForToolsSync(
      changed.map((c) => c.after.id),
      cmd.now,
    )) {
      const list = open.get(r.toolId);
      if (list) list.push(r);
      else open.set(r.toolId, [r]);
    }
    const impacts = changed.map((c) => impactOfChange(c.before, c.after, open.get(c.after.id) ?? [], chains, names));
    if (cmd.refuse !== null && hasConsequences(impacts))
      throw new NeedsConfirmationError(cmd.refuse, impactSummary(impacts, names));
    const at = cmd.now.toISOString();
    changed.forEach((c, i) => {
      const before = classificationOf(c.before);
      const after = classificationOf(c.after);
      if (!sameClassification(before, after))
        recordHistory(c.after.id, { at, actor: cmd.actor, source: cmd.source, before, after, reason: cmd.reason });
      const impact = impacts[i] as ToolImpact;
      const transitions = consequencesOfChange(impact, c.after, open.get(c.after.id) ?? [], {
        actor: cmd.actor,
        reason: cmd.reason,
        now: cmd.now,
        names,
      });
      for (const t of transitions) requests.saveSync(t, cmd.now);
    });
    return impacts;
  };

  const toolSync = (id: string): Tool | null => {
    const row = s.oneTool.get(id);
    return row ? toolFromRows(row, s.oneToolRegions.all(id)) : null;
  };

  /** Runs `fn` in a write transaction; on a dry run, rolls it back and returns what it returned. */
  const writeOrRollBack = async <T>(fn: () => T, dryRun: boolean, deadlineMs?: number): Promise<T> => {
    try {
      return await writeTransaction(
        db,
        () => {
          const result = fn();
          if (dryRun) throw new RolledBack(result);
          return result;
        },
        deadlineMs,
      );
    } catch (e) {
      if (e instanceof RolledBack) return e.result as T;
      throw e;
    }
  };

  const groupSync = (id: string): ApproverGroup | null => {
    const g = s.group.get(id);
    return g ? { ...g, members: s.groupMembers.all(id).map((m) => m.user_id) } : null;
  };
  const chainSync = (risk: RiskClass): string[] => s.chain.all(risk).map((c) => c.group_id);
  const regionRulesSync = (): RegionRule[] => s.regionRules.all().map(regionRuleFromRow);

  const regionIdsSync = (): string[] => s.regions.all().map((x) => x.id);
  const namesSync = (): DisplayNames => ({
    regions: Object.fromEntries(s.regionNames.all().map((x) => [x.id, x.name])),
    categories: Object.fromEntries(s.categoryNames.all().map((x) => [x.id, x.name])),
  });

  const rubricSync = (): RubricOverrides | null =>
    json(rubricSchema.nullable(), s.setting.get('rubric')?.value ?? null, null);

  const settingsSync = () => ({
    regions: regionIdsSync(),
    names: namesSync(),
    admins: s.admins.all().map((a) => a.user_id),
    reviewChannel: s.setting.get('review_channel')?.value ?? null,
    reviewGroup: s.setting.get('review_group')?.value ?? null,
    auditChannel: s.setting.get('audit_channel')?.value ?? null,
    rubric: rubricSync(),
    approverGroups: (db.prepare('SELECT id FROM approver_groups ORDER BY id').all() as Array<{ id: string }>).flatMap(
      (g) => groupSync(g.id) ?? [],
    ),
    approvalChains: {
      low: chainSync('low'),
      medium: chainSync('medium'),
      high: chainSync('high'),
      critical: chainSync('critical'),
    },
    people: (db.prepare('SELECT COUNT(*) AS n FROM people').get() as { n: number }).n,
    regionRules: regionRulesSync(),
  });

  /**
   * Every tool, in id order: three statements for the lot, not two per tool. The rows are read in the
   * table's own (rowid) order, page after page, and put in id order by their rowids' places in the id
   * index (an index-only read): walking the id index itself fetched each row from a page elsewhere and
   * took twice as long at 50,000 tools. SQLite's order, so no collation is redone here. In one read
   * transaction (a savepoint inside the caller's), so the order and the rows are of one state.
   */
  const allToolsSync = db.transaction((): Tool[] => {
    const regions = new Map<string, RegionRow[]>();
    for (const r of s.allRegions.all()) {
      const list = regions.get(r.tool_id);
      if (list) list.push(r);
      else regions.set(r.tool_id, [r]);
    }
    const place = new Map<number, number>();
    let n = 0;
    for (const rowid of s.toolOrder.iterate()) place.set(rowid, n++);
    // Row by row: at 50,000 tools the rows are garbage as soon as each tool is made, never all alive at once.
    const tools = new Array<Tool>(n);
    for (const row of s.allTools.iterate()) {
      tools[place.get(row.rowid) as number] = toolFromRows(row, regions.get(row.id) ?? []);
    }
    return tools;
  });

  /** A tool's rows, as they are written. */
  const rowsOf = (t: Tool): WrittenRows => ({
    tool: {
      id: t.id,
      name: t.name,
      vendor: t.vendor,
      vendor_country: t.vendorCountry,
      category: t.category,
      risk: t.risk,
      status: t.status,
      reason: t.reason,
      conditions: t.conditions,
      alternatives: JSON.stringify(t.alternatives),
      aliases: JSON.stringify(t.aliases),
      max_exception_days: t.maxExceptionDays,
      approvers: t.approvers === null ? null : JSON.stringify(t.approvers),
      data: JSON.stringify(t.data),
      facts: JSON.stringify(t.facts),
      policy_url: t.policyUrl,
      reviewed: t.reviewed,
    },
    regions: Object.entries(t.regions).map(([region, o]) => ({
      region,
      status: o.status ?? null,
      reason: o.reason ?? null,
      conditions: o.conditions ?? null,
      alternatives: o.alternatives ? JSON.stringify(o.alternatives) : null,
    })),
  });

  /** Writes a tool and its region rules (the names it answers to are derived in memory); `stored`: it has rows to replace. */
  const writeTool = (t: Tool, now: string, stored: boolean): WrittenRows => {
    const rows = rowsOf(t);
    s.upsertTool.run({ ...rows.tool, updated_at: now });
    if (stored) s.deleteRegions.run(t.id);
    for (const r of rows.regions) s.insertRegion.run(t.id, r.region, r.status, r.reason, r.conditions, r.alternatives);
    return rows;
  };

  // Settings tables are small: the file replaces them whole.
  const replaceSettings = (r: Registry) => {
    db.exec(
      'DELETE FROM region_rules; DELETE FROM approval_chains; DELETE FROM approver_group_members; DELETE FROM approver_groups; DELETE FROM people; DELETE FROM admins; DELETE FROM regions; DELETE FROM category_names;',
    );
    r.regions.forEach((id, i) => s.insertRegionId.run(id, i, r.names.regions[id] ?? null));
    Object.entries(r.names.categories).forEach(([id, name], i) => s.insertCategoryName.run(id, name, i));
    for (const g of r.approverGroups) {
      s.insertGroup.run(g.id, g.name, g.channel, g.usergroup);
      for (const m of g.members) s.insertMember.run(g.id, m);
    }
    // Backups name other groups: set once every group exists.
    for (const g of r.approverGroups) if (g.backup !== null) s.setBackup.run(g.backup, g.id);
    r.regionRules.forEach((x, i) =>
      s.insertRule.run(
        i,
        x.match.kind,
        x.match.kind === 'field' ? x.match.field : null,
        JSON.stringify(matchValues(x.match)),
        x.region,
        x.department,
        x.departmentField,
      ),
    );
    for (const risk of RISK_CLASSES) r.approvalChains[risk].forEach((g, i) => s.insertChain.run(risk, i, g));
    for (const p of r.people) s.insertPerson.run(p.user, p.name, p.region, p.department);
    for (const a of r.admins) s.insertAdmin.run(a);
    if (r.reviewChannel) s.setSetting.run('review_channel', r.reviewChannel);
    else s.deleteSetting.run('review_channel');
    if (r.reviewGroup) s.setSetting.run('review_group', r.reviewGroup);
    else s.deleteSetting.run('review_group');
    if (r.auditChannel) s.setSetting.run('audit_channel', r.auditChannel);
    else s.deleteSetting.run('audit_channel');
    if (r.rubric) s.setSetting.run('rubric', JSON.stringify(r.rubric));
    else s.deleteSetting.run('rubric');
  };

  const importRegistrySync = (r: Registry, options: ImportOptions): ImportSummary => {
    const toolAudit = (action: string, id: string, before: Tool | null, after: Tool | null) =>
      audit.append({ actor: options.actor, action, subjectType: 'tool', subjectId: id, before, after }, options.now);
    const now = options.now.toISOString();
    const summary: ImportSummary = { added: [], updated: [], unchanged: 0, removed: [], kept: [] };
    const settingsBefore = settingsSync();
    replaceSettings(r);
    // Every stored tool, read once to compare with the file: no read per tool.
    const stored = new Map(allToolsSync().map((t) => [t.id, t]));
    // Filling an empty registry (the first start) is one audited event, not one per tool: the file is
    // the record, so the entry holds its digest. At 50,000 tools, an entry each was half the import.
    const seed = stored.size === 0 ? createHash('sha256') : null;
    const written: WrittenRows[] = [];
    const inFile = new Set<string>();
    const reclassified: Array<{ before: Tool; after: Tool }> = [];
    for (const t of r.tools) {
      inFile.add(t.id);
      const before = stored.get(t.id) ?? null;
      if (before && fingerprint(before) === fingerprint(t)) {
        summary.unchanged++;
        continue;
      }
      if (before && !sameClassification(classificationOf(before), classificationOf(t)))
        reclassified.push({ before, after: t });
      const rows = writeTool(t, now, before !== null);
      if (seed) written.push(rows);
      (before ? summary.updated : summary.added).push(t.id);
      if (seed) seed.update(`${JSON.stringify(t)}\n`);
      else toolAudit(before ? 'tool.updated' : 'tool.added', t.id, before, t);
    }
    if (options.prune) {
      for (const [id, before] of stored) {
        if (inFile.has(id)) continue;
        try {
          db.transaction(() => s.deleteTool.run(id))();
          summary.removed.push(id);
          toolAudit('tool.removed', id, before, null);
        } catch (e) {
          // Still referenced (e.g. by an exception request): the history must keep its tool.
          if (e instanceof Error && 'code' in e && e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') summary.kept.push(id);
          else throw e;
        }
      }
    }
    // What the file does not mention still has to make sense with the groups it keeps.
    const groups = new Set(r.approverGroups.map((g) => g.id));
    const problems: string[] = [];
    for (const t of s.toolApprovers.all()) {
      for (const g of json(stringArray, t.approvers, [])) {
        if (!groups.has(g))
          problems.push(
            `tool "${t.id}" (kept in the database) has approvers: [${g}], a group this file removes; add the group back, or list the tool with other approvers`,
          );
      }
    }
    for (const { group_id, requests } of s.openStageGroups.all()) {
      if (!groups.has(group_id))
        problems.push(
          `approver group "${group_id}" still has open requests (#${requests}) to decide; keep the group until they are decided or cancelled`,
        );
    }
    if (problems.length) throw new RegistryConflictError(problems);
    const impacts: ToolImpact[] = reclassifySync(
      reclassified,
      { before: settingsBefore.approvalChains, after: r.approvalChains },
      r.names,
      {
        actor: options.actor,
        reason: null,
        now: options.now,
        source: 'import',
        refuse: options.consequences === 'refuse' && !options.dryRun ? 'The import' : null,
      },
    );
    // New chains for risk classes: pending requests of the tools not reclassified keep theirs too (said, not done).
    if (stableJson(settingsBefore.approvalChains) !== stableJson(r.approvalChains)) {
      const done = new Set(reclassified.map((c) => c.after.id));
      const pending = requests
        .openForToolsSync(
          r.tools.filter((t) => !done.has(t.id)).map((t) => t.id),
          options.now,
        )
        .filter((x) => x.status === 'pending');
      const byTool = new Map<string, ExceptionRequest[]>();
      for (const x of pending) byTool.set(x.toolId, [...(byTool.get(x.toolId) ?? []), x]);
      const tools = new Map(r.tools.map((t) => [t.id, t]));
      for (const [id, list] of byTool) {
        const t = tools.get(id) as Tool;
        const impact = impactOfChange(
          t,
          t,
          list,
          { before: settingsBefore.approvalChains, after: r.approvalChains },
          r.names,
        );
        if (impact.items.length) impacts.push({ ...impact, change: [`approval chain for ${t.risk} risk changed`] });
      }
    }
    if (impacts.length) summary.impacts = impacts;
    // The past the file carries replaces what an earlier import of it loaded; recorded changes stay.
    for (const [id, past] of Object.entries(r.toolHistory ?? {})) {
      s.deleteFileHistory.run(id);
      for (const e of fileHistoryEntries(past)) recordHistory(id, e);
    }
    s.recount.run();
    s.recountInsert.run();
    const settingsAfter = {
      regions: r.regions,
      names: r.names,
      admins: r.admins,
      reviewChannel: r.reviewChannel,
      reviewGroup: r.reviewGroup ?? null,
      auditChannel: r.auditChannel,
      rubric: r.rubric,
      approverGroups: r.approverGroups,
      approvalChains: r.approvalChains,
      people: r.people.length,
      regionRules: r.regionRules,
    };
    audit.append(
      {
        actor: options.actor,
        action: 'registry.imported',
        subjectType: 'registry',
        subjectId: 'registry',
        before: settingsBefore,
        after: {
          ...settingsAfter,
          tools: {
            added: summary.added.length,
            updated: summary.updated.length,
            removed: summary.removed.length,
            // What an empty registry was filled with: SHA-256 of each tool's JSON line, in the file's order.
            ...(seed ? { seeded: seed.digest('hex') } : {}),
          },
        },
      },
      options.now,
    );
    // Filled from empty: the registry as a read gives it now, from what was written, in this transaction.
    const tools = seed ? toolsAsRead(written) : null;
    if (tools) justSeeded = { version: s.registryVersion.get() as number, registry: readRegistrySync(tools) };
    return summary;
  };
  let justSeeded: { version: number; registry: Registry } | null = null;

  /** One tool replaced, and what that does, with its audit entry and history, in the caller's transaction. */
  const changeToolSync = (tool: Tool, o: ToolChangeOptions): ToolChangeResult => {
    const before = toolSync(tool.id);
    if (!before) return { ok: false, refusal: { kind: 'not_found' } };
    if (fingerprint(before) === fingerprint(tool)) return { ok: false, refusal: { kind: 'unchanged' } };
    const chains = {
      low: chainSync('low'),
      medium: chainSync('medium'),
      high: chainSync('high'),
      critical: chainSync('critical'),
    };
    const names = namesSync();
    const reclassified = sameClassification(classificationOf(before), classificationOf(tool))
      ? []
      : [{ before, after: tool }];
    let impacts: ToolImpact[];
    try {
      impacts = reclassifySync(reclassified, { before: chains, after: chains }, names, {
        actor: o.actor,
        reason: o.reason,
        now: o.now,
        source: o.source,
        refuse: o.consequences === 'refuse' && !o.dryRun ? 'This change' : null,
      });
    } catch (e) {
      if (!(e instanceof NeedsConfirmationError)) throw e;
      return {
        ok: false,
        refusal: {
          kind: 'needs_confirmation',
          impact: impactOfChange(
            before,
            tool,
            requests.openForToolsSync([tool.id], o.now),
            { before: chains, after: chains },
            names,
          ),
        },
      };
    }
    writeTool(tool, o.now.toISOString(), true);
    if (tool.category !== before.category) {
      s.recount.run();
      s.recountInsert.run();
    }
    audit.append(
      {
        actor: o.actor,
        action: 'tool.updated',
        subjectType: 'tool',
        subjectId: tool.id,
        before,
        after: { ...tool, ...(o.reason && { changeReason: o.reason }), via: o.source },
      },
      o.now,
    );
    const impact = impacts[0] ?? { toolId: tool.id, toolName: tool.name, change: [], items: [] };
    return { ok: true, impact, applied: !o.dryRun };
  };

  return {
    async toolCount() {
      return s.countTools.get({ category: null })?.n ?? 0;
    },
    async importRegistry(r, options) {
      // An import is not interactive: it may wait longer for the lock.
      justSeeded = null;
      try {
        const summary = await writeOrRollBack(() => importRegistrySync(r, options), options.dryRun ?? false, 30_000);
        // Committed (a dry run rolled back, a failed import threw): the store may hold it as its snapshot.
        // (Set inside the transaction above, which TypeScript cannot see from here.)
        const done = justSeeded as { version: number; registry: Registry } | null;
        if (done && !options.dryRun) seeded(done.version, done.registry);
        return summary;
      } finally {
        justSeeded = null;
      }
    },
    async changeTool(tool: Tool, options: ToolChangeOptions): Promise<ToolChangeResult> {
      return writeOrRollBack(() => changeToolSync(tool, options), options.dryRun ?? false);
    },
    async toolHistory(toolId: string): Promise<HistoryEntry[]> {
      return s.historyOf.all(toolId).map((row) => ({
        at: row.at,
        actor: row.actor,
        source: sourceSchema.parse(row.source),
        before: row.before === null ? null : classificationSchema.parse(JSON.parse(row.before)),
        after: classificationSchema.parse(JSON.parse(row.after)),
        reason: row.reason,
      }));
    },
    async hasToolHistory(toolId: string): Promise<boolean> {
      return s.hasHistory.get(toolId) !== undefined;
    },
    async exportRegistry(): Promise<Registry> {
      return readRegistrySync();
    },
    readRegistrySync,
    toolSync,
    writeToolSync: (t, now, stored) => writeTool(t, now.toISOString(), stored),
    recountSync: () => {
      s.recount.run();
      s.recountInsert.run();
    },
  };

  /** `tools`: the tools as a read of them gives them, when already known. */
  function readRegistrySync(tools?: Tool[]): Registry {
    const people: Person[] = (
      db.prepare('SELECT user_id, name, region, department FROM people ORDER BY user_id').all() as Array<{
        user_id: string;
        name: string | null;
        region: string;
        department: string | null;
      }>
    ).map((p) => ({ user: p.user_id, name: p.name, region: p.region, department: p.department }));
    const groups = (db.prepare('SELECT id FROM approver_groups ORDER BY id').all() as Array<{ id: string }>).flatMap(
      (g) => groupSync(g.id) ?? [],
    );
    return {
      regions: regionIdsSync(),
      names: namesSync(),
      admins: s.admins.all().map((a) => a.user_id),
      reviewChannel: s.setting.get('review_channel')?.value ?? null,
      reviewGroup: s.setting.get('review_group')?.value ?? null,
      auditChannel: s.setting.get('audit_channel')?.value ?? null,
      rubric: rubricSync(),
      approverGroups: groups,
      approvalChains: {
        low: chainSync('low'),
        medium: chainSync('medium'),
        high: chainSync('high'),
        critical: chainSync('critical'),
      },
      people,
      regionRules: regionRulesSync(),
      tools: tools ?? allToolsSync(),
    };
  }
}
