// toolgate sweep: one pass of expiries, reminders and escalations, as the bot's timer does it.
import { z } from 'zod';
import { sweep as sweepOnce } from '../../service/exceptions.ts';
import { DEFAULT_QUERY_LOG_DAYS } from '../../service/report.ts';
import { parseInstant, readOptions } from '../args.ts';
import { EXIT, type CommandRunner } from './types.ts';

const sweepOptions = z.object({ now: z.string().optional() });

export const sweep: CommandRunner = async ({ options }, { ctx, io }) => {
  const o = readOptions(sweepOptions, options);
  const at = o.now === undefined ? ctx.clock.now() : parseInstant(o.now, '--now');
  const counts = await sweepOnce(ctx, at);
  io.out(
    `Sweep as of ${at.toISOString()}: ${counts.expired} expired, ${counts.expiryReminders} expiry reminders, ` +
      `${counts.stageReminders} approver reminders, ${counts.escalations} escalations. Messages go out through the bot's outbox.` +
      (counts.outboxPruned
        ? ` ${counts.outboxPruned} delivered outbox messages older than ${ctx.outboxKeepDays} days deleted.`
        : '') +
      (counts.queryLogPruned
        ? ` ${counts.queryLogPruned} questions older than ${ctx.queryLogDays ?? DEFAULT_QUERY_LOG_DAYS} days deleted from the query log.`
        : '') +
      (counts.staleDigest ? ` Weekly digest of ${counts.staleDigest} stale tools sent to the review channel.` : ''),
  );
  return EXIT.ok;
};
