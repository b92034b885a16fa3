// toolgate report: demand and turnaround over the last N days, as text, JSON or CSV.
import { z } from 'zod';
import { demandReport } from '../../service/report.ts';
import { parseInstant, positiveInt, readOptions } from '../args.ts';
import { reportCsv, reportText } from '../reportFormat.ts';
import { EXIT, type CommandRunner } from './types.ts';

const reportOptions = z.object({
  days: z.string().optional(),
  format: z.enum(['text', 'json', 'csv'], { error: () => '--format must be text, json or csv' }).optional(),
  now: z.string().optional(),
});

export const report: CommandRunner = async ({ options }, { ctx, config, io }) => {
  const o = readOptions(reportOptions, options);
  const days = o.days === undefined ? 30 : positiveInt(o.days, '--days');
  const now = o.now === undefined ? ctx.clock.now() : parseInstant(o.now, '--now');
  const r = await demandReport(ctx, { days, now, maxAgeDays: config.reviewMaxAgeDays });
  // Questions older than the query log keeps are gone: say so rather than report them as none.
  if (days > config.queryLogDays)
    io.err(`toolgate: questions are kept ${config.queryLogDays} days (QUERY_LOG_DAYS); older ones are not counted`);
  const format = o.format ?? 'text';
  io.out(format === 'json' ? JSON.stringify(r, null, 2) : format === 'csv' ? reportCsv(r) : reportText(r));
  return EXIT.ok;
};
