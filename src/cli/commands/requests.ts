// toolgate requests list|show: exception requests, their stages and their audit trail.
import { z } from 'zod';
import { REQUEST_STATUSES } from '../../domain/exceptions.ts';
import { requestWithTrail } from '../../service/exceptions.ts';
import { positiveInt, readOptions } from '../args.ts';
import { requestDetail, requestLine } from '../format.ts';
import { EXIT, type CommandRunner } from './types.ts';

const listOptions = z.object({
  // commander has checked it against the same list (program.ts); this types it.
  status: z
    .enum(REQUEST_STATUSES, { error: () => `--status must be one of ${REQUEST_STATUSES.join(', ')}` })
    .optional(),
  json: z.boolean().optional(),
  limit: z.string().optional(),
});
const showOptions = z.object({ json: z.boolean().optional() });

export const requestsList: CommandRunner = async ({ options }, { ctx, io }) => {
  const o = readOptions(listOptions, options);
  const limit = o.limit === undefined ? 200 : positiveInt(o.limit, '--limit');
  const found = await ctx.store.listRequests(o.status ?? null, limit);
  if (o.json) io.out(JSON.stringify(found, null, 2));
  else if (!found.length) io.err('No requests.');
  else for (const r of found) io.out(requestLine(r));
  return EXIT.ok;
};

export const requestsShow: CommandRunner = async ({ args, options }, { ctx, io }) => {
  const o = readOptions(showOptions, options);
  const id = positiveInt(args[0], 'request number');
  const found = await requestWithTrail(ctx, id);
  if (!found) {
    io.err(`No request #${id}.`);
    return EXIT.notFound;
  }
  if (o.json) io.out(JSON.stringify({ ...found.request, audit: found.trail }, null, 2));
  else io.out(requestDetail(found.request, found.trail));
  return EXIT.ok;
};
