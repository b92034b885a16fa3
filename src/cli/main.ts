// The `toolgate` command: a thin shell over the same services as the bot.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openContext } from '../bot.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { answer } from '../service/answer.ts';
import { importRegistryFile, RegistryFileError, registryToYaml, seedIfEmpty } from '../service/registryFile.ts';
import { answerText } from '../slack/views/answer.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { currentStage, type ExceptionRequest } from '../domain/exceptions.ts';
import { sweep } from '../service/exceptions.ts';
import { RegistryConflictError, type AuditRecord } from '../service/ports.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 answered, 1 not found, 2 bad input or set-up. */
export const EXIT = { ok: 0, notFound: 1, badInput: 2 } as const;

const USAGE = `Usage:
  toolgate ask <tool> [--user U0123] [--region cn] [--json]   the same answer as /can-i-use
  toolgate registry import [file] [--prune]                    load data/registry.yml (or file) into the database
  toolgate registry export [--out file]                        the registry as YAML
  toolgate registry list [--region R] [--category C] [--json]  the tools and their status
  toolgate sweep [--now <ISO time>]                            one pass of expiries, reminders, escalations
  toolgate requests list [--status pending|active|...] [--json] exception requests, newest first
  toolgate requests show <N> [--json]                          one request: stages, decisions, audit trail
  toolgate outbox [failed | retry [N ...]]                     messages waiting or given up; send given-up ones again
  toolgate audit verify [--anchor N:HASH]                      check the audit log's hash chain
  toolgate audit export [--format csv|jsonl] [--since DATE]    the audit log

Environment: DATABASE_PATH, REGISTRY_PATH, DEFAULT_REGION (see README).`;

