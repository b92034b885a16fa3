// toolgate ask: the same answer as /can-i-use, as text or JSON.
import { answer } from '../../service/answer.ts';
import { UsageError } from '../../errors.ts';
import { parse } from '../args.ts';
import { answerText } from '../format.ts';
import { EXIT, type CliCommand } from './types.ts';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

export const ask: CliCommand = {
  name: 'ask',
  usage: ['toolgate ask <tool> [--user U0123] [--region cn] [--json]   the same answer as /can-i-use'],
  database: 'seeded',
  async run(args, { ctx, io }) {
    const { values, positionals } = parse(args, {
      user: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.user !== undefined && !SLACK_USER.test(values.user))
      throw new UsageError(`--user must be a Slack user id such as U0123ABC, not "${values.user}"`);
    const result = await answer(ctx, positionals.join(' '), {
      user: values.user ?? null,
      region: values.region ?? null,
    });
    io.out(values.json ? JSON.stringify(result, null, 2) : answerText(result));
    if (result.kind === 'help' && !positionals.length) return EXIT.badInput;
    return result.kind === 'not_found' || result.kind === 'ambiguous' ? EXIT.notFound : EXIT.ok;
  },
};
