// Slack's directory for region rules: users.info (time zone, email, standard fields, the user's
// workspace), users.profile.get (custom field values: users.info does not return them) and
// team.profile.get (field labels to ids). Asked while someone waits for an answer, so: no retries,
// a short deadline, and never an exception: what did not come in time is null.
import { webApi, type Logger } from '@slack/bolt';
import { z } from 'zod';
import { STANDARD_PROFILE_FIELDS, type UserFacts } from '../domain/directory.ts';
import type { SlackDirectory } from '../service/ports.ts';
import { silentLogger } from './startup.ts';

/** Slack's 3-second ack leaves room for one round of these calls and the answer itself. */
export const DIRECTORY_DEADLINE_MS = 1500;

// Only what the rules read; Slack sends much more, and may leave any of it out.
const userInfoSchema = z.object({
  user: z.object({
    team_id: z.string().optional(),
    tz: z.string().nullish(),
    profile: z.record(z.string(), z.unknown()).optional(),
  }),
});
const profileSchema = z.object({
  profile: z.object({
    fields: z
      .union([z.record(z.string(), z.object({ value: z.string().nullish() }).loose()), z.array(z.never()), z.null()])
      .optional(),
  }),
});
const teamProfileSchema = z.object({
  profile: z.object({ fields: z.array(z.object({ id: z.string(), label: z.string() }).loose()) }),
});

/** The standard fields (title, ...) and email from a users.info profile; empty ones left out. */
function userFactsOf(user: z.output<typeof userInfoSchema>['user']): UserFacts {
  const profile = user.profile ?? {};
  const standard: Record<string, string> = {};
  for (const key of STANDARD_PROFILE_FIELDS) {
    const value = profile[key];
    if (typeof value === 'string' && value.trim() !== '') standard[key] = value;
  }
  const email = typeof profile.email === 'string' && profile.email !== '' ? profile.email : null;
  return { tz: user.tz ?? null, email, standard };
}

function within<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([work.catch(() => null), late]).finally(() => clearTimeout(timer));
}

export interface SlackDirectoryOptions {
  slackApiUrl: string | null;
  deadlineMs?: number;
  /** Where to say that Slack did not answer (a warning, not a failure). */
  logger?: Pick<Logger, 'warn'>;
}

export function slackDirectory(token: string, options: SlackDirectoryOptions): SlackDirectory {
  const deadline = options.deadlineMs ?? DIRECTORY_DEADLINE_MS;
  const client = new webApi.WebClient(token, {
    ...(options.slackApiUrl && { slackApiUrl: options.slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: deadline,
    logger: silentLogger,
  });
  const warn = (what: string) => options.logger?.warn(`toolgate: ${what} did not answer in time; using what is known`);
  const call = async <T>(method: string, schema: z.ZodType<T>, args: Record<string, unknown>): Promise<T | null> => {
    const result = await within(client.apiCall(method, args), deadline);
    if (!result) {
      warn(method);
      return null;
    }
    const parsed = schema.safeParse(result);
    return parsed.success ? parsed.data : null;
  };
  return {
    async person(user) {
      const [info, profile] = await Promise.all([
        call('users.info', userInfoSchema, { user }),
        call('users.profile.get', profileSchema, { user }),
      ]);
      const fields = profile?.profile.fields;
      const fieldValues: Record<string, string> | null = profile ? {} : null;
      if (fieldValues && fields && !Array.isArray(fields)) {
        for (const [id, field] of Object.entries(fields)) {
          const value = field.value?.trim();
          if (value) fieldValues[id] = value;
        }
      }
      return { userFacts: info ? userFactsOf(info.user) : null, fieldValues, teamId: info?.user.team_id ?? null };
    },
    async fieldLabels() {
      const team = await call('team.profile.get', teamProfileSchema, {});
      return team ? Object.fromEntries(team.profile.fields.map((f) => [f.id, f.label])) : null;
    },
  };
}
