// Where a person's region and department come from: an explicit `people` entry, else the first
// `region_rules` entry their Slack profile matches, else the default region. Pure: the facts
// Slack gave (or did not give) are passed in, and the answer says why in a form a renderer can
// put in plain words.
import type { Person, RegionRule, RegionRuleMatch } from './types.ts';

/** What users.info says about a person (the fields region rules can look at). */
export interface UserFacts {
  /** IANA time zone (`Asia/Shanghai`); null when the profile has none. */
  tz: string | null;
  /** Null when the profile has none, or the app may not read emails (no users:read.email): never a match. */
  email: string | null;
  /** Standard profile fields by their profile key (`title`, `phone`, ...). */
  standard: Readonly<Record<string, string>>;
}

/** Custom profile fields: the values of users.profile.get and the labels of team.profile.get. */
export interface FieldFacts {
  /** Values by field id (`Xf0…`); a field the person left empty is absent. */
  values: Readonly<Record<string, string>>;
  /** Labels by field id (`Office`). */
  labels: Readonly<Record<string, string>>;
}

/**
 * What is known about the person asking. `user` and `fields` are null when Slack was not asked or
 * did not answer (then the rules that need them cannot be decided); the team comes with the request.
 */
export interface DirectoryFacts {
  /** The workspace (team id) the request came from. */
  teamId: string | null;
  user: UserFacts | null;
  fields: FieldFacts | null;
}

/** The fact that matched a rule, as the person would recognise it. */
export type MatchedFact =
  | { kind: 'field'; label: string; value: string }
  | { kind: 'tz'; tz: string }
  | { kind: 'email_domain'; domain: string }
  | { kind: 'team'; team: string };

export type RegionSource =
  /** The registry's `people` list names the person. */
  | { kind: 'registry' }
  /** `region_rules[rule]` matched `fact`. */
  | { kind: 'rule'; rule: number; fact: MatchedFact }
  /**
   * DEFAULT_REGION: the registry has no rules (`no_rules`), none matched (`no_match`), or a rule
   * before any that matched needed a fact Slack did not give in time (`profile_unavailable`).
   */
  | { kind: 'default'; reason: 'no_rules' | 'no_match' | 'profile_unavailable' };

export interface RegionResolution {
  region: string;
  department: string | null;
  source: RegionSource;
}

export interface RegionInput {
  rules: readonly RegionRule[];
  /** The person's `people` entry, if the registry lists them. */
  person: Person | null;
  facts: DirectoryFacts;
  defaultRegion: string;
}

