// The registry file's format, checked field by field. A bad file is rejected whole,
// with every problem named by its path, so an admin can fix it in one go.
import { z } from 'zod';
import { normalizeKey } from './match.ts';
import { RUBRIC_FACTORS } from './rubric.ts';
import {
  REGION_RULE_KINDS,
  RISK_CLASSES,
  TOOL_ID,
  TOOL_STATUSES,
  type ApproverGroup,
  type RegionRule,
  type RegionRuleKind,
  type RegionRuleMatch,
  type Registry,
  type Tool,
} from './types.ts';

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `expected one of ${values.join('|')}` });

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const slug = z
  .string()
  .regex(TOOL_ID.pattern, 'use lowercase letters, digits and hyphens (e.g. claude-code)')
  .max(TOOL_ID.maxLength, `at most ${TOOL_ID.maxLength} characters`);
const slackUser = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected a Slack user id such as U012ABCDEF');
const slackChannel = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel id such as C012ABCDEF');
/** A user group by id, or by its handle with the @ Slack shows (`@security-review`). */
const slackUsergroup = z
  .string()
  .regex(
    /^(S[A-Z0-9]{2,}|@[a-z0-9][a-z0-9._-]{0,79})$/,
    'expected a Slack user group id such as S012ABCDEF, or its handle in quotes such as "@security-review"',
  );
const slackTeam = z.string().regex(/^T[A-Z0-9]{2,}$/, 'expected a Slack workspace (team) id such as T012ABCDEF');
/** An IANA time zone as Slack's `tz` gives it; the runtime's time zone database decides what exists. */
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Asia/Shanghai');
const emailDomain = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
    'expected an email domain such as example.cn (no @, no spaces)',
  );
/** One value, or a list of them (`tz: Asia/Shanghai` or `tz: [Asia/Shanghai, Asia/Urumqi]`). */
const oneOrMore = <T extends z.ZodType<string>>(item: T) =>
  z.union([item, z.array(item).min(1, 'list at least one')], {
    error: (issue) => (issue.input === undefined ? undefined : 'expected one value or a list of them'),
  });

const ruleTail = {
  region: slug,
  department: text(100).nullish(),
  department_field: text(100).nullish(),
};
/** Each kind of region rule, keyed by the field that names it: a rule has exactly one of these keys. */
const regionRuleSchemas = {
  field: z.strictObject({
    field: text(100),
    in: z.array(text(200)).min(1, 'list the values that match, e.g. in: [Hangzhou, Beijing]'),
    ...ruleTail,
  }),
  tz: z.strictObject({ tz: oneOrMore(timeZone), ...ruleTail }),
  email_domain: z.strictObject({ email_domain: oneOrMore(emailDomain), ...ruleTail }),
  team: z.strictObject({ team: oneOrMore(slackTeam), ...ruleTail }),
} satisfies Record<RegionRuleKind, z.ZodType>;
type RegionRuleFile = { [K in RegionRuleKind]: z.output<(typeof regionRuleSchemas)[K]> }[RegionRuleKind];

/**
 * A region rule: which kind it is follows from the one key it has (field, tz, email_domain,
 * team), so a problem is reported against that kind's fields, not as "no union member matched".
 */
