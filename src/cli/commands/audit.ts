// toolgate audit verify|acknowledge|export: check the log (chain, head, anchors, state), acknowledge a
// known-bad entry, or export the log.
import { RULES } from '../../domain/exceptions.ts';
import { acknowledgeAuditEntry, parseAnchor, verifyAudit, type Anchor } from '../../service/audit.ts';
import { UsageError } from '../../errors.ts';
import { parse, parseInstant, positiveInt } from '../args.ts';
import { acknowledgeRefusalText, auditCsv, auditReportText } from '../format.ts';
import { EXIT, type CliCommand } from './types.ts';

export const audit: CliCommand = {
  name: 'audit',
  usage: [
    'toolgate audit verify [--anchor N:HASH|TEXT ...]             check the audit log: chain, head, anchors, request state',
    'toolgate audit acknowledge N --reason TEXT                   record that entry N is known to be bad, and why',
    'toolgate audit export [--format csv|jsonl] [--since DATE]    the audit log',
  ],
  database: 'existing',
  async run([sub, ...args], { ctx, env, io }) {
    switch (sub) {
      case 'verify': {
        const { values } = parse(args, { anchor: { type: 'string', multiple: true } });
        const anchors: Anchor[] = (values.anchor ?? []).map((text) => {
          const anchor = parseAnchor(text);
          if (!anchor)
            throw new UsageError(
              `--anchor must be ENTRY:HASH as printed by audit verify, or the text of a "toolgate audit head" post, not "${text}"`,
            );
          return anchor;
        });
        const report = await verifyAudit(ctx, anchors);
        const text = auditReportText(report);
        for (const line of text.out) io.out(line);
        for (const line of text.err) io.err(line);
        return report.ok ? EXIT.ok : EXIT.notFound;
      }
      case 'acknowledge': {
        const { values, positionals } = parse(args, { reason: { type: 'string' } });
        const entry = positiveInt(positionals[0], 'the entry to acknowledge');
        if (values.reason === undefined)
          throw new UsageError(
            `--reason is required: say why entry #${entry} is known to be bad (at least ${RULES.reasonMin} characters)`,
          );
        const result = await acknowledgeAuditEntry(ctx, entry, values.reason, `cli:${env.USER ?? 'unknown'}`);
        if (!result.ok) {
          io.err(acknowledgeRefusalText(entry, result.refusal));
          return result.refusal.kind === 'reason_required' || result.refusal.kind === 'reason_too_long'
            ? EXIT.badInput
            : result.refusal.kind === 'already'
              ? EXIT.ok
              : EXIT.notFound;
        }
        io.out(
          `Entry #${entry} acknowledged; the acknowledgement is itself an audit entry. audit verify lists entry #${entry} as acknowledged, as long as it stays as it is now.`,
        );
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
        throw new UsageError(`unknown audit command "${sub ?? ''}": use verify, acknowledge or export`);
    }
  },
};
