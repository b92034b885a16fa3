// toolgate outbox [failed | retry [N ...]]: what waits to go out to Slack, and what Slack refused.
import { positiveInt } from '../args.ts';
import { EXIT, type CommandRunner } from './types.ts';

export const outboxFailed: CommandRunner = async (_call, { ctx, io }) => {
  const failed = await ctx.store.failedMessages();
  io.out(`${await ctx.store.pendingCount()} messages waiting to be sent, ${failed.length} given up.`);
  for (const f of failed)
    io.out(`  #${f.id} ${JSON.stringify(f.notice)} after ${f.attempts} attempts, ${f.failedAt}: ${f.lastError ?? ''}`);
  return EXIT.ok;
};

export const outboxRetry: CommandRunner = async ({ args }, { ctx, io }) => {
  const ids = args.length ? args.map((p) => positiveInt(p, 'message number')) : null;
  const n = await ctx.store.retryFailed(ids, ctx.clock.now());
  io.out(`${n} messages queued again; the bot's outbox sends them within a second.`);
  return EXIT.ok;
};
