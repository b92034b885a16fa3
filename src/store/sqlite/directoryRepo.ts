// What Slack said about people, in SQLite (migration 014): profiles for region rules and the
// workspace's custom field labels. A profile saved with the transfer it causes is one transaction.
import { z } from 'zod';
import type { CachedProfile } from '../../domain/directory.ts';
import type { ExceptionRequest, Transition } from '../../domain/exceptions.ts';
import type { DirectoryStore } from '../../service/ports.ts';
import { writeTransaction, type Db } from './db.ts';

interface ProfileRow {
  user_id: string;
  team_id: string | null;
  user_facts: string | null;
  field_values: string | null;
  fetched_at: string;
}

// The rows are ours, but a row the code of another version wrote is read as "not known", not trusted.
const userFactsSchema = z.object({
  tz: z.string().nullable(),
  email: z.string().nullable(),
  standard: z.record(z.string(), z.string()),
});
const valuesSchema = z.record(z.string(), z.string());

const parsed = <T>(schema: z.ZodType<T>, text: string | null): T | null => {
  if (text === null) return null;
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
};

const toProfile = (r: ProfileRow): CachedProfile => ({
  user: r.user_id,
  teamId: r.team_id,
  userFacts: parsed(userFactsSchema, r.user_facts),
  fieldValues: parsed(valuesSchema, r.field_values),
  fetchedAt: r.fetched_at,
});

export interface TransitionSaver {
  activeOfSync: (user: string, now: Date) => ExceptionRequest[];
  saveEndingsSync: (transitions: readonly Transition[], now: Date) => void;
}

export function directoryRepo(db: Db, exceptions: TransitionSaver): DirectoryStore {
  const s = {
    profile: db.prepare<[string], ProfileRow>('SELECT * FROM directory_profiles WHERE user_id = ?'),
    upsert: db.prepare(`
      INSERT INTO directory_profiles (user_id, team_id, user_facts, field_values, fetched_at)
      VALUES (:user, :teamId, :userFacts, :fieldValues, :fetchedAt)
      ON CONFLICT (user_id) DO UPDATE SET team_id = excluded.team_id, user_facts = excluded.user_facts,
        field_values = excluded.field_values, fetched_at = excluded.fetched_at`),
    // A person never read from Slack gets a row that is already out of date, holding only the team.
    team: db.prepare<[string, string]>(`
      INSERT INTO directory_profiles (user_id, team_id, fetched_at) VALUES (?, ?, '1970-01-01T00:00:00.000Z')
      ON CONFLICT (user_id) DO UPDATE SET team_id = excluded.team_id`),
    labels: db.prepare<[], { labels: string; fetched_at: string }>(
      'SELECT labels, fetched_at FROM directory_field_labels WHERE id = 1',
    ),
    saveLabels: db.prepare<[string, string]>(
      'INSERT OR REPLACE INTO directory_field_labels (id, labels, fetched_at) VALUES (1, ?, ?)',
    ),
  };
  return {
    async cachedProfile(user) {
      const row = s.profile.get(user);
      return row ? toProfile(row) : null;
    },
    async saveProfile(profile, plan, now) {
      return writeTransaction(db, () => {
        s.upsert.run({
          user: profile.user,
          teamId: profile.teamId,
          userFacts: profile.userFacts ? JSON.stringify(profile.userFacts) : null,
          fieldValues: profile.fieldValues ? JSON.stringify(profile.fieldValues) : null,
          fetchedAt: profile.fetchedAt,
        });
        const endings = plan(exceptions.activeOfSync(profile.user, now));
        exceptions.saveEndingsSync(endings, now);
        return endings;
      });
    },
    async rememberTeam(user, teamId) {
      if (s.profile.get(user)?.team_id === teamId) return;
      await writeTransaction(db, () => s.team.run(user, teamId));
    },
    async fieldLabels() {
      const row = s.labels.get();
      const labels = row ? parsed(valuesSchema, row.labels) : null;
      return row && labels ? { labels, fetchedAt: row.fetched_at } : null;
    },
    async saveFieldLabels(labels, now) {
      await writeTransaction(db, () => s.saveLabels.run(JSON.stringify(labels), now.toISOString()));
    },
  };
}
