// toolgate whois <user>: the region and department toolgate gives someone, and why, in the same
// words as the bot's answers. From the registry and the profile the bot last read from Slack: the
// CLI does not call Slack itself, and says so where that leaves a rule undecided.
import { z } from 'zod';
import { explainRegion } from '../../domain/directory.ts';
import { regionName } from '../../domain/types.ts';
import { whereabouts, type Whereabouts } from '../../service/directory.ts';
import { UsageError } from '../../errors.ts';
import { readOptions } from '../args.ts';
import { EXIT, type CommandRunner } from './types.ts';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const whoisOptions = z.object({
  team: z
    .string()
    .regex(/^T[A-Z0-9]{2,}$/, {
      error: (i) => `--team must be a Slack workspace id such as T0CHINA, not "${String(i.input)}"`,
    })
    .optional(),
  json: z.boolean().optional(),
});

/** Where the facts came from, in one line. */
function profileLine(found: Whereabouts, ttlHours: number): string {
  switch (found.profile.kind) {
    case 'not_needed':
      return found.source.kind === 'registry'
        ? 'Profile:    not needed (the registry lists them)'
        : 'Profile:    not needed (the registry has no region_rules)';
    case 'cached':
      return found.profile.stale
        ? `Profile:    as the bot read it from Slack at ${found.profile.fetchedAt}, older than PROFILE_TTL_HOURS (${ttlHours} h): the bot reads it again the next time they ask`
        : `Profile:    as the bot read it from Slack at ${found.profile.fetchedAt} (kept ${ttlHours} h, or until Slack says it changed)`;
    case 'read_now':
      return `Profile:    read from Slack just now (${found.profile.fetchedAt})`;
    case 'none':
      return found.profile.slackAsked
        ? 'Profile:    none: Slack did not answer in time'
        : 'Profile:    none cached: the bot reads it from Slack the first time they ask (this command does not call Slack)';
  }
}

export const whois: CommandRunner = async ({ args, options }, { ctx, io }) => {
  const o = readOptions(whoisOptions, options);
  const user = args[0] ?? '';
  if (!SLACK_USER.test(user)) throw new UsageError(`<user> must be a Slack user id such as U0ALICE, not "${user}"`);
  const registry = await ctx.store.registrySnapshot();
  const found = await whereabouts(ctx, registry, user, o.team ?? null, { rememberTeam: false });
  const name = regionName(registry.registry.names, found.region);
  const why =
    found.source.kind === 'default' && found.source.reason === 'profile_unavailable' && found.profile.kind === 'none'
      ? `the default, because no Slack profile of theirs is known here and region_rules need one`
      : explainRegion(found.source, 'they');
  if (o.json) {
    io.out(
      JSON.stringify(
        {
          user,
          region: found.region,
          regionName: name,
          department: found.department,
          source: found.source,
          why,
          profile: found.profile,
        },
        null,
        2,
      ),
    );
    return EXIT.ok;
  }
  const lines = [
    `${user}: ${name} (${found.region})${found.department ? `, department ${found.department}` : ''}`,
    `Why:        ${name}, ${why}`,
  ];
  if (found.source.kind === 'rule')
    lines.push(`Rule:       region_rules[${found.source.rule}] matched (first match wins)`);
  lines.push(profileLine(found, ctx.directory?.profileTtlHours ?? 24));
  io.out(lines.join('\n'));
  return EXIT.ok;
};