class UsageError extends Error {}

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? EXIT.ok : EXIT.badInput;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return EXIT.badInput;
    }
    throw e;
  }
  // Reading commands must not conjure an empty database at a mistyped path and report on it.
  if (READS_EXISTING.has(command) && config.databasePath !== ':memory:' && !existsSync(config.databasePath)) {
    io.err(`toolgate: no database at ${config.databasePath}. Check DATABASE_PATH, or start the bot (or run toolgate registry import) to create it.`);
    return EXIT.badInput;
  }
  let opened: ReturnType<typeof openContext>;
  try {
    opened = openContext(config);
  } catch (e) {
    io.err(`toolgate: cannot open the database at ${config.databasePath}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.badInput;
  }
  const { store, ctx } = opened;
  try {
    const now = ctx.clock.now();
    const seeded = (command === 'registry' && rest[0] === 'import') || READS_EXISTING.has(command) ? null : await seedIfEmpty(store, config.registryPath, now);
    if (seeded) io.err(`(imported ${seeded.added.length} tools from ${config.registryPath} into the empty database)`);

    switch (command) {
      case 'ask': {
        const { values, positionals } = parse(rest, { user: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' } });
        if (values.user !== undefined && !/^[UW][A-Z0-9]{2,}$/.test(values.user)) throw new UsageError(`--user must be a Slack user id such as U0123ABC, not "${values.user}"`);
        const result = await answer(ctx, positionals.join(' '), { user: values.user ?? null, region: values.region ?? null });
        io.out(values.json ? JSON.stringify(result, null, 2) : answerText(result));
        if (result.kind === 'help' && !positionals.length) return EXIT.badInput;
        return result.kind === 'not_found' || result.kind === 'ambiguous' ? EXIT.notFound : EXIT.ok;
      }
      case 'registry': {
        const [sub, ...args] = rest;
        if (sub === 'import') {
          const { values, positionals } = parse(args, { prune: { type: 'boolean' } });
          const file = positionals[0] ?? config.registryPath;
          const s = await importRegistryFile(store, file, { prune: values.prune ?? false, actor: `cli:${env.USER ?? 'unknown'}`, now });
          io.out(
            `Imported ${file}: ${s.added.length} added, ${s.updated.length} updated, ${s.unchanged} unchanged, ${s.removed.length} removed` +
              (s.kept.length ? `; kept ${s.kept.join(', ')} (still referenced)` : ''),
          );
          return EXIT.ok;
        }
        if (sub === 'export') {
          const { values } = parse(args, { out: { type: 'string' } });
          const yaml = registryToYaml(await store.exportRegistry());
          if (values.out) writeFileSync(values.out, yaml);
          else io.out(yaml.trimEnd());
          return EXIT.ok;
        }
        if (sub === 'list') {
          const { values } = parse(args, { region: { type: 'string' }, category: { type: 'string' }, json: { type: 'boolean' } });
          const { tools, total } = await store.listTools(values.region ?? config.defaultRegion, values.category ?? null, Number.MAX_SAFE_INTEGER);
          if (values.json) io.out(JSON.stringify(tools, null, 2));
          else {
            for (const t of tools) io.out(`${t.id.padEnd(28)} ${t.status.padEnd(20)} ${t.category.padEnd(22)} ${t.name}`);
            io.err(`${total} tools`);
          }
          return EXIT.ok;
        }
        throw new UsageError(`unknown registry command "${sub ?? ''}": use import, export or list`);
      }
      case 'sweep': {
        const { values, positionals } = parse(rest, { now: { type: 'string' } });
        if (positionals.length) throw new UsageError(`sweep takes no arguments, got "${positionals.join(' ')}"`);
        const at = values.now === undefined ? now : parseInstant(values.now, '--now');
        const counts = await sweep(ctx, at);
        io.out(
          `Sweep as of ${at.toISOString()}: ${counts.expired} expired, ${counts.expiryReminders} expiry reminders, ` +
            `${counts.stageReminders} approver reminders, ${counts.escalations} escalations. Messages go out through the bot's outbox.`,
        );
        return EXIT.ok;
      }
      case 'requests': {
        const [sub, ...args] = rest;
        if (sub === 'list') {
          const { values } = parse(args, { status: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } });
          const status = values.status === undefined ? null : requestStatusArg.parse(values.status);
          const limit = values.limit === undefined ? 200 : positiveInt(values.limit, '--limit');
          const requests = await store.listRequests(status, limit);
          if (values.json) io.out(JSON.stringify(requests, null, 2));
          else if (!requests.length) io.err('No requests.');
          else for (const r of requests) io.out(requestLine(r));
          return EXIT.ok;
        }
        if (sub === 'show') {
          const { values, positionals } = parse(args, { json: { type: 'boolean' } });
          const id = positiveInt(positionals[0], 'request number');
          const r = await store.getRequest(id);
          if (!r) {
            io.err(`No request #${id}.`);
            return EXIT.notFound;
          }
          const trail = await store.auditFor('exception_request', String(id));
          if (values.json) io.out(JSON.stringify({ ...r, audit: trail }, null, 2));
          else io.out(requestDetail(r, trail));
          return EXIT.ok;
        }
        throw new UsageError(`unknown requests command "${sub ?? ''}": use list or show`);
      }
      case 'outbox': {
        const [sub, ...args] = rest;
        if (sub === undefined || sub === 'failed') {
          const failed = await store.failedMessages();
          io.out(`${await store.pendingCount()} messages waiting to be sent, ${failed.length} given up.`);
          for (const f of failed) io.out(`  #${f.id} ${JSON.stringify(f.notice)} after ${f.attempts} attempts, ${f.failedAt}: ${f.lastError ?? ''}`);
          return EXIT.ok;
        }
        if (sub === 'retry') {
          const { positionals } = parse(args, {});
          const ids = positionals.length ? positionals.map((p) => positiveInt(p, 'message number')) : null;
          const n = await store.retryFailed(ids, now);
          io.out(`${n} messages queued again; the bot's outbox sends them within a second.`);
          return EXIT.ok;
        }
        throw new UsageError(`unknown outbox command "${sub}": use failed or retry`);
      }
      case 'audit': {
        const [sub, ...args] = rest;
        if (sub === 'verify') {
          const { values } = parse(args, { anchor: { type: 'string', multiple: true } });
          const v = await store.verifyAudit();
          if (v.ok) {
            // The chain proves nothing against someone who rewrites all of it: a head recorded elsewhere does.
            for (const anchor of values.anchor ?? []) {
              const m = /^(\d+):([0-9a-f]{64})$/.exec(anchor);
              if (!m) throw new UsageError(`--anchor must be ENTRY:HASH as printed by audit verify, not "${anchor}"`);
              const entry = (await store.auditEntries(null)).find((e) => e.id === Number(m[1]));
              if (entry?.hash !== m[2]) {
                io.err(`Audit log TAMPERED: entry #${m[1]} no longer has the hash recorded for it (${m[2]?.slice(0, 12)}…): the log was rewritten.`);
                return EXIT.notFound;
              }
            }
            io.out(`Audit log intact: ${v.entries} entries, hash chain verified${values.anchor?.length ? ` against ${values.anchor.length} anchor(s)` : ''}.`);
            if (v.head) io.out(`Head: ${v.head}  (record it elsewhere; --anchor ${v.head} proves the log was not rewritten since)`);
            return EXIT.ok;
          }
          io.err(`Audit log TAMPERED: ${v.problem}. First bad entry: #${v.firstBad}.`);
          return EXIT.notFound;
        }
        if (sub === 'export') {
          const { values } = parse(args, { format: { type: 'string' }, since: { type: 'string' } });
          const format = values.format ?? 'jsonl';
          if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, not "${format}"`);
          const since = values.since === undefined ? null : parseInstant(values.since, '--since').toISOString();
          const entries = await store.auditEntries(since);
          io.out(format === 'csv' ? auditCsv(entries) : entries.map((e) => JSON.stringify(e)).join('\n'));
          return EXIT.ok;
        }
        throw new UsageError(`unknown audit command "${sub ?? ''}": use verify or export`);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof z.ZodError) {
      io.err(`toolgate: ${e.issues.map((i) => i.message).join('; ')}`);
      return EXIT.badInput;
    }
    if (e instanceof UsageError) {
      io.err(`toolgate: ${e.message}\n\n${USAGE}`);
      return EXIT.badInput;
    }
    if (e instanceof RegistryFileError || e instanceof RegistryConflictError) {
      io.err(e.message);
      return EXIT.badInput;
    }
    throw e;
  } finally {
    store.close();
  }
}

const READS_EXISTING = new Set(['sweep', 'requests', 'audit', 'outbox']);

const requestStatusArg = z.enum(['pending', 'active', 'denied', 'cancelled', 'revoked', 'expired', 'superseded'], {
  error: () => 'expected --status pending|active|denied|cancelled|revoked|expired|superseded',
});

function positiveInt(raw: string | undefined, what: string): number {
  if (!raw || !/^\d{1,12}$/.test(raw) || Number(raw) < 1) throw new UsageError(`${what} must be a positive whole number, not "${raw ?? ''}"`);
  return Number(raw);
}

/** An ISO date or date-time; a bare date means midnight UTC. */
function parseInstant(raw: string, what: string): Date {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  // Date.parse rolls 2026-02-30 over to March; a date that does not come back as written is not a date.
  const realDay = !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === raw.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms) || (!realDay && !/[+-]\d{2}:?\d{2}$/.test(raw))) throw new UsageError(`${what} must be an ISO date or time such as 2026-12-01 or 2026-12-01T09:00:00Z, not "${raw}"`);
  return new Date(ms);
}

function requestLine(r: ExceptionRequest): string {
  const stage = currentStage(r);
  const where = r.status === 'pending' ? `waiting for ${stage?.groupId ?? '?'}` : r.status === 'active' ? `until ${r.expiresAt?.slice(0, 10)}` : '';
  return `#${String(r.id).padEnd(5)} ${r.status.padEnd(10)} ${r.toolId.padEnd(24)} ${r.requester.padEnd(12)} ${r.createdAt.slice(0, 10)}  ${where}`;
}

function requestDetail(r: ExceptionRequest, trail: AuditRecord[]): string {
  const lines = [
    `Request #${r.id}: ${r.toolId} for ${r.requester} (region ${r.region}${r.department ? `, ${r.department}` : ''})`,
    `Status:        ${r.status}${r.expiresAt ? ` (until ${r.expiresAt})` : ''}${r.endReason ? ` - ${r.endReason}` : ''}`,
    `Filed:         ${r.createdAt}${r.renewalOf ? ` (renews #${r.renewalOf})` : ''}`,
    `Where:         ${r.usage}`,
    `Data:          ${r.dataClass}`,
    `Duration:      ${r.durationDays} days`,
    `Justification: ${r.justification}`,
    'Stages:',
    ...r.stages.map((s) => `  ${s.position + 1}. ${s.groupId.padEnd(12)} ${s.status.padEnd(9)} ${s.decidedBy ? `${s.decidedBy} at ${s.decidedAt}` : ''}${s.note ? ` - ${s.note}` : ''}`),
    'Audit trail:',
    ...trail.map((e) => `  ${e.at}  ${e.action.padEnd(24)} ${e.actor}`),
  ];
  return lines.join('\n');
}

const csvCell = (v: unknown): string => {
  const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

function auditCsv(entries: AuditRecord[]): string {
  const head = ['id', 'at', 'actor', 'action', 'subject_type', 'subject_id', 'before', 'after', 'prev_hash', 'hash'];
  const rows = entries.map((e) => [e.id, e.at, e.actor, e.action, e.subjectType, e.subjectId, e.before, e.after, e.prevHash, e.hash].map(csvCell).join(','));
  return [head.join(','), ...rows].join('\n');
}

export const processIo: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
