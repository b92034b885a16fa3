// The command line's shape: every command with its arguments, options and help, read by commander.
// Nothing here loads a command's work: a command imports its module when it runs, so `--help` and
// each command load only what they use (a CLI call should take a fraction of a second).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { REQUEST_STATUSES } from '../domain/exceptions.ts';
import { RISK_CLASSES, TOOL_STATUSES } from '../domain/types.ts';
import { UsageError } from '../errors.ts';
import type { CommandRunner, DatabaseUse } from './commands/types.ts';

/** A command that does something: how it uses the database, and its work, loaded when it runs. */
export interface Leaf {
  database: DatabaseUse;
  load: () => Promise<CommandRunner>;
}

/** Runs a leaf for the command commander found, with what it read. */
export type Dispatch = (command: Command, leaf: Leaf) => Promise<void>;

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const ENVIRONMENT = `
Environment: DATABASE_PATH, REGISTRY_PATH, DEFAULT_REGION, AUDIT_KEY or AUDIT_KEY_FILE (see README).
Exit codes: 0 answered, 1 not found (or a check failed), 2 bad input or set-up.`;

/** Repeatable options (--anchor a --anchor b) collect into a list. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** A command that groups others (`toolgate registry import|export|list`). */
function group(parent: Command, name: string, summary: string): Command {
  return parent.command(name).summary(summary).description(`${summary}.`);
}

/**
 * Gives a grouping command its action once its subcommands are in place: run `fallback` when no
 * subcommand is named (`toolgate outbox`), else say which ones there are.
 */