/** Profile values compare as people type them: case, surrounding and repeated spaces, width do not matter. */
export function normalizeFieldValue(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

const sameName = (a: string, b: string): boolean => normalizeFieldValue(a) === normalizeFieldValue(b);

/** A field named by a rule, as found in the facts: known (maybe empty), or not knowable now. */
type FieldLookup = { known: true; label: string; value: string | null } | { known: false };

/** The standard profile fields users.info returns that a rule may name by their key. */
export const STANDARD_PROFILE_FIELDS = [
  'title',
  'phone',
  'skype',
  'real_name',
  'display_name',
  'first_name',
  'last_name',
  'pronouns',
] as const;

/**
 * A field by id, else by custom label, else as a standard profile key (`title`): custom fields
 * first, because their labels are what the workspace's admins and people see.
 */
function lookupField(name: string, facts: DirectoryFacts): FieldLookup {
  const { fields, user } = facts;
  if (fields) {
    if (Object.hasOwn(fields.labels, name) || Object.hasOwn(fields.values, name)) {
      return { known: true, label: fields.labels[name] ?? name, value: fields.values[name] ?? null };
    }
    const id = Object.keys(fields.labels).find((fieldId) => sameName(fields.labels[fieldId] ?? '', name));
    if (id !== undefined) return { known: true, label: fields.labels[id] ?? name, value: fields.values[id] ?? null };
  }
  const standard = STANDARD_PROFILE_FIELDS.find((key) => sameName(key, name));
  if (standard !== undefined) {
    if (!user) return { known: false };
    const key = Object.keys(user.standard).find((k) => sameName(k, standard));
    return { known: true, label: name, value: key === undefined ? null : (user.standard[key] ?? null) };
  }
  // Neither a custom field of this workspace nor a standard one: absent, once the custom fields are known.
  return fields ? { known: true, label: name, value: null } : { known: false };
}

const emailDomain = (email: string): string | null => {
  const at = email.lastIndexOf('@');
  return at < 0 ? null : email.slice(at + 1).toLowerCase();
};

/** `example.cn` covers itself and its subdomains. */
export const domainCovers = (ruleDomain: string, domain: string): boolean => {
  const d = ruleDomain.toLowerCase();
  return domain === d || domain.endsWith(`.${d}`);
};

type Outcome = { matched: true; fact: MatchedFact } | { matched: false } | { unknown: true };

function evaluate(match: RegionRuleMatch, facts: DirectoryFacts): Outcome {
  switch (match.kind) {
    case 'field': {
      const found = lookupField(match.field, facts);
      if (!found.known) return { unknown: true };
      const value = found.value;
      if (value === null || value.trim() === '') return { matched: false };
      const normalized = normalizeFieldValue(value);
      return match.values.some((v) => normalizeFieldValue(v) === normalized)
        ? { matched: true, fact: { kind: 'field', label: found.label, value: value.trim() } }
        : { matched: false };
    }
    case 'tz': {
      if (!facts.user) return { unknown: true };
      const tz = facts.user.tz;
      return tz !== null && match.zones.some((z) => z.toLowerCase() === tz.toLowerCase())
        ? { matched: true, fact: { kind: 'tz', tz } }
        : { matched: false };
    }
    case 'email_domain': {
      if (!facts.user) return { unknown: true };
      const domain = facts.user.email === null ? null : emailDomain(facts.user.email);
      return domain !== null && match.domains.some((d) => domainCovers(d, domain))
        ? { matched: true, fact: { kind: 'email_domain', domain } }
        : { matched: false };
    }
    case 'team': {
      const team = facts.teamId;
      if (team === null) return { unknown: true };
      return match.teams.includes(team) ? { matched: true, fact: { kind: 'team', team } } : { matched: false };
    }
  }
}

/** A rule's department: its own, or the named profile field's value (null when empty or not known). */
function departmentOf(rule: RegionRule, facts: DirectoryFacts): string | null {
  if (rule.department !== null) return rule.department;
  if (rule.departmentField === null) return null;
  const found = lookupField(rule.departmentField, facts);
  const value = found.known ? found.value?.trim() : undefined;
  return value ? value : null;
}

/**
 * The person's region and department, and why. Precedence: the `people` entry, then the first
 * rule that matches, then the default. A rule whose fact Slack did not give cannot be passed
 * over: a later rule may match only when every earlier one is known not to, else the answer is
 * the default (`profile_unavailable`), so a slow Slack never puts someone in the wrong region.
 */
export function resolveRegion(input: RegionInput): RegionResolution {
  const { person, rules, facts, defaultRegion } = input;
  if (person) return { region: person.region, department: person.department, source: { kind: 'registry' } };
  if (rules.length === 0)
    return { region: defaultRegion, department: null, source: { kind: 'default', reason: 'no_rules' } };
  for (const [index, rule] of rules.entries()) {
    const outcome = evaluate(rule.match, facts);
    if ('unknown' in outcome) {
      return { region: defaultRegion, department: null, source: { kind: 'default', reason: 'profile_unavailable' } };
    }
    if (outcome.matched) {
      return {
        region: rule.region,
        department: departmentOf(rule, facts),
        source: { kind: 'rule', rule: index, fact: outcome.fact },
      };
    }
  }
  return { region: defaultRegion, department: null, source: { kind: 'default', reason: 'no_match' } };
}

/** Who the explanation speaks to: the asker ("your profile") or someone reading about them ("their profile"). */
export type Addressee = 'you' | 'they';

/**
 * Why the region is what it is, in plain words, to follow "Your region: China mainland, ...".
 * The values come from Slack profiles: a renderer must escape them for the surface it writes to.
 */
export function explainRegion(source: RegionSource, to: Addressee = 'you'): string {
  const your = to === 'you' ? 'your' : 'their';
  const youAre = to === 'you' ? 'you are' : 'they are';
  if (source.kind === 'registry') return `because ${youAre} listed in the registry`;
  if (source.kind === 'rule') return explainFact(source.fact, to);
  switch (source.reason) {
    case 'no_rules':
      return `the default, because ${youAre} not listed in the registry`;
    case 'no_match':
      return `the default, because nothing in ${your} profile matched`;
    case 'profile_unavailable':
      return `the default, because Slack did not answer in time with ${your} profile`;
  }
}

function explainFact(fact: MatchedFact, to: Addressee): string {
  const your = to === 'you' ? 'your' : 'their';
  switch (fact.kind) {
    case 'field':
      return `from ${your} Slack profile (${fact.label}: ${fact.value})`;
    case 'tz':
      return `from ${your} Slack time zone (${fact.tz})`;
    case 'email_domain':
      return `from ${your} email address (@${fact.domain})`;
    case 'team':
      return `from the Slack workspace ${to === 'you' ? 'you' : 'they'} asked from (${fact.team})`;
  }
}

// ---------------------------------------------------------------- checking the rules

export type RuleProblemKind = 'unknown_region' | 'duplicate' | 'never_matches' | 'partly_shadowed' | 'unknown_field';

export interface RuleProblem {
  /** Index in `region_rules`. */
  rule: number;
  kind: RuleProblemKind;
  /** The earlier rules that match first, for duplicate / never_matches / partly_shadowed. */
  by: number[];
  /** One line naming the rule and the fix. */
  message: string;
}

export interface RuleCheckOptions {
  /** The workspace's custom field labels by id (team.profile.get), to see a label and an id as one field. */
  fieldLabels?: Readonly<Record<string, string>>;
  /** Standard profile keys a `field` rule may name besides custom fields (`title`, ...). */
  standardFields?: readonly string[];
}

/** What one value of a rule is compared as, and the key rules of the same kind share (the field). */
function matchKeys(match: RegionRuleMatch, fieldKey: (field: string) => string): { group: string; values: string[] } {
  switch (match.kind) {
    case 'field':
      return { group: `field:${fieldKey(match.field)}`, values: match.values.map(normalizeFieldValue) };
    case 'tz':
      return { group: 'tz', values: match.zones.map((z) => z.toLowerCase()) };
    case 'email_domain':
      return { group: 'email_domain', values: match.domains.map((d) => d.toLowerCase()) };
    case 'team':
      return { group: 'team', values: [...match.teams] };
  }
}

const covers = (group: string, earlier: string, value: string): boolean =>
  group === 'email_domain' ? domainCovers(earlier, value) : earlier === value;

const ruleNames = (indexes: number[]): string => indexes.map((i) => `region_rules[${i}]`).join(', ');

/**
 * Rules that can never match, or only in part, because earlier rules match the same people first;
 * exact duplicates; regions that do not exist; and, given the workspace's field labels, fields it
 * does not have. Rules of different kinds never hide each other: they look at different facts.
 */
export function checkRegionRules(
  rules: readonly RegionRule[],
  regionIds: readonly string[],
  options: RuleCheckOptions = {},
): RuleProblem[] {
  const labels = options.fieldLabels;
  const standard = options.standardFields ?? STANDARD_PROFILE_FIELDS;
  /** The custom field's id when the labels are known and name it, else undefined. */
  const customId = (field: string): string | undefined => {
    if (!labels) return undefined;
    if (Object.hasOwn(labels, field)) return field;
    return Object.keys(labels).find((k) => sameName(labels[k] ?? '', field));
  };
  const fieldKey = (field: string): string => customId(field) ?? normalizeFieldValue(field);
  const problems: RuleProblem[] = [];
  const seen: Array<{ group: string; values: string[]; signature: string }> = [];
  rules.forEach((rule, index) => {
    const at = `region_rules[${index}]`;
    if (!regionIds.includes(rule.region)) {
      problems.push({
        rule: index,
        kind: 'unknown_region',
        by: [],
        message: `${at}.region: unknown region "${rule.region}" (regions: ${regionIds.join(', ')})`,
      });
    }
    if (labels && rule.match.kind === 'field') {
      const field = rule.match.field;
      const known = customId(field) !== undefined || standard.some((s) => sameName(s, field));
      if (!known)
        problems.push({
          rule: index,
          kind: 'unknown_field',
          by: [],
          message: `${at}.field: the Slack workspace has no profile field "${field}" (fields: ${Object.values(labels).join(', ') || 'none'}); it never matches`,
        });
    }
    const { group, values } = matchKeys(rule.match, fieldKey);
    const signature = `${group}|${[...new Set(values)].sort().join('\u0000')}`;
    const same = seen.findIndex((s) => s.signature === signature);
    if (same >= 0) {
      const identical =
        rules[same]?.region === rule.region &&
        rules[same]?.department === rule.department &&
        rules[same]?.departmentField === rule.departmentField;
      problems.push({
        rule: index,
        kind: identical ? 'duplicate' : 'never_matches',
        by: [same],
        message: identical
          ? `${at}: the same rule as region_rules[${same}]; delete one`
          : `${at}: never matches, region_rules[${same}] matches the same people first; delete it, or move it above region_rules[${same}]`,
      });
    } else {
      const shadowedBy = new Map<string, number>();
      for (const value of values) {
        const earlier = seen.findIndex((s) => s.group === group && s.values.some((e) => covers(group, e, value)));
        if (earlier >= 0) shadowedBy.set(value, earlier);
      }
      const by = [...new Set(shadowedBy.values())].sort((a, b) => a - b);
      if (shadowedBy.size === values.length && values.length > 0) {
        problems.push({
          rule: index,
          kind: 'never_matches',
          by,
          message: `${at}: never matches, ${ruleNames(by)} ${by.length > 1 ? 'match' : 'matches'} everyone it would first; delete it, or move it above`,
        });
      } else if (shadowedBy.size > 0) {
        const dead = matchedValues(rule.match).filter((_, i) => shadowedBy.has(values[i] ?? ''));
        problems.push({
          rule: index,
          kind: 'partly_shadowed',
          by,
          message: `${at}: ${dead.join(', ')} ${dead.length > 1 ? 'are' : 'is'} matched first by ${ruleNames(by)}; remove ${dead.length > 1 ? 'them' : 'it'} here, or move this rule above`,
        });
      }
    }
    seen.push({ group, values, signature });
  });
  return problems;
}

/** A rule's values as the file spells them. */
function matchedValues(match: RegionRuleMatch): string[] {
  switch (match.kind) {
    case 'field':
      return match.values;
    case 'tz':
      return match.zones;
    case 'email_domain':
      return match.domains;
    case 'team':
      return match.teams;
  }
}

// ---------------------------------------------------------------- the cache and transfers

/** What Slack said about one person, as kept between answers. */
export interface CachedProfile {
  user: string;
  /** The workspace they last asked from (for `team` rules), else the one users.info names. */
  teamId: string | null;
  /** Null: users.info did not answer. */
  userFacts: UserFacts | null;
  /** Custom field values by id; null: users.profile.get did not answer. */
  fieldValues: Readonly<Record<string, string>> | null;
  fetchedAt: string;
}

/** A profile is used for PROFILE_TTL_HOURS after it was read, and read again after (or on an event). */
export function profileIsFresh(profile: Pick<CachedProfile, 'fetchedAt'>, now: Date, ttlHours: number): boolean {
  const at = Date.parse(profile.fetchedAt);
  return Number.isFinite(at) && now.getTime() - at < ttlHours * 3_600_000 && at <= now.getTime() + 60_000;
}

/**
 * The facts the rules look at: a cached profile (or none), the workspace's field labels, and the
 * workspace the request came from, which wins over the one remembered. Custom fields count as
 * known only with their labels.
 */
export function factsOf(
  profile: CachedProfile | null,
  labels: Readonly<Record<string, string>> | null,
  teamId: string | null,
): DirectoryFacts {
  return {
    teamId: teamId ?? profile?.teamId ?? null,
    user: profile?.userFacts ?? null,
    // Without the labels a rule naming `Office` cannot be told from a field the person left empty.
    fields: profile?.fieldValues && labels ? { values: profile.fieldValues, labels } : null,
  };
}

/** Whether a resolution may be acted on (a transfer): not when it is only the default for want of a profile. */
export const isDefinite = (source: RegionSource): boolean =>
  !(source.kind === 'default' && source.reason === 'profile_unavailable');

/** Why an exception ends on a transfer, in plain words (values from Slack: escape them to show them). */
export function regionChangeReason(
  toolName: string,
  regionName: string,
  source: RegionSource,
  statusLabel: string,
): string {
  return `your region is now ${regionName}, ${explainRegion(source)}; there ${toolName} is ${statusLabel}, so no exception applies`;
}
