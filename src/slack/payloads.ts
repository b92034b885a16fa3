// What the bot can act on, checked before Bolt sees a request: every shape Slack sends for the
// surfaces toolgate listens to, in zod. A signed request of any other shape (a type we have no
// listener for, or one Slack never sends, such as `app_home_opened` with `user: null`) is
// answered 200 at once with nothing done, so Slack never retries it and no listener meets it.
import { z } from 'zod';
import { ACTION, CALLBACK, COMMAND } from './ids.ts';

const slackId = z.string().regex(/^[A-Z0-9]{2,}$/i);
const user = z.object({ id: slackId });

const KNOWN_ACTIONS = new Set<string>(Object.values(ACTION));
const actionId = z
  .string()
  .refine(
    (id) => KNOWN_ACTIONS.has(id) || new RegExp(`^${ACTION.chooseTool}_\\d+$`).test(id),
    'an action toolgate does not have',
  );

const blockActions = z.object({
  type: z.literal('block_actions'),
  user,
  trigger_id: z.string().optional(),
  actions: z.array(z.object({ action_id: actionId, type: z.string() }).passthrough()).min(1),
});

const viewSubmission = z.object({
  type: z.literal('view_submission'),
  user,
  view: z.object({
    id: z.string().min(1),
    hash: z.string().min(1),
    callback_id: z.enum([
      CALLBACK.request,
      CALLBACK.approve,
      CALLBACK.deny,
      CALLBACK.revoke,
      CALLBACK.review,
      CALLBACK.classify,
      CALLBACK.sameAs,
      CALLBACK.reject,
      CALLBACK.absence,
      CALLBACK.editTool,
      CALLBACK.editToolConfirm,
    ]),
    private_metadata: z.string().optional(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({}).passthrough())) }),
  }),
});

const slashCommand = z.object({
  command: z.literal(COMMAND),
  user_id: slackId,
  text: z.string().optional(),
  team_id: z.string().optional(),
});

const appHomeOpened = z.object({
  type: z.literal('event_callback'),
  event: z.object({ type: z.literal('app_home_opened'), user: slackId, tab: z.string() }),
});

// A profile changed (region rules read it again): Slack sends the whole user; only its id is used.
const profileChanged = z.object({
  type: z.literal('event_callback'),
  event: z.object({ type: z.enum(['user_change', 'user_profile_changed']), user }),
});

/** A Slack user group's members changed (usergroups:read): the approver groups that name it follow. */
const subteamMembersChanged = z.object({
  type: z.literal('event_callback'),
  event: z.object({ type: z.literal('subteam_members_changed'), subteam_id: slackId }),
});

const events = z.union([appHomeOpened, profileChanged, subteamMembersChanged]);

const urlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string() });

/** The parsed body of a request to /slack/events: JSON (events), `payload=` (interactivity) or a form (commands). */
export function parseSlackBody(raw: string, contentType: string | undefined): unknown {
  return readSlackBody(raw, contentType).body;
}

/** The same, and whether it is a form with `ssl_check=1` (Slack's check of the certificate), from one parse. */
export function readSlackBody(raw: string, contentType: string | undefined): { body: unknown; sslCheck: boolean } {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(raw);
    const sslCheck = form.get('ssl_check') === '1';
    const payload = form.get('payload');
    if (sslCheck) return { body: undefined, sslCheck };
    return { body: payload === null ? Object.fromEntries(form) : (JSON.parse(payload) as unknown), sslCheck };
  }
  return { body: JSON.parse(raw) as unknown, sslCheck: false };
}

/** Why the bot cannot use this body (null: it can, Bolt takes it from here). */
export function unusablePayload(body: unknown): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body is not an object';
  const kind = (body as { type?: unknown; command?: unknown }).type ?? (body as { command?: unknown }).command;
  const schema =
    kind === 'block_actions'
      ? blockActions
      : kind === 'view_submission'
        ? viewSubmission
        : kind === 'event_callback'
          ? events
          : kind === 'url_verification'
            ? urlVerification
            : typeof (body as { command?: unknown }).command === 'string'
              ? slashCommand
              : null;
  // Quoted as JSON: what an attacker sent must not write lines of its own into the log.
  const named = typeof kind === 'string' ? JSON.stringify(kind.slice(0, 40)) : 'this shape';
  if (!schema) return `nothing listens to ${named}`;
  const parsed = schema.safeParse(body);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return `${named}: ${issue?.path.join('.') || '(body)'} ${issue?.message ?? 'is not as Slack sends it'}`;
}
