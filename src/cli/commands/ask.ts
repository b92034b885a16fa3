// toolgate ask: the same answer as /can-i-use, as text or JSON.
import { z } from 'zod';
import { answer } from '../../service/answer.ts';
import { known, readOptions } from '../args.ts';
import { answerText } from '../format.ts';
import { EXIT, type CommandRunner } from './types.ts';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

const askOptions = z.object({
  user: z
    .string()
    .regex(SLACK_USER, { error: (i) => `--user must be a Slack user id such as U0123ABC, not "${String(i.input)}"` })
    .optional(),
  region: z.string().optional(),
  json: z.boolean().optional(),
});

export const ask: CommandRunner = async ({ args, options }, { ctx, io }) => {
  const o = readOptions(askOptions, options);
  // A region the registry does not know would answer for nobody: say so rather than show "Region: xx".
  const region = o.region === undefined ? null : known(o.region, await ctx.store.regions(), '--region');
  const result = await answer(ctx, args.join(' '), { user: o.user ?? null, region });
  // `ask list nope`: a category the registry does not have is a mistake too, as in `registry list --category`.
  if (result.kind === 'list' && result.category !== null && !result.categories.some((c) => c.id === result.category))
    known(
      result.category,
      result.categories.map((c) => c.id),
      'category',
    );
  io.out(o.json ? JSON.stringify(result, null, 2) : answerText(result));
  return result.kind === 'not_found' || result.kind === 'ambiguous' ? EXIT.notFound : EXIT.ok;
};