function finishGroup(command: Command, dispatch: Dispatch, fallback?: Leaf): void {
  const names = command.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const choices = `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
  command.allowExcessArguments(true).action(async function (this: Command) {
    const [sub] = this.args;
    if (sub !== undefined) throw new UsageError(`unknown ${command.name()} command "${sub}": use ${choices}`);
    if (!fallback) throw new UsageError(`${command.name()} needs a command: ${choices}`);
    await dispatch(this, fallback);
  });
}

const leaf = (dispatch: Dispatch, database: DatabaseUse, load: () => Promise<CommandRunner>) =>
  async function (this: Command): Promise<void> {
    await dispatch(this, { database, load });
  };

/** The whole command line; `configure` sets up the root first, so every command inherits it. */
export function buildProgram(configure: (root: Command) => void, dispatch: Dispatch): Command {
  const program = new Command('toolgate');
  configure(program);
  program
    .usage('<command> [options]')
    .description(
      'toolgate without Slack: the same answers, registry, exception requests and audit log as the bot, from a terminal.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    // Our own help command: commander's takes one name, and dumps the whole help for one it does not know.
    .helpCommand(false)
    .addHelpText('after', ENVIRONMENT);

  program
    .command('ask')
    .summary('the same answer as /can-i-use')
    .description(
      'The same answer as /can-i-use <tool>, as text or JSON. `toolgate ask list [category]` lists the tools; `toolgate ask help` shows what the bot says to help.',
    )
    .argument('<tool...>', 'the tool, as a person would type it (several words are one name)')
    .option('--user <id>', 'answer as this Slack user sees it (their region, their exceptions), e.g. U0ALICE')
    .option('--region <region>', 'answer for this region (one the registry lists) instead of the default')
    .option('--json', 'the answer as JSON, for scripts')
    .addHelpText(
      'after',
      `
Examples:
  toolgate ask claude code
  toolgate ask claude code --user U0ALICE
  toolgate ask cursor --region cn --json
Exit codes: 0 answered, 1 not in the registry (or several tools match), 2 bad input.`,
    )
    .action(leaf(dispatch, 'seeded', async () => (await import('./commands/ask.ts')).ask));

  const registry = group(program, 'registry', 'the registry as code: import, export, list, check, edit, history');
  registry
    .command('import')
    .description('Load the registry file (REGISTRY_PATH, by default data/registry.yml) into the database.')
    .argument('[file]', 'the registry file to load instead')
    .option('--prune', 'also remove tools the file no longer lists (tools still referenced are kept)')
    .option(
      '--dry-run',
      'print what the import would change, and what that does to exceptions and requests; change nothing',
    )
    .option(
      '--yes',
      'apply it even where reclassified tools revoke exceptions or close requests (without it, such an import is refused)',
    )
    .addHelpText(
      'after',
      `
A tool whose status, risk, region status or approvers change is reclassified: where it becomes
prohibited its exceptions there are revoked and pending requests closed; where it no longer needs an
exception pending requests are closed. The impact is printed first; without --yes an import that
revokes or closes anything changes nothing (exit 2).`,
    )
    .action(leaf(dispatch, 'as-is', async () => (await import('./commands/registry.ts')).registryImport));
  registry
    .command('export')
    .description('The registry in the database, as YAML that imports back to the same registry.')
    .option('--out <file>', 'write it to this file instead of stdout')
    .action(leaf(dispatch, 'seeded', async () => (await import('./commands/registry.ts')).registryExport));
  registry
    .command('list')
    .description('Every tool with its status, as a region sees it (the count goes to stderr).')
    .option('--region <region>', 'as this region sees them (one the registry lists)')
    .option('--category <category>', 'only tools in this category (one the registry has)')
    .option('--json', 'as JSON, for scripts')
    .action(leaf(dispatch, 'seeded', async () => (await import('./commands/registry.ts')).registryList));
  registry
    .command('check')
    .description(
      'Advice for the review group: tools whose risk class the assessment rubric would put elsewhere, and tools whose review and facts are older than REVIEW_MAX_AGE_DAYS (default 365). Exit 0 either way; the count goes to stderr.',
    )
    .option('--max-age-days <days>', 'flag tools not reviewed or checked for longer than this')
    .option('--json', 'as JSON, for scripts')
    .action(leaf(dispatch, 'seeded', async () => (await import('./commands/registry.ts')).registryCheck));
  registry
    .command('edit')
    .description(
      'Reclassify one tool: from a file holding its entry (YAML or JSON, as in the registry file) or with flags. Prints the impact on active exceptions and pending requests first; a change that revokes or closes anything needs --yes.',
    )
    .argument('<tool>', 'the tool id, e.g. claude-code')
    .option('--file <file>', "the tool's whole entry, as the registry file spells it")
    .addOption(new Option('--status <status>', 'the global status').choices(TOOL_STATUSES))
    .addOption(new Option('--risk <risk>', 'the risk class').choices(RISK_CLASSES))
    .option(
      '--region <region=status>',
      "a region's own status, or region=inherit for the global one; repeatable",
      collect,
    )
    .option('--reason <text>', 'why (required): recorded in the audit log and the history, and told to those affected')
    .option('--dry-run', 'print the impact only; change nothing')
    .option('--yes', 'apply it even if it revokes exceptions or closes requests')
    .addHelpText(
      'after',
      `
Examples:
  toolgate registry edit claude-code --status prohibited --reason "Banned after the 2025 review" --dry-run
  toolgate registry edit claude-code --region cn=prohibited --risk critical --reason "..." --yes
  toolgate registry edit claude-code --file claude-code.yml --reason "..."`,
    )
    .action(leaf(dispatch, 'seeded', async () => (await import('./commands/registry.ts')).registryEdit));
  registry
    .command('history')
    .description("A tool's classification over time: who changed it, when, from what to what, and why.")
    .argument('<tool>', 'the tool id, e.g. claude-code')
    .option('--json', 'as JSON, for scripts')
    .action(leaf(dispatch, 'seeded', async () => (await import('./commands/registry.ts')).registryHistory));
  finishGroup(registry, dispatch);

  program
    .command('whois')
    .summary('the region toolgate gives someone, and why')
    .description(
      "The region and department toolgate gives a person, and why, in the words of the bot's answers: the registry's people entry, else the first region_rules entry their Slack profile matches (as the bot last read it: this command does not call Slack), else DEFAULT_REGION.",
    )
    .argument('<user>', 'the Slack user id, e.g. U0MEI')
    .option('--team <id>', 'as if they asked from this Enterprise Grid workspace, e.g. T0CHINA')
    .option('--json', 'as JSON, for scripts')
    .action(leaf(dispatch, 'seeded', async () => (await import('./commands/whois.ts')).whois));

  program
    .command('sweep')
    .summary('one pass of expiries, reminders and escalations')
    .description(
      "One pass of expiries, reminders and escalations, as the bot's timer does it; the messages go out through the bot's outbox.",
    )
    .option('--now <time>', 'sweep as of this ISO date or time, e.g. 2026-12-01T09:00:00Z (default: now)')
    .action(leaf(dispatch, 'existing', async () => (await import('./commands/sweep.ts')).sweep));

  program
    .command('report')
    .summary('demand and turnaround: what people ask, request and wait for')
    .description(
      'Demand and turnaround over the last N days: most-asked tools and unknown names, exception requests by tool and outcome, approval turnaround per group (median and 90th percentile), the denial rate, stale tools (REVIEW_MAX_AGE_DAYS) and exceptions ending in the next 14 days.',
    )
    .option('--days <n>', 'the window, in days back from now (default 30)')
    .addOption(new Option('--format <format>', 'text, json or csv').choices(['text', 'json', 'csv']).default('text'))
    .option('--now <time>', 'report as of this ISO date or time (default: now)')
    .action(leaf(dispatch, 'seeded', async () => (await import('./commands/report.ts')).report));

  const requests = group(program, 'requests', 'exception requests: list, show');
  requests
    .command('list')
    .description('Exception requests, newest first.')
    .addOption(new Option('--status <status>', 'only requests in this state').choices(REQUEST_STATUSES))
    .option('--limit <n>', 'at most this many (default 200)')
    .option('--json', 'as JSON, for scripts')
    .action(leaf(dispatch, 'existing', async () => (await import('./commands/requests.ts')).requestsList));
  requests
    .command('show')
    .description('One request: its stages, decisions and audit trail. Exit 1 if there is no such request.')
    .argument('<N>', 'the request number')
    .option('--json', 'as JSON, for scripts')
    .action(leaf(dispatch, 'existing', async () => (await import('./commands/requests.ts')).requestsShow));
  finishGroup(requests, dispatch);

  const outboxFailed: Leaf = {
    database: 'existing',
    load: async () => (await import('./commands/outbox.ts')).outboxFailed,
  };
  const outbox = group(program, 'outbox', 'messages waiting to go out to Slack, and those given up');
  outbox.description(
    'Messages waiting to go out to Slack, and those Slack refused until the outbox gave up (`toolgate outbox` is `toolgate outbox failed`).',
  );
  outbox
    .command('failed')
    .description('How many messages wait to be sent, and each one given up, with the reason.')
    .action(leaf(dispatch, outboxFailed.database, outboxFailed.load));
  outbox
    .command('retry')
    .description('Send given-up messages again (all of them, or these): the bot sends them within a second.')
    .argument('[N...]', 'the message numbers, as `toolgate outbox failed` lists them')
    .action(leaf(dispatch, 'existing', async () => (await import('./commands/outbox.ts')).outboxRetry));
  finishGroup(outbox, dispatch, outboxFailed);

  const audit = group(program, 'audit', 'check, acknowledge or export the audit log');
  audit
    .command('verify')
    .description(
      'Check the audit log: the hash chain, its head against anchors, and that requests are in the state it says. Exit 1 if anything is wrong.',
    )
    .option(
      '--anchor <N:HASH|TEXT>',
      'a head recorded elsewhere (as audit verify prints it, or a "toolgate audit head" post); repeatable',
      collect,
    )
    .action(leaf(dispatch, 'existing', async () => (await import('./commands/audit.ts')).auditVerify));
  audit
    .command('acknowledge')
    .description('Record that entry N is known to be bad, and why; audit verify then lists it as acknowledged.')
    .argument('<N>', 'the audit entry')
    .option('--reason <text>', 'why the entry is known to be bad (required)')
    .action(leaf(dispatch, 'existing', async () => (await import('./commands/audit.ts')).auditAcknowledge));
  audit
    .command('export')
    .description('The audit log, as JSON lines (with scheme and keyId) or CSV.')
    .addOption(new Option('--format <format>', 'jsonl or csv').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--since <date>', 'only entries from this ISO date or time on')
    .action(leaf(dispatch, 'existing', async () => (await import('./commands/audit.ts')).auditExport));
  finishGroup(audit, dispatch);

  program
    .command('help')
    .summary('show the help of a command')
    .description('Show the help of a command, e.g. `toolgate help registry import`.')
    .argument('[command...]', 'the command')
    .action(function (this: Command) {
      let target: Command = program;
      for (const name of this.args) {
        const sub = target.commands.find((c) => c.name() === name && c.name() !== 'help');
        if (!sub) throw new UsageError(`unknown command "${this.args.join(' ')}"`);
        target = sub;
      }
      target.outputHelp();
    });

  return program;
}

/** `toolgate registry import`: the command as a person types it, for "see `... --help`". */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
