// Who someone is, for their region: the registry's `people` entry, else region_rules over what
// Slack's profile says (cached, PROFILE_TTL_HOURS), else DEFAULT_REGION. Answering never waits on
// Slack for someone cached; a first-time asker costs one round of calls with a short deadline, and
// a Slack that does not answer gives the default, said as such. A profile read that moves someone
// to another region ends the exceptions the new region does not allow, in the same transaction.
import {
  factsOf,
  isDefinite,
  profileIsFresh,
  regionChangeReason,
  resolveRegion,
  type CachedProfile,
  type RegionResolution,
} from '../domain/directory.ts';
import { endOnRegionChange, type ExceptionRequest, type Transition } from '../domain/exceptions.ts';
import { regionName, STATUS_LABELS } from '../domain/types.ts';
import { verdictFor } from '../domain/verdict.ts';
import type { RegistrySnapshot, ServiceContext } from './ports.ts';

export type DirectoryDeps = Pick<ServiceContext, 'store' | 'clock' | 'defaultRegion' | 'directory'>;

/** Where the profile behind a resolution came from, for `whois` and the logs. */
export type ProfileOrigin =
  /** The registry lists the person, or has no rules: no profile is needed. */
  | { kind: 'not_needed' }
  | { kind: 'cached'; fetchedAt: string; stale: boolean }
  | { kind: 'read_now'; fetchedAt: string }
  /** Slack was asked and did not answer in time (or there is no Slack to ask), and nothing is cached. */
  | { kind: 'none'; slackAsked: boolean };

export interface Whereabouts extends RegionResolution {
  profile: ProfileOrigin;
  /** Exceptions this look-up ended (a transfer). */
  ended: ExceptionRequest[];
}

/**
 * The field labels, read again with the profiles' TTL (or at once: `refresh`) when Slack may be
 * asked; the last ones known when it may not, or does not answer.
 */
async function labelsFor(deps: DirectoryDeps, refresh: boolean, mayAsk = true): Promise<Record<string, string> | null> {
  const cached = await deps.store.fieldLabels();
  const slack = mayAsk ? deps.directory?.slack : null;
  const ttl = deps.directory?.profileTtlHours ?? 24;
  const now = deps.clock.now();
  if (!slack || (cached && !refresh && profileIsFresh(cached, now, ttl))) return cached?.labels ?? null;
  const labels = await slack.fieldLabels();
  if (!labels) return cached?.labels ?? null;
  await deps.store.saveFieldLabels(labels, now);
  return labels;
}

/** What a region change does to each active exception: ended where the new region takes none. */
function transferPlan(
  registry: RegistrySnapshot,
  resolution: RegionResolution,
  now: Date,
): (active: ExceptionRequest[]) => Transition[] {
  if (!isDefinite(resolution.source)) return () => [];
  const name = regionName(registry.registry.names, resolution.region);
  return (active) =>
    active.flatMap((r) => {
      const tool = registry.tool(r.toolId);
      if (!tool) return [];
      const status = verdictFor(tool, resolution.region).status;
      const reason = regionChangeReason(tool.name, name, resolution.source, STATUS_LABELS[status]);
      return endOnRegionChange(r, { region: resolution.region, status, reason }, now) ?? [];
    });
}

/** Reads the person from Slack now and keeps it (with the transfer it causes); null when Slack gave nothing. */
async function readAndKeep(
  deps: DirectoryDeps,
  registry: RegistrySnapshot,
  user: string,
  teamId: string | null,
  cached: CachedProfile | null,
  refreshLabels: boolean,
): Promise<Whereabouts | null> {
  const slack = deps.directory?.slack;
  if (!slack) return null;
  const [read, labels] = await Promise.all([slack.person(user), labelsFor(deps, refreshLabels)]);
  if (!read.userFacts && !read.fieldValues) return null;
  const now = deps.clock.now();
  const profile: CachedProfile = {
    user,
    teamId: teamId ?? cached?.teamId ?? read.teamId,
    // What did not come this time is kept from before rather than forgotten.
    userFacts: read.userFacts ?? cached?.userFacts ?? null,
    fieldValues: read.fieldValues ?? cached?.fieldValues ?? null,
    fetchedAt: now.toISOString(),
  };
  const resolution = resolve(deps, registry, user, profile, labels, teamId);
  const ended = await deps.store.saveProfile(profile, transferPlan(registry, resolution, now), now);
  if (ended.length) deps.directory?.onStateChange?.();
  return {
    ...resolution,
    profile: { kind: 'read_now', fetchedAt: profile.fetchedAt },
    ended: ended.map((t) => t.request),
  };
}

function resolve(
  deps: DirectoryDeps,
  registry: RegistrySnapshot,
  user: string,
  profile: CachedProfile | null,
  labels: Record<string, string> | null,
  teamId: string | null,
): RegionResolution {
  return resolveRegion({
    rules: registry.registry.regionRules,
    person: registry.person(user),
    facts: factsOf(profile, labels, teamId),
    defaultRegion: deps.defaultRegion,
  });
}

/**
 * The asker's region, department and why. `teamId` is the workspace the request came from (null:
 * none, e.g. the CLI, when the one they last asked from is used).
 */
export async function whereabouts(
  deps: DirectoryDeps,
  registry: RegistrySnapshot,
  user: string,
  teamId: string | null = null,
  /** Only a request from Slack says where someone works from; a CLI "as if from" does not. */
  options: { rememberTeam?: boolean } = {},
): Promise<Whereabouts> {
  const rules = registry.registry.regionRules;
  if (registry.person(user) || rules.length === 0) {
    return { ...resolve(deps, registry, user, null, null, teamId), profile: { kind: 'not_needed' }, ended: [] };
  }
  const cached = await deps.store.cachedProfile(user);
  if (teamId && cached?.teamId !== teamId && options.rememberTeam !== false)
    await deps.store.rememberTeam(user, teamId);
  const now = deps.clock.now();
  const ttl = deps.directory?.profileTtlHours ?? 24;
  const known = cached && (cached.userFacts || cached.fieldValues) ? cached : null;
  const fresh = known !== null && profileIsFresh(known, now, ttl);
  if (!fresh && deps.directory?.slack) {
    const read = await readAndKeep(deps, registry, user, teamId, cached, false);
    if (read) return read;
  }
  // A cached person's answer does not wait on Slack, not even for the labels.
  const labels = await labelsFor(deps, false, false);
  const resolution = resolve(deps, registry, user, known, labels, teamId);
  return {
    ...resolution,
    profile: known
      ? { kind: 'cached', fetchedAt: known.fetchedAt, stale: !fresh }
      : { kind: 'none', slackAsked: Boolean(deps.directory?.slack) },
    ended: [],
  };
}

/**
 * Slack said a profile changed (user_change, user_profile_changed): read it again now, so the next
 * answer follows it, and end what a transfer ends. The field labels are read again too.
 */
export async function refreshPerson(deps: DirectoryDeps, user: string): Promise<Whereabouts | null> {
  const registry = await deps.store.registrySnapshot();
  if (registry.person(user) || registry.registry.regionRules.length === 0) return null;
  const cached = await deps.store.cachedProfile(user);
  return readAndKeep(deps, registry, user, null, cached, true);
}
