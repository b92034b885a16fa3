// toolgate outbox [failed | retry [N ...]]: what waits to go out to Slack, and what Slack refused.
import { UsageError } from '../../errors.ts';
import { parse, positiveInt } from '../args.ts';
import { EXIT, type CliCommand } from './types.ts';

export const outbox: CliCommand = {
  name: 'outbox',
  usage: [
    'toolgate outbox [failed | retry [N ...]]                     messages waiting or given up; send given-up ones again',
  ],
  database: 'existing',
  async run([sub, ...args], { ctx, io }) {
    const { store } = ctx;
    switch (sub) {
      case undefined:
      case 'failed': {
        const failed = await store.failedMessages();
        io.out(`${await store.pendingCount()} messages waiting to be sent, ${failed.length} given up.`);
        for (const f of failed)
          io.out(
            `  #${f.id} ${JSON.stringify(f.notice)} after ${f.attempts} attempts, ${f.failedAt}: ${f.lastError ?? ''}`,
          );
        return EXIT.ok;
      }
      case 'retry': {
        const { positionals } = parse(args, {});
        const ids = positionals.length ? positionals.map((p) => positiveInt(p, 'message number')) : null;
        const n = await store.retryFailed(ids, ctx.clock.now());
        io.out(`${n} messages queued again; the bot's outbox sends them within a second.`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown outbox command "${sub}": use failed or retry`);
    }
  },
};
