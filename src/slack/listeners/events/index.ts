// Events: the App Home tab was opened; a Slack user group's members changed.
import { z } from 'zod';
import { usergroupMembersChanged } from '../../../service/approverGroups.ts';
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
