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
  // The view goes as its JSON: the client form-encodes a string as it is and an object as its
  // JSON.stringify, so Slack gets the same bytes, but the client no longer walks the whole view key
  // by key for a debug line (its redact) that it builds even when nothing logs at debug.
  await client.apiCall('views.publish', { user_id: user, view: JSON.stringify(homeView(data, groups, report)) });
}

/** Per bot (its service context) and user: the refresh being published, and whether a newer one was asked for since. */
interface HomeRefresh {
  running: Promise<void>;
  again: boolean;
}
const refreshing = new WeakMap<ServiceContext, Map<string, HomeRefresh>>();

/**
 * The Home tab is a view of the state, not a message a change must send: best effort, after the ack.
 *
 * At most one publish per person is in flight, and the latest state wins: a refresh asked for while
 * one is being published (an approver deciding many in a row) waits for it, and then one more
 * publish, rendered from the state as it is by then, covers every refresh asked for meanwhile. So
 * the Home still ends up showing the state after the last change, and every caller's promise
 * settles only once a publish that began after its change has finished, as if it had published
 * itself; what is skipped is only the publishing of states that were already out of date.
 */
export async function refreshHome(
  client: App['client'],
  ctx: ServiceContext,
  user: string,
  logger: Logger,
): Promise<void> {
  let byUser = refreshing.get(ctx);
  if (!byUser) refreshing.set(ctx, (byUser = new Map<string, HomeRefresh>()));
  const current = byUser.get(user);
  if (current) {
    current.again = true;
    return current.running;
  }
  const entry: HomeRefresh = { running: Promise.resolve(), again: false };
  entry.running = (async () => {
    try {
      do {
        entry.again = false;
        try {
          await publishHome(client, ctx, user);
        } catch (e) {
          logger.warn(`could not refresh the Home tab of ${user}: ${e instanceof Error ? e.message : String(e)}`);
        }
      } while (entry.again);
    } finally {
      byUser.delete(user);
    }
  })();
  byUser.set(user, entry);
  return entry.running;
}
