// What the page may ask the playground to do, as a person would in Slack: type a command, click,
// submit or close a modal, open the App Home. Every body comes from a browser, so it is parsed
// with zod, and whatever it points at (a message, a view, an element) is looked up in the
// stand-in's state: the browser only says where the person clicked, never what the button was.
import { z } from 'zod';
import { cutText } from '../domain/text.ts';
import {
  allElements,
  SlackClientValidationError,
  type ActionSource,
  type DriverResponse,
  type SlackBlock,
  type SlackDriver,
  type SlackStandIn,
} from '../standIn/index.ts';
import type { AppManifest } from './directory.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const userId = z.string().regex(/^[UW][A-Z0-9]{1,40}$/, 'must be a Slack user id such as U0BOB');
const conversationId = z.string().regex(/^[CDG][A-Z0-9]{1,60}$/, 'must be a conversation id such as C0GENERAL');
const viewId = z.string().regex(/^V[A-Z0-9]{1,40}$/, 'must be a view id');
const ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/, 'must be a message ts');
const slackId = z.string().min(1).max(255);

const inputValue = z.union([
  z.string().max(10_000),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.string().max(2000)).max(100),
]);
const inputValues = z.record(slackId, z.record(slackId, inputValue)).optional();

/** What Slack passes on of a long slash command: it cuts the text rather than refuse it. */
export const COMMAND_TEXT_MAX = 4000;

export const commandBody = z.object({
  user: userId,
  channel: conversationId,
  // A composer takes up to 40,000 characters; the bot is sent what Slack would send, never an error.
  text: z
    .string()
    .trim()
    .min(1, 'type something')
    .max(40_000, 'at most 40,000 characters, as in Slack')
    .transform((t) => cutText(t, COMMAND_TEXT_MAX)),
});

export const clickBody = z.object({
  user: userId,
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('message'), channel: conversationId, ts }),
    z.object({ kind: z.literal('ephemeral'), ts }),
    z.object({ kind: z.literal('view'), viewId }),
  ]),
  blockId: slackId,
  actionId: slackId,
  /** What was picked in a select, radio group, checkboxes or date picker. */
  selected: z.union([z.string().max(2000), z.array(z.string().max(2000)).max(100)]).optional(),
  /** What the person has typed into the view's inputs so far. */
  values: inputValues,
});

export const submitBody = z.object({ user: userId, viewId, values: inputValues });
export const closeBody = z.object({ user: userId, viewId, all: z.boolean().optional() });
export const homeOpenedBody = z.object({ user: userId });
export const profileBody = z.object({ user: userId, office: z.string().min(1).max(100) });
export const usergroupBody = z.object({
  usergroup: z.string().regex(/^S[A-Z0-9]{1,40}$/, 'must be a Slack user group id such as S0SECGRP'),
  user: userId,
  change: z.enum(['add', 'remove']),
});

export interface ActionResult {
  ok: boolean;
  error?: string;
  /** Per-field errors a Slack client shows itself, without asking the app (empty required field, bad number). */
  errors?: Record<string, string>;
}

const CLIENT_ERROR_TEXT: Record<string, string> = {
  'required field is empty': 'Please fill out this field.',
};

/** What Slack does to the bot's own answer when the bot does not answer in time or fails. */
function botFailed(what: string, res: DriverResponse): ActionResult {
  const reason = res.status === 404 ? 'the app did not handle it' : `HTTP ${res.status}`;
  return { ok: false, error: `${what} failed: ${reason}` };
}

/** Slack escapes &, < and > in what people type, so a message can't smuggle in a mention or a link. */
const escapeTyped = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface Api {
  command(body: unknown): Promise<ActionResult>;
  click(body: unknown): Promise<ActionResult>;
  submit(body: unknown): Promise<ActionResult>;
  close(body: unknown): Promise<ActionResult>;
  homeOpened(body: unknown): Promise<ActionResult>;
  /** A person moves office: their Slack profile changes, and Slack sends the bot user_change. */
  changeOffice(body: unknown): Promise<ActionResult>;
  /** Someone joins or leaves a Slack user group an approver group names: Slack sends the bot subteam_members_changed. */
  changeUsergroup(body: unknown): Promise<ActionResult>;
}

