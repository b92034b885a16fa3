// toolgate sweep: one pass of expiries, reminders and escalations, as the bot's timer does it.
import { sweep as sweepOnce } from '../../service/exceptions.ts';
import { UsageError } from '../../errors.ts';
import { parse, parseInstant } from '../args.ts';
import { EXIT, type CliCommand } from './types.ts';

export const sweep: CliCommand = {
  name: 'sweep',
  usage: ['toolgate sweep [--now <ISO time>]                            one pass of expiries, reminders, escalations'],
  database: 'existing',
  async run(args, { ctx, io }) {
    const { values, positionals } = parse(args, { now: { type: 'string' } });
    if (positionals.length) throw new UsageError(`sweep takes no arguments, got "${positionals.join(' ')}"`);
    const at = values.now === undefined ? ctx.clock.now() : parseInstant(values.now, '--now');
    const counts = await sweepOnce(ctx, at);
    io.out(
      `Sweep as of ${at.toISOString()}: ${counts.expired} expired, ${counts.expiryReminders} expiry reminders, ` +
        `${counts.stageReminders} approver reminders, ${counts.escalations} escalations. Messages go out through the bot's outbox.` +
        (counts.outboxPruned
          ? ` ${counts.outboxPruned} delivered outbox messages older than ${ctx.outboxKeepDays} days deleted.`
          : ''),
    );
    return EXIT.ok;
  },
};
