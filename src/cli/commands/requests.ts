// toolgate requests list|show: exception requests, their stages and their audit trail.
import { z } from 'zod';
import { REQUEST_STATUSES } from '../../domain/exceptions.ts';
import { requestWithTrail } from '../../service/exceptions.ts';
import { UsageError } from '../../errors.ts';
import { parse, positiveInt } from '../args.ts';
import { requestDetail, requestLine } from '../format.ts';
import { EXIT, type CliCommand } from './types.ts';

const statusArg = z.enum(REQUEST_STATUSES, { error: () => `expected --status ${REQUEST_STATUSES.join('|')}` });

export const requests: CliCommand = {
  name: 'requests',
  usage: [
    `toolgate requests list [--status pending|active|...] [--json] exception requests, newest first`,
    'toolgate requests show <N> [--json]                          one request: stages, decisions, audit trail',
  ],
  database: 'existing',
  async run([sub, ...args], { ctx, io }) {
    switch (sub) {
      case 'list': {
        const { values } = parse(args, {
          status: { type: 'string' },
          json: { type: 'boolean' },
          limit: { type: 'string' },
        });
        const status = values.status === undefined ? null : statusArg.parse(values.status);
        const limit = values.limit === undefined ? 200 : positiveInt(values.limit, '--limit');
        const found = await ctx.store.listRequests(status, limit);
        if (values.json) io.out(JSON.stringify(found, null, 2));
        else if (!found.length) io.err('No requests.');
        else for (const r of found) io.out(requestLine(r));
        return EXIT.ok;
      }
      case 'show': {
        const { values, positionals } = parse(args, { json: { type: 'boolean' } });
        const id = positiveInt(positionals[0], 'request number');
        const found = await requestWithTrail(ctx, id);
        if (!found) {
          io.err(`No request #${id}.`);
          return EXIT.notFound;
        }
        if (values.json) io.out(JSON.stringify({ ...found.request, audit: found.trail }, null, 2));
        else io.out(requestDetail(found.request, found.trail));
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown requests command "${sub ?? ''}": use list or show`);
    }
  },
};
