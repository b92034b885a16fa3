// Publishing a person's App Home: after they open it, and after a change they made from it.
import type { App, Logger } from '@slack/bolt';
import { approverGroupsById, homeFor } from '../service/exceptions.ts';
import type { ServiceContext } from '../service/ports.ts';
import { demandReport } from '../service/report.ts';
import { homeView } from './render/home.ts';

const HOME_REPORT_DAYS = 30;

export async function publishHome(client: App['client'], ctx: ServiceContext, user: string): Promise<void> {
  const data = await homeFor(ctx, user);
  const groups = await approverGroupsById(
    ctx.store,
    [...data.open, ...data.queue].flatMap((x) => x.request.stages.map((s) => s.groupId)),
  );
  // Admins also see demand and turnaround: the same figures as `toolgate report`, for the last 30 days.
  const report = (await ctx.store.isAdmin(user))
    ? await demandReport(ctx, { days: HOME_REPORT_DAYS, now: ctx.clock.now() })
    : null;
  await client.views.publish({ user_id: user, view: homeView(data, groups, report) });
}

/** The Home tab is a view of the state, not a message a change must send: best effort, after the ack. */
export async function refreshHome(
  client: App['client'],
  ctx: ServiceContext,
  user: string,
  logger: Logger,
): Promise<void> {
  try {
    await publishHome(client, ctx, user);
  } catch (e) {
    logger.warn(`could not refresh the Home tab of ${user}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
