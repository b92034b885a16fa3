// Who you can be in the playground, which channels there are and which slash commands exist:
// read from the registry (people, approver groups, admins) and from manifest.yml, once at start.
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { explainRegion, resolveRegion, STANDARD_PROFILE_FIELDS, type DirectoryFacts } from '../domain/directory.ts';
import { regionName, type Registry } from '../domain/types.ts';

export interface PlaygroundPerson {
  id: string;
  name: string;
  /** The region the bot will see for this person (listed region, or DEFAULT_REGION). */
  region: string;
  kind: 'employee' | 'approver' | 'admin' | 'guest';
  /** What the picker shows, e.g. "Alice Chen · cn · engineering" or "Marcus Webb · Security review approver". */
  label: string;
  /** People only Slack knows (not in the registry): their Office field, which the page lets them change. */
  office?: string | null;
}

export interface PlaygroundChannel {
  id: string;
  name: string;
  purpose: string;
  /** Who is in it (unread badges are theirs); absent: everyone. */
  members?: string[];
}

export interface PlaygroundCommand {
  command: string;
  description: string;
  usageHint: string;
}

/** What manifest.yml says the app offers people. */
export interface AppManifest {
  commands: PlaygroundCommand[];
  /** `messages_tab_read_only_enabled`: people can't write in the app's Messages tab (not even commands). */
  messagesReadOnly: boolean;
}

export interface Directory {
  people: PlaygroundPerson[];
  channels: PlaygroundChannel[];
  /** Who the page starts as: an employee in the default region. */
  defaultUser: string;
}

/** Somebody the registry does not list, so the bot answers for DEFAULT_REGION. */
export const GUEST_USER = 'U0GUEST';
/** A channel to type commands in, as in any workspace. */
export const GENERAL_CHANNEL: PlaygroundChannel = {
  id: 'C0GENERAL',
  name: 'general',
  purpose: 'Ask here: type /can-i-use and a tool name.',
};

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'channel';

export function buildDirectory(registry: Registry, defaultRegion: string): Directory {
  const listed = new Map(registry.people.map((p) => [p.user, p]));
  // Groups in the order requests reach them (security before legal), as the story goes.
  const stageOrder = [...new Set(Object.values(registry.approvalChains).flat())];
  const rank = (id: string) => (stageOrder.includes(id) ? stageOrder.indexOf(id) : stageOrder.length);
  const groups = [...registry.approverGroups].sort((a, b) => rank(a.id) - rank(b.id));
  const roles = new Map<string, string[]>();
  const addRole = (user: string, role: string) => roles.set(user, [...(roles.get(user) ?? []), role]);
  for (const group of groups) for (const member of group.members) addRole(member, `${group.name} approver`);
  for (const admin of registry.admins) addRole(admin, 'admin');

  const employees: PlaygroundPerson[] = [];
  const staff: PlaygroundPerson[] = [];
  const regionOrder = (region: string) => {
    const i = registry.regions.indexOf(region);
    return i < 0 ? registry.regions.length : i;
  };
  for (const person of registry.people) {
    if (roles.has(person.user)) continue;
    const name = person.name ?? person.user;
    const label = [name, regionName(registry.names, person.region), person.department].filter(Boolean).join(' · ');
    employees.push({ id: person.user, name, region: person.region, kind: 'employee', label });
  }
  employees.sort((a, b) => regionOrder(a.region) - regionOrder(b.region));
  const ids = new Set(employees.map((p) => p.id));
  if (!ids.has(GUEST_USER)) {
    employees.push({
      id: GUEST_USER,
      name: 'Guest',
      region: defaultRegion,
      kind: 'guest',
      label: `Guest · ${regionName(registry.names, defaultRegion)} · not in the registry`,
    });
  }
  for (const [user, list] of roles) {
    const person = listed.get(user);
    const name = person?.name ?? user;
    const isAdminOnly = list.every((r) => r === 'admin');
    staff.push({
      id: user,
      name,
      region: person?.region ?? defaultRegion,
      kind: isAdminOnly ? 'admin' : 'approver',
      label: [name, ...list].join(' · '),
    });
  }

  const channels: PlaygroundChannel[] = [GENERAL_CHANNEL];
  const byId = new Map<string, PlaygroundChannel>([[GENERAL_CHANNEL.id, GENERAL_CHANNEL]]);
  for (const group of groups) {
    const members = group.members.map((m) => listed.get(m)?.name ?? m).join(', ');
    const purpose = `${group.name}: approval requests for ${members || 'nobody yet'}.`;
    const existing = byId.get(group.channel);
    if (existing) {
      existing.purpose = `${existing.purpose} ${purpose}`;
      if (existing.members) existing.members = [...new Set([...existing.members, ...group.members])];
      continue;
    }
    const channel = { id: group.channel, name: slug(group.name), purpose, members: [...group.members] };
    byId.set(channel.id, channel);
    channels.push(channel);
  }
  if (registry.reviewChannel && !byId.has(registry.reviewChannel)) {
    const channel = {
      id: registry.reviewChannel,
      name: 'tool-reviews',
      purpose: 'Requests to review tools that are not in the registry.',
    };
    byId.set(channel.id, channel);
    channels.push(channel);
  }
  if (registry.auditChannel && !byId.has(registry.auditChannel)) {
    const channel = {
      id: registry.auditChannel,
      name: 'audit',
      purpose: "The audit log's head, posted every day: proof the log was not rewritten since.",
    };
    byId.set(channel.id, channel);
    channels.push(channel);
  }

  const defaultUser =
    employees.find((p) => p.kind === 'employee' && p.region === defaultRegion)?.id ?? employees[0]?.id ?? GUEST_USER;
  return { people: [...employees, ...staff], channels, defaultUser };
}

