// Events: the App Home tab was opened; a profile changed (region rules read it again); a Slack
// user group's members changed (who may approve).
import { z } from 'zod';
import { usergroupMembersChanged } from '../../../service/approverGroups.ts';
import { refreshPerson } from '../../../service/directory.ts';
import { publishHome } from '../../home.ts';
import type { SlackDeps } from '../shared.ts';
import type { ListenerApp } from '../routes.ts';

const userIds = z
  .array(z.string().regex(/^[UW][A-Z0-9]+$/))
  .max(10_000)
  .catch([]);
const membersChanged = z.object({
  subteam_id: z.string().regex(/^S[A-Z0-9]+$/),
  added_users: userIds.optional(),
  removed_users: userIds.optional(),
});

export function register(app: ListenerApp, { ctx, onStateChange }: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, ctx, event.user);
  });
  // Slack sends both for one edit; the second finds the profile just read and reads it once more,
  // which costs a call and changes nothing. The event's own user object is not trusted for the
  // facts (it has no custom field values): the profile is read from the Web API.
  for (const type of ['user_change', 'user_profile_changed'] as const) {
    app.event(type, async ({ event, logger }) => {
      const user = (event as { user?: { id?: unknown } }).user?.id;
      if (typeof user !== 'string' || !/^[UW][A-Z0-9]{2,30}$/.test(user)) return;
      const found = await refreshPerson(ctx, user);
      if (found?.ended.length)
        logger.info(`toolgate: ${user} moved to ${found.region}; ${found.ended.length} exception(s) ended`);
    });
  }

  // Who may decide follows the user group at once: the cache is read again (usergroups:read).
  app.event('subteam_members_changed', async ({ event, logger }) => {
    const parsed = membersChanged.safeParse(event);
    if (!parsed.success) {
      logger.warn('subteam_members_changed without a user group id: ignored');
      return;
    }
    const e = parsed.data;
    await usergroupMembersChanged(ctx, {
      subteamId: e.subteam_id,
      added: e.added_users ?? [],
      removed: e.removed_users ?? [],
    });
    // Someone joining or leaving can leave a stage with nobody there to decide: the sweep escalates it.
    await ctx.store.sweep(ctx.clock.now());
    onStateChange();
  });
}
