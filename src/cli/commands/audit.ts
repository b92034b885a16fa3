// toolgate audit verify|acknowledge|export: check the log (chain, head, anchors, state), acknowledge a
// known-bad entry, or export the log.
import { z } from 'zod';
import { RULES } from '../../domain/exceptions.ts';
import { acknowledgeAuditEntry, parseAnchor, verifyAudit, type Anchor } from '../../service/audit.ts';
import { UsageError } from '../../errors.ts';
import { parseInstant, positiveInt, readOptions } from '../args.ts';
import { acknowledgeRefusalText, auditCsv, auditReportText } from '../format.ts';
import { EXIT, type CommandRunner } from './types.ts';

const verifyOptions = z.object({ anchor: z.array(z.string()).optional() });
const acknowledgeOptions = z.object({ reason: z.string().optional() });
const exportOptions = z.object({
  // commander has checked it against the same choices (program.ts); this types it.
  format: z.enum(['csv', 'jsonl'], { error: () => '--format must be csv or jsonl' }).optional(),
  since: z.string().optional(),
});

export const auditVerify: CommandRunner = async ({ options }, { ctx, io }) => {
  const o = readOptions(verifyOptions, options);
  const anchors: Anchor[] = (o.anchor ?? []).map((text) => {
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
};

export const auditAcknowledge: CommandRunner = async ({ args, options }, { ctx, env, io }) => {
  const o = readOptions(acknowledgeOptions, options);
  const entry = positiveInt(args[0], 'the entry to acknowledge');
  if (o.reason === undefined)
    throw new UsageError(
      `--reason is required: say why entry #${entry} is known to be bad (at least ${RULES.reasonMin} characters)`,
    );
  const result = await acknowledgeAuditEntry(ctx, entry, o.reason, `cli:${env.USER ?? 'unknown'}`);
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
};

export const auditExport: CommandRunner = async ({ options }, { ctx, io }) => {
  const o = readOptions(exportOptions, options);
  const since = o.since === undefined ? null : parseInstant(o.since, '--since').toISOString();
  const entries = await ctx.store.auditEntries(since);
  io.out(o.format === 'csv' ? auditCsv(entries) : entries.map((e) => JSON.stringify(e)).join('\n'));
  return EXIT.ok;
};