/** A user as the stand-in's directory has them: what region rules look at. */
export interface ProfileUser {
  id: string;
  name: string;
  teamId: string;
  tz: string | null;
  email: string | null;
  standard: Record<string, string>;
  /** Custom field values by field id. */
  fields: Record<string, string>;
}

/** What the example's offices are, and the time zone a move there comes with (Slack sends an event for that). */
export const OFFICE_TIME_ZONES: Readonly<Record<string, string>> = {
  Hangzhou: 'Asia/Shanghai',
  Beijing: 'Asia/Shanghai',
  Shanghai: 'Asia/Shanghai',
  Shenzhen: 'Asia/Shanghai',
  Berlin: 'Europe/Berlin',
  London: 'Europe/London',
  'New York': 'America/New_York',
  Singapore: 'Asia/Singapore',
};

/**
 * People the registry does not list, with the region their Slack profile gives them under the
 * registry's region_rules (as the bot resolves it, from the workspace they ask from), and why.
 */
export function profilePeople(
  registry: Registry,
  users: readonly ProfileUser[],
  fieldLabels: Readonly<Record<string, string>>,
  defaultRegion: string,
): PlaygroundPerson[] {
  const listed = new Set(registry.people.map((p) => p.user));
  const officeId = Object.keys(fieldLabels).find((id) => fieldLabels[id] === 'Office');
  return users
    .filter((u) => !listed.has(u.id))
    .map((u) => {
      const facts: DirectoryFacts = {
        teamId: u.teamId,
        user: { tz: u.tz, email: u.email, standard: u.standard },
        fields: { values: u.fields, labels: fieldLabels },
      };
      const found = resolveRegion({ rules: registry.regionRules, person: null, facts, defaultRegion });
      const region = regionName(registry.names, found.region);
      return {
        id: u.id,
        name: u.name,
        region: found.region,
        kind: 'employee' as const,
        label: [u.name, region, explainRegion(found.source, 'they')].join(' · '),
        office: officeId ? (u.fields[officeId] ?? null) : null,
      };
    });
}

/** The facts of a stand-in user (Slack's user object), as ProfileUser. */
export function profileUserOf(user: {
  id: string;
  team_id: string;
  tz: string;
  real_name: string;
  profile: Record<string, unknown> & { fields: Record<string, { value: string }> };
}): ProfileUser {
  const standard: Record<string, string> = {};
  for (const key of STANDARD_PROFILE_FIELDS) {
    const v = user.profile[key];
    if (typeof v === 'string' && v !== '') standard[key] = v;
  }
  const email = typeof user.profile.email === 'string' ? user.profile.email : null;
  const fields = Object.fromEntries(
    Object.entries(user.profile.fields)
      .filter(([, f]) => f.value !== '')
      .map(([id, f]) => [id, f.value]),
  );
  return { id: user.id, name: user.real_name, teamId: user.team_id, tz: user.tz, email, standard, fields };
}

export const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL('../../manifest.yml', import.meta.url));

/** The slash commands and App Home settings of manifest.yml, so what is added there works here too. */
export function readManifest(manifestPath = DEFAULT_MANIFEST_PATH): AppManifest {
  const fallback: AppManifest = {
    commands: [{ command: '/can-i-use', description: 'May I use this tool at work?', usageHint: 'claude code' }],
    messagesReadOnly: false,
  };
  let manifest: {
    features?: { slash_commands?: unknown; app_home?: { messages_tab_read_only_enabled?: unknown } };
  } | null;
  try {
    manifest = parse(readFileSync(manifestPath, 'utf8')) as typeof manifest;
  } catch {
    return fallback;
  }
  const list = manifest?.features?.slash_commands;
  const commands = (Array.isArray(list) ? list : []).flatMap((c: unknown) => {
    if (!c || typeof c !== 'object') return [];
    const { command, description, usage_hint } = c as Record<string, unknown>;
    if (typeof command !== 'string' || !command.startsWith('/')) return [];
    return [
      {
        command,
        description: typeof description === 'string' ? description : '',
        usageHint: typeof usage_hint === 'string' ? usage_hint : '',
      },
    ];
  });
  return {
    commands: commands.length ? commands : fallback.commands,
    messagesReadOnly: manifest?.features?.app_home?.messages_tab_read_only_enabled === true,
  };
}