const regionRuleSchema = z.unknown().transform((value, ctx): RegionRuleFile => {
  const example = '{ tz: Asia/Shanghai, region: cn }';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: `expected a rule such as ${example}` });
    return z.NEVER;
  }
  const kinds = REGION_RULE_KINDS.filter((k) => Object.hasOwn(value, k));
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        kinds.length === 0
          ? `a rule needs one of ${REGION_RULE_KINDS.join(', ')} (what it matches), e.g. ${example}`
          : `a rule matches one thing: keep one of ${kinds.join(', ')} and make the others rules of their own`,
    });
    return z.NEVER;
  }
  const kind = kinds[0] as RegionRuleKind;
  const parsed = regionRuleSchemas[kind].safeParse(value);
  if (!parsed.success) {
    const allowed = [...Object.keys(regionRuleSchemas[kind].shape)].join(', ');
    for (const issue of parsed.error.issues) {
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown ${issue.keys.length > 1 ? 'fields' : 'field'} ${issue.keys.map((k) => `"${k}"`).join(', ')} (a ${kind} rule has: ${allowed})`
          : issue.message;
      ctx.addIssue({ code: 'custom', message, path: issue.path });
    }
    return z.NEVER;
  }
  const rule = parsed.data;
  if (rule.department != null && rule.department_field != null) {
    ctx.addIssue({
      code: 'custom',
      message: 'give department or department_field, not both',
      path: ['department_field'],
    });
    return z.NEVER;
  }
  return rule;
});

const asList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

function regionRuleOf(rule: RegionRuleFile): RegionRule {
  const match: RegionRuleMatch =
    'field' in rule
      ? { kind: 'field', field: rule.field, values: rule.in }
      : 'tz' in rule
        ? { kind: 'tz', zones: asList(rule.tz) }
        : 'email_domain' in rule
          ? { kind: 'email_domain', domains: asList(rule.email_domain).map((d) => d.toLowerCase()) }
          : { kind: 'team', teams: asList(rule.team) };
  return {
    match,
    region: rule.region,
    department: rule.department ?? null,
    departmentField: rule.department_field ?? null,
  };
}

/** A rule as the file spells it: one value alone, several as a list, so it reads back the same. */
function regionRuleToFile(rule: RegionRule): RegionRuleFile {
  const one = (values: string[]): string | string[] => (values.length === 1 ? (values[0] as string) : values);
  const tail = {
    region: rule.region,
    ...(rule.department !== null && { department: rule.department }),
    ...(rule.departmentField !== null && { department_field: rule.departmentField }),
  };
  const m = rule.match;
  switch (m.kind) {
    case 'field':
      return { field: m.field, in: m.values, ...tail };
    case 'tz':
      return { tz: one(m.zones), ...tail };
    case 'email_domain':
      return { email_domain: one(m.domains), ...tail };
    case 'team':
      return { team: one(m.teams), ...tail };
  }
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'not a real date',
  );
const httpUrl = z
  .string()
  .url('expected a URL')
  .refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL');

/** YYYY-MM or YYYY-MM-DD: a past decision is often known to the month only. */
const pastDate = z
  .string()
  .regex(/^\d{4}-\d{2}(-\d{2})?$/, 'expected a date as YYYY-MM or YYYY-MM-DD')
  .refine((d) => {
    const full = d.length === 7 ? `${d}-01` : d;
    return (
      !Number.isNaN(Date.parse(`${full}T00:00:00Z`)) && new Date(`${full}T00:00:00Z`).toISOString().startsWith(full)
    );
  }, 'not a real date');

/** One past classification (issue 12): from `date` on the tool, or one region, had `status`. */
const pastClassification = z.strictObject({
  date: pastDate,
  status: oneOf(TOOL_STATUSES),
  risk: oneOf(RISK_CLASSES).optional(),
  region: slug.optional(),
  reason: text(500).optional(),
  by: text(100).optional(),
});

const regionOverride = z.strictObject({
  status: oneOf(TOOL_STATUSES).optional(),
  reason: text(500).optional(),
  conditions: text(1000).optional(),
  alternatives: z.array(slug).optional(),
});

const toolSchema = z.strictObject({
  id: slug,
  name: text(100),
  vendor: text(100),
  vendor_country: z.string().regex(/^[A-Z]{2}$/, 'expected a two-letter country code such as US'),
  category: slug,
  aliases: z.array(text(100)).default([]),
  risk: oneOf(RISK_CLASSES),
  status: oneOf(TOOL_STATUSES),
  reason: text(500),
  conditions: text(1000).nullish(),
  alternatives: z.array(slug).default([]),
  max_exception_days: z.number().int('expected a whole number of days').min(1).max(365).nullish(),
  approvers: z.array(slug).nullish(),
  data: z
    .strictObject({
      sends_code_externally: z.boolean().optional(),
      data_location: text(100).optional(),
      self_hostable: z.boolean().optional(),
      trains_on_inputs: z.boolean().optional(),
    })
    .default({}),
  // Facts for the assessment rubric and the person deciding (issue 12). Leave out what you cannot confirm.
  operating_entity: text(200).optional(),
  open_weights: z.boolean().optional(),
  certifications: z.array(text(60)).max(20).optional(),
  cn_filing: z.boolean().optional(),
  export_controlled: z.boolean().optional(),
  facts_checked: isoDate.optional(),
  sources: z.array(httpUrl).max(20).optional(),
  policy_url: httpUrl.nullish(),
  reviewed: isoDate.nullish(),
  regions: z.record(slug, regionOverride).default({}),
  /** The tool's classification before it was recorded here: loaded into its history on import. */
  history: z.array(pastClassification).max(100).optional(),
});

/** A region or category: its id alone, or `{id, name}` with the name people read. */
const namedId = z.union([slug, z.strictObject({ id: slug, name: text(100) })], {
  error: () => 'expected an id such as cn, or {id: cn, name: China mainland}',
});
const idOf = (entry: z.infer<typeof namedId>): string => (typeof entry === 'string' ? entry : entry.id);
const namesOf = (entries: Array<z.infer<typeof namedId>>): Record<string, string> =>
  Object.fromEntries(entries.flatMap((e) => (typeof e === 'string' ? [] : [[e.id, e.name]])));

export const registryFileSchema = z.strictObject({
  regions: z.array(namedId).min(1, 'list at least one region, e.g. [global]'),
  /** Optional: the categories' display names. Where given, every tool's category must be one of them. */
  categories: z.array(z.strictObject({ id: slug, name: text(100) })).optional(),
  admins: z.array(slackUser).default([]),
  review_channel: slackChannel.nullish(),
  /** The approver group reviewing unknown tools: its channel gets the requests, its members classify them. */
  review_group: slug.nullish(),
  audit_channel: slackChannel.nullish(),
  /** Changes to the assessment rubric's defaults. */
  rubric: z
    .strictObject({
      weights: z.partialRecord(z.enum(RUBRIC_FACTORS), z.number().int().min(-20).max(20)).optional(),
      thresholds: z
        .strictObject({
          medium: z.number().int().optional(),
          high: z.number().int().optional(),
          critical: z.number().int().optional(),
        })
        .optional(),
      home_countries: z
        .array(z.string().regex(/^[A-Z]{2}$/, 'expected two-letter country codes such as CN'))
        .optional(),
    })
    .optional(),
  approver_groups: z
    .array(
      z
        .strictObject({
          id: slug,
          name: text(100),
          channel: slackChannel,
          /** Optional when `usergroup` names the members; at least one of the two. */
          members: z.array(slackUser).optional(),
          usergroup: slackUsergroup.nullish(),
          /** Another group's id, whose members may stand in for this group's. */
          backup: slug.nullish(),
        })
        .refine((g) => (g.members?.length ?? 0) > 0 || g.usergroup != null, {
          message: 'a group needs members (Slack user ids) or a usergroup (a Slack user group), or both',
          path: ['members'],
        }),
    )
    .default([]),
  approval_chains: z
    .strictObject({
      low: z.array(slug).default([]),
      medium: z.array(slug).default([]),
      high: z.array(slug).default([]),
      critical: z.array(slug).default([]),
    })
    .default({ low: [], medium: [], high: [], critical: [] }),
  people: z
    .array(
      z.strictObject({ user: slackUser, name: text(100).nullish(), region: slug, department: text(100).nullish() }),
    )
    .default([]),
  /** Where a person's region comes from when `people` does not list them: first match wins. */
  region_rules: z.array(regionRuleSchema).default([]),
  tools: z.array(toolSchema),
});

export type RegistryFile = z.input<typeof registryFileSchema>;

/** The object without its undefined fields: an export lists only what the registry has. */
function dropUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** `tools[3].risk` style paths, as an admin would look for them in the file. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(file)';
}

/** How many problems a bad registry file's report lists one by one before it counts the rest by kind. */
export const PROBLEMS_SHOWN = 20;

/**
 * What makes two problems the same kind: the path with its indexes as [*] and the message with its
 * quoted values as "…", so "tools[3].vendor: …" and "tools[4000].vendor: …" are one kind, and so are
 * two unknown tool ids in the same field.
 */
export const problemKind = (problem: string): string => {
  const at = problem.indexOf(': ');
  const path = at < 0 ? '' : problem.slice(0, at);
  const message = at < 0 ? problem : problem.slice(at + 2);
  const kindPath = path.replace(/\[\d+\]/g, '[*]');
  const kindMessage = message.replace(/"[^"]*"/g, '"…"');
  return kindPath ? `${kindPath}: ${kindMessage}` : kindMessage;
};

/**
 * A long list of problems as a person can read it: the first `shown` as they are, then each kind of
 * the rest once: counted if it was among them, else its first problem and a count of the others.
 * A file generated with one field missing on every tool reads as 20 lines and "... and N more".
 */
export function summarizeProblems(problems: readonly string[], shown = PROBLEMS_SHOWN): string[] {
  if (problems.length <= shown) return [...problems];
  const lines = problems.slice(0, shown);
  const seen = new Set(lines.map(problemKind));
  const rest = new Map<string, { first: string; count: number }>();
  for (const problem of problems.slice(shown)) {
    const kind = problemKind(problem);
    const group = rest.get(kind);
    if (group) group.count++;
    else rest.set(kind, { first: problem, count: 1 });
  }
  let newKinds = 0;
  let left = { problems: 0, kinds: 0 };
  for (const [kind, { first, count }] of rest) {
    if (seen.has(kind)) {
      lines.push(`... and ${count} more of the same kind (${kind})`);
      continue;
    }
    // Every kind is named once so that one pass fixes them all, up to another `shown` kinds.
    if (newKinds++ >= shown) {
      left = { problems: left.problems + count, kinds: left.kinds + 1 };
      continue;
    }
    lines.push(first);
    if (count > 1) lines.push(`... and ${count - 1} more of the same kind (${kind})`);
  }
  if (left.problems) lines.push(`... and ${left.problems} more problems of ${left.kinds} other kinds`);
  return lines;
}

export type RegistryParse = { ok: true; registry: Registry } | { ok: false; errors: string[] };

/** A tool as the registry file spells it (what parseToolEntry reads back to the same tool). */
export function toolToFile(t: Tool): RegistryFile['tools'][number] {
  const optional = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
  return {
    id: t.id,
    name: t.name,
    vendor: t.vendor,
    vendor_country: t.vendorCountry,
    category: t.category,
    aliases: t.aliases,
    risk: t.risk,
    status: t.status,
    reason: t.reason,
    conditions: optional(t.conditions),
    alternatives: t.alternatives,
    max_exception_days: optional(t.maxExceptionDays),
    approvers: optional(t.approvers),
    data: t.data,
    ...dropUndefined({
      operating_entity: t.facts.operatingEntity,
      open_weights: t.facts.openWeights,
      certifications: t.facts.certifications,
      cn_filing: t.facts.cnFiling,
      export_controlled: t.facts.exportControlled,
      facts_checked: t.facts.factsChecked,
      sources: t.facts.sources,
    }),
    policy_url: optional(t.policyUrl),
    reviewed: optional(t.reviewed),
    regions: t.regions,
  };
}

/** Validate a parsed registry document: shape first, then references between entries. */
export function parseRegistry(doc: unknown): RegistryParse {
  const parsed = registryFileSchema.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => {
        const keys = i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : '';
        return `${formatPath(i.path)}: ${i.message}${keys}`;
      }),
    };
  }
  return checkedRegistry(parsed.data);
}

const fileWithoutTools = registryFileSchema.omit({ tools: true });

/**
 * parseRegistry of `{...rest, tools: [...each piece's entries]}`, with the tools' entries given a
 * piece at a time (a large file's tools sequence parsed in parts): each piece can be dropped once its
 * entries are checked, so a 50,000-tool file never has all of its raw document alive at once. The
 * same schema checks the same values (the file's schema is a strict object whose `tools` is a plain
 * array of tool entries, so checking the rest and each entry on its own is checking the whole), then
 * the same checks of references. Null at the first problem of any kind: parseRegistry of the whole
 * document then says what it says, in its own words and order.
 */
export function parseRegistryInPieces(rest: unknown, pieces: Iterable<unknown>): RegistryParse | null {
  const parsed = fileWithoutTools.safeParse(rest);
  if (!parsed.success) return null;
  const tools: ToolEntry[] = [];
  for (const piece of pieces) {
    if (!Array.isArray(piece)) return null;
    for (const entry of piece) {
      const t = toolSchema.safeParse(entry);
      if (!t.success) return null;
      tools.push(t.data);
    }
  }
  const checked = checkedRegistry({ ...parsed.data, tools });
  return checked.ok ? checked : null;
}

/** The references between a file's entries, once its shape is checked; the registry it describes. */
function checkedRegistry(f: z.output<typeof registryFileSchema>): RegistryParse {
  const errors: string[] = [];
  const regionIds = f.regions.map(idOf);
  const regions = new Set(regionIds);
  regionIds.forEach((id, i) => {
    if (regionIds.indexOf(id) !== i) errors.push(`regions[${i}]: duplicate region "${id}"`);
  });
  const categoryIds = f.categories?.map((c) => c.id);
  categoryIds?.forEach((id, i) => {
    if (categoryIds.indexOf(id) !== i) errors.push(`categories[${i}].id: duplicate category "${id}"`);
  });
  const groups = new Set(f.approver_groups.map((g) => g.id));
  const toolIds = new Set<string>();
  const keyOwner = new Map<string, string>();

  // Duplicates by a set of those seen, not a search per entry: a file may list thousands of people.
  const groupSeen = new Set<string>();
  f.approver_groups.forEach((g, i) => {
    if (groupSeen.has(g.id)) errors.push(`approver_groups[${i}].id: duplicate group id "${g.id}"`);
    groupSeen.add(g.id);
  });
  for (const risk of RISK_CLASSES) {
    f.approval_chains[risk].forEach((g, i) => {
      if (!groups.has(g)) errors.push(`approval_chains.${risk}[${i}]: unknown approver group "${g}"`);
    });
  }
  f.approver_groups.forEach((g, i) => {
    if (g.backup == null) return;
    if (g.backup === g.id)
      errors.push(`approver_groups[${i}].backup: a group cannot be its own backup; name another group`);
    else if (!groups.has(g.backup))
      errors.push(
        `approver_groups[${i}].backup: unknown approver group "${g.backup}" (groups: ${[...groups].join(', ')})`,
      );
  });
  if (f.review_group != null && !groups.has(f.review_group))
    errors.push(
      `review_group: unknown approver group "${f.review_group}" (groups: ${[...groups].join(', ') || 'none'}); add it under approver_groups`,
    );
  f.region_rules.forEach((rule, i) => {
    if (!regions.has(rule.region))
      errors.push(`region_rules[${i}].region: unknown region "${rule.region}" (regions: ${regionIds.join(', ')})`);
  });
  const peopleSeen = new Set<string>();
  f.people.forEach((p, i) => {
    if (!regions.has(p.region))
      errors.push(`people[${i}].region: unknown region "${p.region}" (regions: ${regionIds.join(', ')})`);
    if (peopleSeen.has(p.user)) errors.push(`people[${i}].user: ${p.user} is listed twice`);
    peopleSeen.add(p.user);
  });
  f.tools.forEach((t, i) => {
    if (toolIds.has(t.id)) errors.push(`tools[${i}].id: duplicate tool id "${t.id}"`);
    toolIds.add(t.id);
  });
  const refs: ToolRefsContext = {
    categoryIds,
    toolIds,
    groups,
    regions,
    regionIds,
    keyOwner,
  };
  f.tools.forEach((t, i) => {
    for (const p of toolProblems(t, refs)) errors.push(`tools[${i}].${p.path}: ${p.message}`);
  });
  if (errors.length) return { ok: false, errors };

  return {
    ok: true,
    registry: {
      regions: regionIds,
      names: { regions: namesOf(f.regions), categories: namesOf(f.categories ?? []) },
      admins: f.admins,
      reviewChannel: f.review_channel ?? null,
      reviewGroup: f.review_group ?? null,
      auditChannel: f.audit_channel ?? null,
      rubric: f.rubric
        ? dropUndefined({
            weights: f.rubric.weights,
            thresholds: f.rubric.thresholds,
            homeCountries: f.rubric.home_countries,
          })
        : null,
      approverGroups: f.approver_groups.map((g): ApproverGroup => ({
        id: g.id,
        name: g.name,
        channel: g.channel,
        members: g.members ?? [],
        usergroup: g.usergroup ?? null,
        backup: g.backup ?? null,
      })),
      approvalChains: f.approval_chains,
      people: f.people.map((p) => ({
        user: p.user,
        name: p.name ?? null,
        region: p.region,
        department: p.department ?? null,
      })),
      regionRules: f.region_rules.map(regionRuleOf),
      tools: f.tools.map(toolOf),
      // Only where a tool has `history:`, so a registry without any reads as it did before.
      ...(f.tools.some((t) => t.history) && {
        toolHistory: Object.fromEntries(
          f.tools.flatMap((t) => (t.history ? [[t.id, t.history.map((h) => dropUndefined(h))]] : [])),
        ),
      }),
    },
  };
}

type ToolEntry = z.output<typeof toolSchema>;
/** One tool entry as the file has it (snake_case), before it is checked: what a form builds. */
export type ToolFileEntry = z.input<typeof toolSchema>;

interface ToolRefsContext {
  /** The categories' ids, when the registry lists them (then a tool's must be one). */
  categoryIds: readonly string[] | undefined;
  toolIds: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  regions: ReadonlySet<string>;
  regionIds: readonly string[];
  /** Which tool each name (normalised) belongs to; filled as tools are checked. */
  keyOwner: Map<string, string>;
}

/** What a tool entry names that must exist (categories, tools, groups, regions), and its names taken by another tool. */
function toolProblems(t: ToolEntry, c: ToolRefsContext): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (c.categoryIds && !c.categoryIds.includes(t.category))
    add(
      'category',
      `"${t.category}" is not under categories (add it there, or use one of: ${[...new Set(c.categoryIds)].join(', ')})`,
    );
  t.alternatives.forEach((a, j) => {
    if (!c.toolIds.has(a)) add(`alternatives[${j}]`, `unknown tool id "${a}"`);
  });
  t.approvers?.forEach((g, j) => {
    if (!c.groups.has(g)) add(`approvers[${j}]`, `unknown approver group "${g}"`);
  });
  for (const [region, o] of Object.entries(t.regions)) {
    if (!c.regions.has(region)) add(`regions.${region}`, `unknown region (regions: ${c.regionIds.join(', ')})`);
    o.alternatives?.forEach((a, j) => {
      if (!c.toolIds.has(a)) add(`regions.${region}.alternatives[${j}]`, `unknown tool id "${a}"`);
    });
  }
  t.history?.forEach((h, j) => {
    if (h.region !== undefined && !c.regions.has(h.region))
      add(`history[${j}].region`, `unknown region "${h.region}" (regions: ${c.regionIds.join(', ')})`);
  });
  // Two tools answering to the same name would make the bot's answer a coin toss.
  const names: Array<[string, string]> = [
    ['id', t.id],
    ['name', t.name],
    ...t.aliases.map((a, j): [string, string] => [`aliases[${j}]`, a]),
  ];
  for (const [field, value] of names) {
    const key = normalizeKey(value);
    if (!key) {
      add(field, 'needs at least one letter or digit');
      continue;
    }
    const owner = c.keyOwner.get(key);
    if (owner && owner !== t.id) add(field, `"${value}" is also a name of tool "${owner}"`);
    c.keyOwner.set(key, t.id);
  }
  return problems;
}

function toolOf(t: ToolEntry): Tool {
  return {
    id: t.id,
    name: t.name,
    vendor: t.vendor,
    vendorCountry: t.vendor_country,
    category: t.category,
    aliases: t.aliases,
    risk: t.risk,
    status: t.status,
    reason: t.reason,
    conditions: t.conditions ?? null,
    alternatives: t.alternatives,
    maxExceptionDays: t.max_exception_days ?? null,
    approvers: t.approvers ?? null,
    data: t.data,
    facts: dropUndefined({
      operatingEntity: t.operating_entity,
      openWeights: t.open_weights,
      certifications: t.certifications,
      cnFiling: t.cn_filing,
      exportControlled: t.export_controlled,
      factsChecked: t.facts_checked,
      sources: t.sources,
    }),
    policyUrl: t.policy_url ?? null,
    reviewed: t.reviewed ?? null,
    regions: t.regions,
  };
}

export type ToolEntryParse = { ok: true; tool: Tool } | { ok: false; errors: Array<{ path: string; message: string }> };

/**
 * One tool entry checked exactly as `parseRegistry` checks a tool of the file, against the rest of
 * `registry`: its shape, then what it names (categories, alternatives, approvers, regions) and its
 * names. `replacing`: the id of the stored tool it replaces (its own names are then no clash).
 * For a tool added or changed from Slack; `path` is the field as the file spells it (`regions.cn.status`).
 */
export function parseToolEntry(doc: unknown, registry: Registry, replacing: string | null = null): ToolEntryParse {
  const parsed = toolSchema.safeParse(doc);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        path: formatPath(i.path),
        message: i.code === 'unrecognized_keys' ? `${i.message} (${i.keys.join(', ')})` : i.message,
      })),
    };
  const t = parsed.data;
  const others = registry.tools.filter((x) => x.id !== replacing);
  const keyOwner = new Map<string, string>();
  for (const x of others) for (const name of [x.id, x.name, ...x.aliases]) keyOwner.set(normalizeKey(name), x.id);
  const categories = Object.keys(registry.names.categories);
  const problems = toolProblems(t, {
    categoryIds: categories.length ? categories : undefined,
    toolIds: new Set([...others.map((x) => x.id), t.id]),
    groups: new Set(registry.approverGroups.map((g) => g.id)),
    regions: new Set(registry.regions),
    regionIds: registry.regions,
    keyOwner,
  });
  if (replacing === null && registry.tools.some((x) => x.id === t.id))
    problems.unshift({ path: 'id', message: `"${t.id}" is the id of a tool already in the registry; choose another` });
  return problems.length ? { ok: false, errors: problems } : { ok: true, tool: toolOf(t) };
}

