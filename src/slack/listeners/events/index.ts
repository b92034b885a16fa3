import type { App } from '@slack/bolt';
import type { ServiceContext } from '../../../service/context.ts';
import { approverGroupsById, homeFor } from '../../../service/exceptions.ts';
import { homeView } from '../../views/exception.ts';
import type { SlackDeps } from '../shared.ts';

export async function publishHome(client: App['client'], ctx: ServiceContext, user: string): Promise<void> {
  const data = await homeFor(ctx, user);
  const groups = await approverGroupsById(ctx.store, [...data.open, ...data.queue].flatMap((x) => x.request.stages.map((s) => s.groupId)));
  await client.views.publish({ user_id: user, view: homeView(data, groups) });
}

export function register(app: App, { ctx }: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, ctx, event.user);
  });
}
