// Approver groups as they are now: the registry's member lists joined with the cached members of
// the Slack user groups they name (migration 015), and the absences approvers set (016). Read in
// the same transaction as a decision, so a decision goes by the membership at that moment.
import { groupAvailability, standsInFor, utcDay, type Absence, type GroupNow } from '../../domain/approvers.ts';
import type { AuditEntry, StageAvailability } from '../../domain/exceptions.ts';
import type { DecisionAuthority, ApproverStore, UsergroupCacheState } from '../../service/ports.ts';
import type { AuditRepo } from './auditRepo.ts';
import { writeTransaction, type Db } from './db.ts';

interface AbsenceRow {
  user_id: string;
  starts_on: string;
  ends_on: string;
  delegate: string;
}

const toAbsence = (r: AbsenceRow): Absence => ({
  user: r.user_id,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  delegate: r.delegate,
});

/** How an approver group's `usergroup` (an S… id, or "@handle") finds its cached group. */
const NAMES_USERGROUP = "(u.id = g.usergroup OR '@' || u.handle = g.usergroup)";

/** Synchronous reads for the exception repo, inside its transactions. */
export interface ApproverSync {
  groupsOfSync: (user: string) => Set<string>;
  groupNowSync: (groupId: string) => GroupNow | null;
  authoritySync: (actor: string, now: Date) => DecisionAuthority;
  availabilitySync: (groupId: string, now: Date) => StageAvailability;
}

