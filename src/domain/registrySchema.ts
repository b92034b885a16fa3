// The registry file's format, checked field by field. A bad file is rejected whole,
// with every problem named by its path, so an admin can fix it in one go.
import { z } from 'zod';
import { normalizeKey } from './match.ts';
import { RISK_CLASSES, TOOL_ID, TOOL_STATUSES, type Registry, type Tool } from './types.ts';

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `expected one of ${values.join('|')}` });

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const slug = z
  .string()
  .regex(TOOL_ID.pattern, 'use lowercase letters, digits and hyphens (e.g. claude-code)')
  .max(TOOL_ID.maxLength, `at most ${TOOL_ID.maxLength} characters`);
const slackUser = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected a Slack user id such as U012ABCDEF');
const slackChannel = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel id such as C012ABCDEF');
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
  policy_url: httpUrl.nullish(),
  reviewed: isoDate.nullish(),
  regions: z.record(slug, regionOverride).default({}),
});

export const registryFileSchema = z.strictObject({
  regions: z.array(slug).min(1, 'list at least one region, e.g. [global]'),
  admins: z.array(slackUser).default([]),
  review_channel: slackChannel.nullish(),
  audit_channel: slackChannel.nullish(),
  approver_groups: z
    .array(
      z.strictObject({
        id: slug,
        name: text(100),
        channel: slackChannel,
        members: z.array(slackUser).min(1, 'a group needs at least one member'),
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
  tools: z.array(toolSchema),
});

export type RegistryFile = z.input<typeof registryFileSchema>;

/** `tools[3].risk` style paths, as an admin would look for them in the file. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(file)';
}

export type RegistryParse = { ok: true; registry: Registry } | { ok: false; errors: string[] };

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
  const f = parsed.data;
  const errors: string[] = [];
  const regions = new Set(f.regions);
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
  const peopleSeen = new Set<string>();
  f.people.forEach((p, i) => {
    if (!regions.has(p.region))
      errors.push(`people[${i}].region: unknown region "${p.region}" (regions: ${f.regions.join(', ')})`);
    if (peopleSeen.has(p.user)) errors.push(`people[${i}].user: ${p.user} is listed twice`);
    peopleSeen.add(p.user);
  });
  f.tools.forEach((t, i) => {
    if (toolIds.has(t.id)) errors.push(`tools[${i}].id: duplicate tool id "${t.id}"`);
    toolIds.add(t.id);
  });
  f.tools.forEach((t, i) => {
    const at = `tools[${i}]`;
    t.alternatives.forEach((a, j) => {
      if (!toolIds.has(a)) errors.push(`${at}.alternatives[${j}]: unknown tool id "${a}"`);
    });
    t.approvers?.forEach((g, j) => {
      if (!groups.has(g)) errors.push(`${at}.approvers[${j}]: unknown approver group "${g}"`);
    });
    for (const [region, o] of Object.entries(t.regions)) {
      if (!regions.has(region))
        errors.push(`${at}.regions.${region}: unknown region (regions: ${f.regions.join(', ')})`);
      o.alternatives?.forEach((a, j) => {
        if (!toolIds.has(a)) errors.push(`${at}.regions.${region}.alternatives[${j}]: unknown tool id "${a}"`);
      });
    }
    // Two tools answering to the same name would make the bot's answer a coin toss.
    const names: Array<[string, string]> = [
      ['id', t.id],
      ['name', t.name],
      ...t.aliases.map((a, j): [string, string] => [`aliases[${j}]`, a]),
    ];
    for (const [field, value] of names) {
      const key = normalizeKey(value);
      if (!key) {
        errors.push(`${at}.${field}: needs at least one letter or digit`);
        continue;
      }
      const owner = keyOwner.get(key);
      if (owner && owner !== t.id) errors.push(`${at}.${field}: "${value}" is also a name of tool "${owner}"`);
      keyOwner.set(key, t.id);
    }
  });
  if (errors.length) return { ok: false, errors };

  return {
    ok: true,
    registry: {
      regions: f.regions,
      admins: f.admins,
      reviewChannel: f.review_channel ?? null,
      auditChannel: f.audit_channel ?? null,
      approverGroups: f.approver_groups,
      approvalChains: f.approval_chains,
      people: f.people.map((p) => ({
        user: p.user,
        name: p.name ?? null,
        region: p.region,
        department: p.department ?? null,
      })),
      tools: f.tools.map((t): Tool => ({
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
        policyUrl: t.policy_url ?? null,
        reviewed: t.reviewed ?? null,
        regions: t.regions,
      })),
    },
  };
}

/** The registry as a document that `parseRegistry` reads back to the same registry. */
export function registryToDocument(r: Registry): RegistryFile {
  const optional = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
  return {
    regions: r.regions,
    admins: r.admins,
    review_channel: optional(r.reviewChannel),
    audit_channel: optional(r.auditChannel),
    approver_groups: r.approverGroups,
    approval_chains: r.approvalChains,
    people: r.people.map((p) => ({
      user: p.user,
      name: optional(p.name),
      region: p.region,
      department: optional(p.department),
    })),
    tools: r.tools.map((t) => ({
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
      policy_url: optional(t.policyUrl),
      reviewed: optional(t.reviewed),
      regions: t.regions,
    })),
  };
}