/** What the playground needs to know about the directory besides the stand-in. */
export interface ApiDirectory {
  /** The offices there are, and the time zone each comes with. */
  officeTimeZones: Readonly<Record<string, string>>;
  /** Slash commands from someone in another Enterprise Grid workspace go out as from there. */
  driverFor?: (user: string) => SlackDriver;
  /** The user groups the page may change: those the registry's approver groups name. */
  usergroups?: () => readonly string[];
  /**
   * Resolves once the bot has taken a user group's new members in (Slack's events are acknowledged
   * before they are handled), so the next click goes by them.
   */
  usergroupTaken?: (id: string, users: readonly string[]) => Promise<void>;
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; '));
  }
  return parsed.data;
}

export function createApi(
  standIn: SlackStandIn,
  driver: SlackDriver,
  manifest: AppManifest,
  directory: ApiDirectory = { officeTimeZones: {} },
): Api {
  const { commands } = manifest;
  const ownedView = (user: string, id: string) => {
    const view = standIn.viewOf(id);
    if (!view || standIn.viewOwner(id) !== user) throw new ApiError(404, `${user} has no view ${id}`);
    return view;
  };

  const checkConversation = (user: string, channel: string) => {
    if (channel.startsWith('D') && channel !== standIn.conversationId(user)) {
      throw new ApiError(403, `${user} can't see the direct messages ${channel}`);
    }
  };

  const wrap = async (what: string, run: () => Promise<DriverResponse>): Promise<ActionResult> => {
    try {
      const res = await run();
      return res.status === 200 ? { ok: true } : botFailed(what, res);
    } catch (error) {
      if (error instanceof SlackClientValidationError) {
        const errors = Object.fromEntries(
          Object.entries(error.errors).map(([k, v]) => [
            k,
            CLIENT_ERROR_TEXT[v] ?? v.charAt(0).toUpperCase() + v.slice(1),
          ]),
        );
        return { ok: false, errors };
      }
      if (error instanceof ApiError) throw error;
      // The driver throws when the inputs don't fit the view (an unknown option, a stale block).
      throw new ApiError(400, error instanceof Error ? error.message : String(error));
    }
  };

  return {
    async command(body) {
      const { user, channel, text } = parse(commandBody, body);
      checkConversation(user, channel);
      if (manifest.messagesReadOnly && channel === standIn.conversationId(user)) {
        return {
          ok: false,
          error: 'Sending messages to this app has been turned off (manifest.yml: messages_tab_read_only_enabled).',
        };
      }
      if (!text.startsWith('/')) {
        // toolgate subscribes to no message events (manifest.yml): a message is only seen by people.
        standIn.postUserMessage(channel, user, escapeTyped(text));
        return { ok: true };
      }
      const name = text.split(/\s+/)[0] ?? '';
      const known = commands.find((c) => c.command === name.toLowerCase());
      if (!known)
        return {
          ok: false,
          error: `${name} is not a valid command. Try ${commands.map((c) => c.command).join(', ')}.`,
        };
      const args = text.slice(name.length).trim();
      const from = directory.driverFor?.(user) ?? driver;
      return wrap(known.command, () => from.command({ user, channel, command: known.command, text: args }));
    },

    async click(body) {
      const { user, source, blockId, actionId, selected, values } = parse(clickBody, body);
      let blocks: SlackBlock[];
      let from: ActionSource;
      if (source.kind === 'message') {
        checkConversation(user, source.channel);
        const message = standIn.message(source.channel, source.ts);
        if (!message) throw new ApiError(404, `no message ${source.ts} in ${source.channel}`);
        blocks = message.blocks;
        from = { kind: 'message', message };
      } else if (source.kind === 'ephemeral') {
        const ephemeral = standIn.ephemerals(user).find((e) => e.ts === source.ts);
        if (!ephemeral) throw new ApiError(404, `${user} has no ephemeral message ${source.ts}`);
        blocks = ephemeral.blocks;
        from = { kind: 'ephemeral', ephemeral };
      } else {
        const view = ownedView(user, source.viewId);
        blocks = view.blocks;
        from = { kind: 'view', view };
      }
      const found = allElements(blocks).find((f) => f.blockId === blockId && f.actionId === actionId);
      if (!found) throw new ApiError(404, `no element ${blockId}/${actionId} there (it may have been updated)`);
      const what = found.element.type === 'button' ? 'That button' : 'That choice';
      if (from.kind === 'view' && found.element.type !== 'button') {
        return wrap(what, () =>
          driver.selectInView({
            user,
            view: from.view,
            blockId,
            actionId,
            selected: selected ?? [],
            ...(values ? { values } : {}),
          }),
        );
      }
      return wrap(what, () =>
        driver.blockAction({
          user,
          source: from,
          blockId,
          actionId,
          element: found.element,
          ...(selected !== undefined ? { selected } : {}),
          ...(values ? { values } : {}),
        }),
      );
    },

    async submit(body) {
      const { user, viewId: id, values } = parse(submitBody, body);
      ownedView(user, id);
      return wrap('Submitting', () => driver.viewSubmission({ user, view: id, values: values ?? {} }));
    },

    async close(body) {
      const { user, viewId: id, all } = parse(closeBody, body);
      const view = ownedView(user, id);
      // Slack tells the app only when the view asked for it.
      if (view.notify_on_close)
        return wrap('Closing', () => driver.viewClosed({ user, view: id, isCleared: all === true }));
      standIn.closeView(user, id, { all: all === true });
      return { ok: true };
    },

    async homeOpened(body) {
      const { user } = parse(homeOpenedBody, body);
      return wrap('Opening the Home tab', () => driver.appHomeOpened(user));
    },

    async changeOffice(body) {
      const { user, office } = parse(profileBody, body);
      const tz = directory.officeTimeZones[office];
      if (!tz) throw new ApiError(400, `office must be one of ${Object.keys(directory.officeTimeZones).join(', ')}`);
      // A move comes with the office's time zone. Slack sends no event when only custom fields
      // change; then the bot sees the new Office only when its cached profile is read again.
      const change = await driver.changeUser(user, { fields: { Office: office }, tz });
      const failed = change.responses.find((r) => r.status !== 200);
      if (failed) return botFailed('The profile change', failed);
      if (change.events.length === 0)
        return {
          ok: false,
          error: `Slack sends no event when only a custom profile field changes (same time zone): the bot sees ${office} when it next reads the profile (PROFILE_TTL_HOURS).`,
        };
      return { ok: true };
    },

    async changeUsergroup(body) {
      const { usergroup, user, change } = parse(usergroupBody, body);
      const offered = directory.usergroups?.() ?? [];
      const group = offered.includes(usergroup) ? standIn.usergroup(usergroup) : undefined;
      if (!group)
        throw new ApiError(
          404,
          offered.length
            ? `usergroup must be one an approver group names: ${offered.join(', ')}`
            : 'no approver group of the registry names a Slack user group (give one `usergroup:`)',
        );
      // The stand-in answers for any user id; only the people it was given are in the workspace.
      if (!standIn.snapshot().users.some((u) => u.id === user))
        throw new ApiError(400, `user ${user} is not in the workspace`);
      const has = group.users.includes(user);
      if (change === 'add' && has) return { ok: false, error: `${user} is already in @${group.handle}.` };
      if (change === 'remove' && !has) return { ok: false, error: `${user} is not in @${group.handle}.` };
      const users = change === 'add' ? [...group.users, user] : group.users.filter((u) => u !== user);
      // Slack's usergroups.users.update takes at least one user: a group is emptied by disabling it.
      if (users.length === 0)
        return { ok: false, error: `@${group.handle} keeps at least one member in Slack: add someone first.` };
      const changed = await driver.changeUsergroupMembers(usergroup, users);
      const failed = changed.responses.find((r) => r.status !== 200);
      if (failed) return botFailed('The user group change', failed);
      await directory.usergroupTaken?.(usergroup, users);
      return { ok: true };
    },
  };
}
