// Slack's user groups as the bot reads them (usergroups:read): usergroups.list for handles,
// usergroups.users.list for members. Its own client, quick to give up: a decision waits on it
// at most once per USERGROUP_TTL_MINUTES, and the membership cached before is used if Slack is slow.
import { webApi, type Logger } from '@slack/bolt';
import { z } from 'zod';
import type { UsergroupSource } from '../service/ports.ts';

const listAnswer = z.object({
  usergroups: z.array(z.object({ id: z.string().regex(/^S[A-Z0-9]+$/), handle: z.string() })),
});
const membersAnswer = z.object({ users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/)).optional() });

export function slackUsergroups(
  token: string,
  slackApiUrl: string | null,
  logger: Logger,
  options: { timeoutMs?: number } = {},
): UsergroupSource {
  const client = new webApi.WebClient(token, {
    ...(slackApiUrl && { slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 1500,
    logger,
  });
  return {
    async list() {
      return listAnswer.parse(await client.usergroups.list({ include_disabled: false })).usergroups;
    },
    async members(id) {
      return membersAnswer.parse(await client.usergroups.users.list({ usergroup: id })).users ?? [];
    },
  };
}
