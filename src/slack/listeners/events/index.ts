// Events: the App Home tab was opened; a profile changed (region rules read it again).
import { refreshPerson } from '../../../service/directory.ts';
import { publishHome } from '../../home.ts';
import type { SlackDeps } from '../shared.ts';
import type { ListenerApp } from '../routes.ts';

export function register(app: ListenerApp, { ctx }: SlackDeps): void {
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
}
