// Events: the App Home tab was opened.
import type { App } from '@slack/bolt';
import { publishHome } from '../../home.ts';
import type { SlackDeps } from '../shared.ts';

export function register(app: App, { ctx }: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, ctx, event.user);
  });
}
