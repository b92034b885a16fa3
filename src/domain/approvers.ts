// Who may decide a stage now: the members of its approver group (the registry's `members` and the
// Slack user group's members, as last read), and, for a member who is away, the delegate they
// named. Pure: memberships, absences and `now` are passed in. Four eyes is exceptions.ts's.
import type { StageAvailability } from './exceptions.ts';

/** "I'm away from <startsOn> to <endsOn>; my approvals go to <delegate>". Whole UTC days, both included. */
export interface Absence {
  user: string;
  /** YYYY-MM-DD */
  startsOn: string;
  /** YYYY-MM-DD, the last day away. */
  endsOn: string;
  delegate: string;
}

/** The longest absence one can set at once; longer is not an absence but a change of approvers. */
export const MAX_ABSENCE_DAYS = 366;

/** Today as a UTC day, YYYY-MM-DD: what absences are compared with. */
export const utcDay = (now: Date): string => now.toISOString().slice(0, 10);

export const isAway = (absence: Absence | null | undefined, now: Date): absence is Absence => {
  if (!absence) return false;
  const today = utcDay(now);
  return absence.startsOn <= today && today <= absence.endsOn;
};

/** A group's members now: those the registry lists and those in its Slack user group (as cached), once each. */
export function effectiveMembers(listed: readonly string[], usergroupMembers: readonly string[]): string[] {
  return [...new Set([...listed, ...usergroupMembers])].sort();
}

/** One group as it is now, with the members of its backup group: what delegation is checked against. */
export interface GroupNow {
  id: string;
  name: string;
  members: readonly string[];
  backup: { id: string; name: string; members: readonly string[] } | null;
}

/** Whether `delegate` may stand in for a member of `group`: a member of it, or of its backup group, now. */
export const mayStandIn = (group: GroupNow, delegate: string): boolean =>
  group.members.includes(delegate) || (group.backup?.members.includes(delegate) ?? false);

/**
 * The members of `group` away now who named `actor` as their delegate, while the actor may still
 * stand in for them: each is someone the actor may decide in place of.
 */
export function standsInFor(
  actor: string,
  group: GroupNow,
  absences: ReadonlyMap<string, Absence>,
  now: Date,
): string[] {
  if (!mayStandIn(group, actor)) return [];
  return group.members.filter((member) => {
    const absence = absences.get(member);
    return member !== actor && isAway(absence, now) && absence.delegate === actor;
  });
}

/**
 * Who can answer for a group now: every member away (then the admins hear at once), and the
 * delegates of those away who may still stand in (they get the reminders).
 */
export function groupAvailability(
  group: GroupNow,
  absences: ReadonlyMap<string, Absence>,
  now: Date,
): StageAvailability {
  const away = group.members.filter((m) => isAway(absences.get(m), now));
  return {
    everyoneAway: group.members.length > 0 && away.length === group.members.length,
    delegates: away.flatMap((m) => {
      const delegate = (absences.get(m) as Absence).delegate;
      return mayStandIn(group, delegate) ? [{ user: delegate, onBehalfOf: m }] : [];
    }),
  };
}

// ---------------------------------------------------------------- the absence form

export type AbsenceField = 'startsOn' | 'endsOn' | 'delegate';
export type AbsenceErrors = Partial<Record<AbsenceField, string>>;

export interface AbsenceInput {
  user: string;
  startsOn: string | null;
  endsOn: string | null;
  delegate: string | null;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string): boolean => DAY_PATTERN.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const daysBetween = (a: string, b: string): number =>
  (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

/**
 * Checks an absence as the person set it, against the groups they are in now. The delegate must
 * be a member of one of those groups or of its backup group; they stand in only where they may
 * (`covers`: the groups, by name, where the delegate may decide in the person's place).
 */
export function checkAbsence(
  input: AbsenceInput,
  groups: readonly GroupNow[],
  now: Date,
): { ok: true; absence: Absence; covers: string[] } | { ok: false; errors: AbsenceErrors } {
  const errors: AbsenceErrors = {};
  const today = utcDay(now);
  const startsOn = input.startsOn?.trim() ?? '';
  const endsOn = input.endsOn?.trim() ?? '';
  const delegate = input.delegate?.trim() ?? '';
  if (!startsOn) errors.startsOn = 'Pick the first day you are away.';
  else if (!isDay(startsOn)) errors.startsOn = 'Pick a date from the calendar (YYYY-MM-DD).';
  if (!endsOn) errors.endsOn = 'Pick the last day you are away.';
  else if (!isDay(endsOn)) errors.endsOn = 'Pick a date from the calendar (YYYY-MM-DD).';
  else if (endsOn < today) errors.endsOn = `The last day is in the past (today is ${today} UTC): pick today or later.`;
  else if (isDay(startsOn) && endsOn < startsOn) errors.endsOn = 'The last day must be on or after the first day.';
  else if (isDay(startsOn) && daysBetween(startsOn, endsOn) >= MAX_ABSENCE_DAYS)
    errors.endsOn = `At most ${MAX_ABSENCE_DAYS} days at once; for longer, ask an admin to change the approver groups.`;
  const mine = groups.filter((g) => g.members.includes(input.user));
  if (!mine.length) errors.delegate = 'You are not in any approver group, so there are no approvals to hand over.';
  else if (!delegate) errors.delegate = 'Pick who decides in your place.';
  else if (delegate === input.user) errors.delegate = 'Pick someone else: you cannot stand in for yourself.';
  else if (!mine.some((g) => mayStandIn(g, delegate))) {
    const where = mine.map((g) => (g.backup ? `${g.name} or its backup ${g.backup.name}` : g.name)).join('; ');
    errors.delegate = `They must be a member of your approver group or of its backup group (${where}).`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    absence: { user: input.user, startsOn, endsOn, delegate },
    covers: mine.filter((g) => mayStandIn(g, delegate)).map((g) => g.name),
  };
}
