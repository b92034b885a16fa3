// The approver directory: Slack user groups' members kept in the database (read again when Slack
// says they changed, when older than USERGROUP_TTL_MINUTES, and before a decision that needs a
// group older than that), and approvers' absences with the delegate who stands in for them.
// Slack being unreachable never stops a decision: the last membership read is used, and the log says so.
import {
  checkAbsence,
  type Absence,
  type AbsenceErrors,
  type AbsenceInput,
  type GroupNow,
} from '../domain/approvers.ts';
import type { ServiceContext } from './ports.ts';

/** USERGROUP_TTL_MINUTES' default. */
export const DEFAULT_USERGROUP_TTL_MS = 15 * 60_000;

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const warn = (ctx: ServiceContext, line: string) => (ctx.log ?? console).warn(`toolgate: ${line}`);

/** What reading a group from Slack came to: read now, left as cached (Slack failed, or no Slack here), or no such group. */
export type UsergroupRead = 'read' | 'cached' | 'unknown';

/** The group's S… id: a handle is looked up in the cache, else in usergroups.list (whose ids and handles are kept). */
async function usergroupId(ctx: ServiceContext, ref: string, relist: boolean): Promise<string | null> {
  if (!ref.startsWith('@')) return ref;
  const cached = relist ? null : await ctx.store.usergroupCache(ref);
  if (cached) return cached.id;
  const list = (await ctx.usergroups?.list()) ?? [];
  await ctx.store.saveUsergroupHandles(list);
  return list.find((g) => `@${g.handle}` === ref)?.id ?? null;
}

/** Reads one group's members from Slack into the cache; on failure keeps what is cached, and says so. */
export async function refreshUsergroup(
  ctx: ServiceContext,
  ref: string,
  options: { relist?: boolean } = {},
): Promise<UsergroupRead> {
  if (!ctx.usergroups) return 'cached';
  try {
    const id = await usergroupId(ctx, ref, options.relist ?? false);
    if (!id) {
      warn(ctx, `the Slack user group ${ref} named in the registry does not exist: nobody is a member through it`);
      return 'unknown';
    }
    const users = await ctx.usergroups.members(id);
    await ctx.store.saveUsergroupMembers(id, users, ctx.clock.now());
    return 'read';
  } catch (e) {
    const cached = await ctx.store.usergroupCache(ref).catch(() => null);
    warn(
      ctx,
      `could not read the members of Slack user group ${ref} (${messageOf(e)}); ` +
        (cached?.membersReadAt
          ? `using its membership as read at ${cached.membersReadAt}`
          : 'its members were never read, so nobody is a member through it until Slack answers'),
    );
    return 'cached';
  }
}

const ttlOf = (ctx: ServiceContext): number => ctx.usergroupTtlMs ?? DEFAULT_USERGROUP_TTL_MS;

/**
 * Reads again the groups (of `refs`) whose members are older than the TTL or were never read, side
 * by side: a person waiting on a click waits for one round of calls at most.
 */
export async function refreshStaleUsergroups(ctx: ServiceContext, refs: readonly string[]): Promise<void> {
  if (!ctx.usergroups) return;
  const oldest = ctx.clock.now().getTime() - ttlOf(ctx);
  const stale: string[] = [];
  for (const ref of new Set(refs)) {
    const cached = await ctx.store.usergroupCache(ref);
    if (!cached?.membersReadAt || Date.parse(cached.membersReadAt) <= oldest) stale.push(ref);
  }
  await Promise.all(stale.map((ref) => refreshUsergroup(ctx, ref)));
}

/** Every group the registry names, read again (the TTL timer); handles looked up afresh, as they can move. */
export async function refreshAllUsergroups(ctx: ServiceContext): Promise<void> {
  if (!ctx.usergroups) return;
  const refs = await ctx.store.usergroupRefs();
  let relist = refs.some((r) => r.startsWith('@'));
  for (const ref of refs) {
    await refreshUsergroup(ctx, ref, { relist: relist && ref.startsWith('@') });
    if (ref.startsWith('@')) relist = false; // one usergroups.list a pass is enough
  }
}

/**
 * Before a decision on a stage of `groupId`: its user group and its backup's, read again if older
 * than the TTL, so the decision goes by the membership as it is now.
 */
export async function freshenGroup(ctx: ServiceContext, groupId: string): Promise<void> {
  const group = await ctx.store.approverGroup(groupId);
  if (!group) return;
  const backup = group.backup ? await ctx.store.approverGroup(group.backup) : null;
  await refreshStaleUsergroups(
    ctx,
    [group.usergroup, backup?.usergroup].filter((r): r is string => typeof r === 'string'),
  );
}

export interface MembersChanged {
  subteamId: string;
  added: readonly string[];
  removed: readonly string[];
}

/**
 * Slack says a user group's members changed (subteam_members_changed). A group the registry names
 * is read again; if Slack cannot be reached, the event's own list of who joined and left is applied.
 */
export async function usergroupMembersChanged(ctx: ServiceContext, change: MembersChanged): Promise<UsergroupRead> {
  const refs = await ctx.store.usergroupRefs();
  let named = refs.includes(change.subteamId);
  for (const ref of refs.filter((r) => r.startsWith('@'))) {
    if (named) break;
    const cached = await ctx.store.usergroupCache(ref);
    named = cached
      ? cached.id === change.subteamId
      : (await usergroupId(ctx, ref, true).catch(() => null)) === change.subteamId;
  }
  if (!named) return 'unknown'; // not an approver group's: nothing of ours depends on it
  if (ctx.usergroups) {
    try {
      const users = await ctx.usergroups.members(change.subteamId);
      await ctx.store.saveUsergroupMembers(change.subteamId, users, ctx.clock.now());
      return 'read';
    } catch (e) {
      warn(
        ctx,
        `could not read the members of Slack user group ${change.subteamId} after Slack said they changed (${messageOf(e)}); applied the change the event names (+${change.added.length} -${change.removed.length})`,
      );
    }
  }
  await ctx.store.applyUsergroupChange(change.subteamId, change);
  return 'cached';
}

// ---------------------------------------------------------------- absences

export interface AbsenceView {
  absence: Absence | null;
  /** The approver groups the person is in now, with their backups: where a delegate may come from. */
  groups: GroupNow[];
}

export async function absenceView(ctx: ServiceContext, user: string): Promise<AbsenceView> {
  const groups = (await ctx.store.approverGroupsNow()).filter((g) => g.members.includes(user));
  return { absence: await ctx.store.absenceOf(user), groups };
}

export type SetAbsenceResult = { ok: true; absence: Absence; covers: string[] } | { ok: false; errors: AbsenceErrors };

/**
 * Sets an approver's absence, checked against the groups as they are now. A stage whose group is
 * then away to a person is escalated to the admins at once, by the sweep run right after.
 */
export async function setAbsence(ctx: ServiceContext, input: AbsenceInput): Promise<SetAbsenceResult> {
  await refreshStaleUsergroups(ctx, await ctx.store.usergroupRefs());
  const now = ctx.clock.now();
  const checked = checkAbsence(input, await ctx.store.approverGroupsNow(), now);
  if (!checked.ok) return checked;
  await ctx.store.setAbsence(checked.absence, now);
  await ctx.store.sweep(now);
  return checked;
}

export async function clearAbsence(ctx: ServiceContext, user: string): Promise<boolean> {
  return ctx.store.clearAbsence(user, ctx.clock.now());
}