export function approverRepo(db: Db, audit: AuditRepo): ApproverStore & ApproverSync {
  const s = {
    group: db.prepare<[string], { id: string; name: string; backup: string | null }>(
      'SELECT id, name, backup FROM approver_groups WHERE id = ?',
    ),
    members: db.prepare<[string, string], { user_id: string }>(`
      SELECT user_id FROM approver_group_members WHERE group_id = ?
      UNION
      SELECT m.user_id FROM approver_groups g JOIN usergroups u ON ${NAMES_USERGROUP}
        JOIN usergroup_members m ON m.usergroup_id = u.id WHERE g.id = ?
      ORDER BY 1`),
    groupsOf: db.prepare<[string, string], { group_id: string }>(`
      SELECT group_id FROM approver_group_members WHERE user_id = ?
      UNION
      SELECT g.id FROM usergroup_members m JOIN usergroups u ON u.id = m.usergroup_id
        JOIN approver_groups g ON ${NAMES_USERGROUP} WHERE m.user_id = ?`),
    absencesDelegatedTo: db.prepare<[string, string, string], AbsenceRow>(
      'SELECT * FROM absences WHERE delegate = ? AND starts_on <= ? AND ends_on >= ?',
    ),
    allAbsences: db.prepare<[], AbsenceRow>('SELECT * FROM absences'),
    absence: db.prepare<[string], AbsenceRow>('SELECT * FROM absences WHERE user_id = ?'),
    setAbsence: db.prepare(`
      INSERT INTO absences (user_id, starts_on, ends_on, delegate, set_at) VALUES (:user, :startsOn, :endsOn, :delegate, :at)
      ON CONFLICT (user_id) DO UPDATE SET starts_on = excluded.starts_on, ends_on = excluded.ends_on,
        delegate = excluded.delegate, set_at = excluded.set_at`),
    clearAbsence: db.prepare<[string]>('DELETE FROM absences WHERE user_id = ?'),
    usergroupRefs: db.prepare<[], { usergroup: string }>(
      'SELECT DISTINCT usergroup FROM approver_groups WHERE usergroup IS NOT NULL ORDER BY usergroup',
    ),
    resolve: db.prepare<{ ref: string }, { id: string; handle: string | null; members_read_at: string | null }>(
      "SELECT id, handle, members_read_at FROM usergroups WHERE id = :ref OR '@' || handle = :ref ORDER BY id = :ref DESC LIMIT 1",
    ),
    upsertGroup: db.prepare<[string, string | null]>(`
      INSERT INTO usergroups (id, handle) VALUES (?, ?)
      ON CONFLICT (id) DO UPDATE SET handle = COALESCE(excluded.handle, usergroups.handle)`),
    // A handle moves to another group: the old holder loses it, so "@handle" finds one group.
    releaseHandle: db.prepare<[string, string]>('UPDATE usergroups SET handle = NULL WHERE handle = ? AND id <> ?'),
    markRead: db.prepare<[string, string]>('UPDATE usergroups SET members_read_at = ? WHERE id = ?'),
    deleteMembers: db.prepare<[string]>('DELETE FROM usergroup_members WHERE usergroup_id = ?'),
    insertMember: db.prepare<[string, string]>(
      'INSERT OR IGNORE INTO usergroup_members (usergroup_id, user_id) VALUES (?, ?)',
    ),
    deleteMember: db.prepare<[string, string]>('DELETE FROM usergroup_members WHERE usergroup_id = ? AND user_id = ?'),
  };

  const absencesSync = (): Map<string, Absence> => new Map(s.allAbsences.all().map((r) => [r.user_id, toAbsence(r)]));

  const membersSync = (groupId: string): string[] => s.members.all(groupId, groupId).map((m) => m.user_id);

  const groupNowSync = (groupId: string): GroupNow | null => {
    const g = s.group.get(groupId);
    if (!g) return null;
    const backup = g.backup ? s.group.get(g.backup) : undefined;
    return {
      id: g.id,
      name: g.name,
      members: membersSync(g.id),
      backup: backup ? { id: backup.id, name: backup.name, members: membersSync(backup.id) } : null,
    };
  };

  const groupsOfSync = (user: string): Set<string> => new Set(s.groupsOf.all(user, user).map((g) => g.group_id));

  const authoritySync = (actor: string, now: Date): DecisionAuthority => {
    const today = utcDay(now);
    const principals = s.absencesDelegatedTo.all(actor, today, today);
    const standsIn = new Map<string, string[]>();
    if (principals.length) {
      const absences = absencesSync();
      const candidates = new Set(principals.flatMap((p) => [...groupsOfSync(p.user_id)]));
      for (const groupId of candidates) {
        const group = groupNowSync(groupId);
        const forWhom = group ? standsInFor(actor, group, absences, now) : [];
        if (forWhom.length) standsIn.set(groupId, forWhom);
      }
    }
    return { groups: groupsOfSync(actor), standsInFor: standsIn };
  };

  const availabilitySync = (groupId: string, now: Date): StageAvailability => {
    const group = groupNowSync(groupId);
    return group ? groupAvailability(group, absencesSync(), now) : { everyoneAway: false, delegates: [] };
  };

  const absenceAudit = (actor: string, action: string, before: Absence | null, after: Absence | null): AuditEntry => ({
    actor,
    action,
    subjectType: 'absence',
    subjectId: actor,
    before,
    after,
  });

  const write = <T>(fn: () => T): Promise<T> => writeTransaction(db, fn);

  return {
    groupsOfSync,
    groupNowSync,
    authoritySync,
    availabilitySync,
    async groupNow(groupId) {
      return groupNowSync(groupId);
    },
    async approverGroupsNow() {
      const ids = db.prepare<[], { id: string }>('SELECT id FROM approver_groups ORDER BY id').all();
      return ids.flatMap(({ id }) => groupNowSync(id) ?? []);
    },
    async decisionAuthority(actor, now) {
      return authoritySync(actor, now);
    },
    async stageAvailability(groupId, now) {
      return availabilitySync(groupId, now);
    },
    async absenceOf(user) {
      const row = s.absence.get(user);
      return row ? toAbsence(row) : null;
    },
    async setAbsence(absence, now) {
      await write(() => {
        const before = s.absence.get(absence.user);
        s.setAbsence.run({ ...absence, at: now.toISOString() });
        audit.append(absenceAudit(absence.user, 'absence.set', before ? toAbsence(before) : null, absence), now);
      });
    },
    async clearAbsence(user, now) {
      return write(() => {
        const before = s.absence.get(user);
        if (!before) return false;
        s.clearAbsence.run(user);
        audit.append(absenceAudit(user, 'absence.cleared', toAbsence(before), null), now);
        return true;
      });
    },
    async usergroupRefs() {
      return s.usergroupRefs.all().map((r) => r.usergroup);
    },
    async usergroupCache(ref): Promise<UsergroupCacheState | null> {
      const row = s.resolve.get({ ref });
      return row ? { id: row.id, handle: row.handle, membersReadAt: row.members_read_at } : null;
    },
    async saveUsergroupHandles(groups) {
      await write(() => {
        for (const g of groups) {
          s.releaseHandle.run(g.handle, g.id);
          s.upsertGroup.run(g.id, g.handle);
        }
      });
    },
    async saveUsergroupMembers(id, users, now) {
      await write(() => {
        s.upsertGroup.run(id, null);
        s.deleteMembers.run(id);
        for (const u of new Set(users)) s.insertMember.run(id, u);
        s.markRead.run(now.toISOString(), id);
      });
    },
    async applyUsergroupChange(id, change) {
      await write(() => {
        s.upsertGroup.run(id, null);
        for (const u of change.added) s.insertMember.run(id, u);
        for (const u of change.removed) s.deleteMember.run(id, u);
      });
    },
  };
}
