// Events: the App Home tab was opened.
import { publishHome } from '../../home.ts';
import type { SlackDeps } from '../shared.ts';
import type { ListenerApp } from '../routes.ts';

export function register(app: ListenerApp, { ctx }: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, ctx, event.user);
  });
}