/** The registry as a document that `parseRegistry` reads back to the same registry. */
export function registryToDocument(r: Registry): RegistryFile {
  const optional = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
  const categories = Object.entries(r.names.categories).map(([id, name]) => ({ id, name }));
  return {
    regions: r.regions.map((id) => (r.names.regions[id] ? { id, name: r.names.regions[id] } : id)),
    ...(categories.length && { categories }),
    admins: r.admins,
    review_channel: optional(r.reviewChannel),
    review_group: optional(r.reviewGroup),
    audit_channel: optional(r.auditChannel),
    ...(r.rubric && {
      rubric: dropUndefined({
        weights: r.rubric.weights,
        thresholds: r.rubric.thresholds,
        home_countries: r.rubric.homeCountries,
      }),
    }),
    approver_groups: r.approverGroups.map((g) => ({
      id: g.id,
      name: g.name,
      channel: g.channel,
      ...((g.members.length > 0 || g.usergroup === null) && { members: g.members }),
      usergroup: optional(g.usergroup),
      backup: optional(g.backup),
    })),
    approval_chains: r.approvalChains,
    people: r.people.map((p) => ({
      user: p.user,
      name: optional(p.name),
      region: p.region,
      department: optional(p.department),
    })),
    ...(r.regionRules.length > 0 && { region_rules: r.regionRules.map(regionRuleToFile) }),
    tools: r.tools.map(toolToFile),
  };
}
