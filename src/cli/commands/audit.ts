// toolgate audit verify|export: check the hash chain (and recorded heads), or export the log.
import { ANCHOR_PATTERN, verifyAudit } from '../../service/audit.ts';
import { UsageError } from '../../errors.ts';
import { parse, parseInstant } from '../args.ts';
import { auditCsv } from '../format.ts';
import { EXIT, type CliCommand } from './types.ts';

export const audit: CliCommand = {
  name: 'audit',
  usage: [
    "toolgate audit verify [--anchor N:HASH]                      check the audit log's hash chain",
    'toolgate audit export [--format csv|jsonl] [--since DATE]    the audit log',
  ],
  database: 'existing',
  async run([sub, ...args], { ctx, io }) {
    switch (sub) {
      case 'verify': {
        const { values } = parse(args, { anchor: { type: 'string', multiple: true } });
        const anchors = values.anchor ?? [];
        for (const anchor of anchors) {
          if (!ANCHOR_PATTERN.test(anchor))
            throw new UsageError(`--anchor must be ENTRY:HASH as printed by audit verify, not "${anchor}"`);
        }
        const v = await verifyAudit(ctx, anchors);
        if (!v.ok) {
          io.err(`Audit log TAMPERED: ${v.problem}. First bad entry: #${v.firstBad}.`);
          return EXIT.notFound;
        }
        io.out(
          `Audit log intact: ${v.entries} entries, hash chain verified${v.anchors ? ` against ${v.anchors} anchor(s)` : ''}.`,
        );
        if (v.head)
          io.out(`Head: ${v.head}  (record it elsewhere; --anchor ${v.head} proves the log was not rewritten since)`);
        return EXIT.ok;
      }
      case 'export': {
        const { values } = parse(args, { format: { type: 'string' }, since: { type: 'string' } });
        const format = values.format ?? 'jsonl';
        if (format !== 'csv' && format !== 'jsonl')
          throw new UsageError(`--format must be csv or jsonl, not "${format}"`);
        const since = values.since === undefined ? null : parseInstant(values.since, '--since').toISOString();
        const entries = await ctx.store.auditEntries(since);
        io.out(format === 'csv' ? auditCsv(entries) : entries.map((e) => JSON.stringify(e)).join('\n'));
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown audit command "${sub ?? ''}": use verify or export`);
    }
  },
};
