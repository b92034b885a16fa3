/**
 * Sends requests to the bot exactly as Slack does: slash commands (form-encoded), interactivity
 * payloads (`payload=<json>`) and Events API callbacks (JSON), all signed with the v0 scheme.
 *
 * It works hand in hand with the Slack stand-in: response URLs and trigger ids come from it,
 * buttons are found in the messages/views it stored, and what Slack does with the bot's HTTP
 * answers (a slash command's ack body, a view_submission's response_action) is applied to it.
 *
 * Nothing here depends on the bot's code.
 */
import {
  allElements,
  buildStateValues,
  isRecord,
  textOf,
  type BlockElement,
  type FoundElement,
  type InputValues,
  type JsonObject,
  type SlackBlock,
  type SlackOption,
  type StateValues,
} from './blocks.ts';
import {
  STAND_IN_WORKSPACE,
  type SlackStandIn,
  type StoredEphemeral,
  type StoredMessage,
  type StoredView,
} from './server.ts';
import { signSlackRequest } from './signing.ts';

export type { InputValue, InputValues } from './blocks.ts';

export interface SlackDriverOptions {
  /** The bot's Events endpoint, e.g. `http://127.0.0.1:PORT/slack/events`. */
  botUrl: string;
  signingSecret: string;
  standIn: SlackStandIn;
  /** Defaults to the stand-in's team, T0TOOLGATE. */
  teamId?: string;
  teamDomain?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  apiAppId?: string;
  /** The deprecated verification token Slack still sends in bodies. */
  verificationToken?: string;
  /** Slash commands, interactivity and events may go to different URLs; all default to botUrl. */
  commandsUrl?: string;
  interactivityUrl?: string;
  eventsUrl?: string;
}

/** Per-request overrides, to test how the bot rejects stale or forged requests. */
export interface RequestOverrides {
  /** Unix seconds put in X-Slack-Request-Timestamp (and signed, unless `signature` is given). */
  timestamp?: number;
  /** Sent as X-Slack-Signature instead of the correct one. */
  signature?: string;
  /** Leave the signature headers out entirely. */
  unsigned?: boolean;
  /** Extra headers (e.g. x-slack-retry-num). */
  headers?: Record<string, string>;
}

export interface DriverResponse {
  status: number;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  headers: Record<string, string>;
}

export interface CommandResult extends DriverResponse {
  responseUrl: string;
  triggerId: string;
}

export interface InteractionResult extends DriverResponse {
  triggerId: string;
  /** The payload that was sent. */
  payload: JsonObject;
}

export interface CommandOptions extends RequestOverrides {
  user: string;
  text?: string;
  command?: string;
  channel?: string;
  channelName?: string;
  userName?: string;
  /** Reuse a response URL instead of minting one. */
  responseUrl?: string;
  triggerId?: string;
  /** Apply a non-empty ack body the way Slack shows it (default true). */
  applyAck?: boolean;
}

/** Where a block action happened. */
export type ActionSource =
  | { kind: 'message'; message: StoredMessage }
  | { kind: 'ephemeral'; ephemeral: StoredEphemeral }
  /** An ephemeral known only by the response URL that created it, and its blocks. */
  | { kind: 'ephemeralFrom'; responseUrl: string; blocks: SlackBlock[] }
  | { kind: 'view'; view: StoredView };

export interface BlockActionOptions extends RequestOverrides {
  user: string;
  /** Where the element is; or give `message` / `view` instead. */
  source?: ActionSource;
  message?: StoredMessage | StoredEphemeral;
  view?: StoredView;
  actionId: string;
  blockId?: string;
  /** The element acted on; looked up in the source's blocks when omitted. */
  element?: BlockElement;
  /** For selects/radios/checkboxes/datepickers: what the user picked (option value or text, or date). */
  selected?: string | readonly string[];
  /** Values the user had entered in the view/message inputs (reported in `state`). */
  values?: InputValues;
  responseUrl?: string;
}

export interface ClickButtonOptions extends RequestOverrides {
  user: string;
  inMessage: StoredMessage | StoredEphemeral | { ephemeralFrom: string; blocks: SlackBlock[] };
  /** Which button: by action_id and/or by its label; narrowed by blockId/value when ambiguous. */
  actionId?: string;
  label?: string;
  blockId?: string;
  value?: string;
}

export interface ClickButtonInViewOptions extends RequestOverrides {
  user: string;
  /** The view (modal or App Home) or its id; the current stored version is used. */
  view: StoredView | string;
  actionId?: string;
  label?: string;
  blockId?: string;
  value?: string;
  values?: InputValues;
}

export interface SelectInViewOptions extends RequestOverrides {
  user: string;
  view: StoredView | string;
  actionId: string;
  blockId?: string;
  selected: string | readonly string[];
  values?: InputValues;
}

export interface ViewSubmissionOptions extends RequestOverrides {
  user: string;
  view: StoredView | string;
  values?: InputValues;
  /** Send even what a Slack client would refuse to submit (empty required field, bad number). */
  skipClientValidation?: boolean;
  /** Apply the ack's response_action to the stand-in's modal stack (default true). */
  applyResponse?: boolean;
}

export interface ViewClosedOptions extends RequestOverrides {
  user: string;
  view: StoredView | string;
  isCleared?: boolean;
  /** Close it in the stand-in too (default true). */
  applyClose?: boolean;
}

export interface EventOptions extends RequestOverrides {
  type: string;
  /** Extra fields of the event (user, channel, tab, text, ...). */
  [field: string]: unknown;
}

export interface SlackDriver {
  readonly options: Readonly<SlackDriverOptions>;
  command(opts: CommandOptions): Promise<CommandResult>;
  blockAction(opts: BlockActionOptions): Promise<InteractionResult>;
  /** Clicks a button the bot really rendered in a message (or ephemeral). */
  clickButton(opts: ClickButtonOptions): Promise<InteractionResult>;
  /** Clicks a button the bot really rendered in a modal or App Home. */
  clickButtonInView(opts: ClickButtonInViewOptions): Promise<InteractionResult>;
  /** Picks an option in a select/radio/checkbox/datepicker of a view that dispatches actions. */
  selectInView(opts: SelectInViewOptions): Promise<InteractionResult>;
  viewSubmission(opts: ViewSubmissionOptions): Promise<InteractionResult>;
  viewClosed(opts: ViewClosedOptions): Promise<InteractionResult>;
  /** An Events API event_callback; `app_home_opened` gets channel/tab/view filled in. */
  event(opts: EventOptions): Promise<DriverResponse & { payload: JsonObject }>;
  appHomeOpened(user: string, overrides?: RequestOverrides): Promise<DriverResponse & { payload: JsonObject }>;
  /** A user writes `text` in a DM with the bot (stored in the stand-in, then sent as a message event). */
  directMessage(
    opts: { user: string; text: string } & RequestOverrides,
  ): Promise<DriverResponse & { payload: JsonObject; message: StoredMessage }>;
  urlVerification(challenge?: string, overrides?: RequestOverrides): Promise<DriverResponse>;
  /** POSTs a raw body, signed (or not) as requested. */
  post(url: string, rawBody: string, contentType: string, overrides?: RequestOverrides): Promise<DriverResponse>;
}

/** Thrown when a Slack client would not send the submission at all. */
export class SlackClientValidationError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super(`a Slack client would refuse to submit this view: ${JSON.stringify(errors)}`);
    this.name = 'SlackClientValidationError';
  }
}

function actionTs(): string {
  const now = Date.now();
  return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}`;
}

function describeElements(found: FoundElement[]): string {
  return (
    found
      .map(
        (f) =>
          `${f.blockId}/${f.actionId} (${f.element.type}${textOf(f.element.text) ? ` "${textOf(f.element.text)}"` : ''})`,
      )
      .join(', ') || 'none'
  );
}

interface ElementQuery {
  actionId?: string | undefined;
  label?: string | undefined;
  blockId?: string | undefined;
  value?: string | undefined;
  type?: 'button' | 'non-button';
}

function pickElement(blocks: readonly SlackBlock[], query: ElementQuery, where: string): FoundElement {
  const all = allElements(blocks);
  if (query.actionId === undefined && query.label === undefined) {
    throw new Error(`${where}: give actionId or label`);
  }
  const matches = all.filter(
    (f) =>
      (query.actionId === undefined || f.actionId === query.actionId) &&
      (query.label === undefined || textOf(f.element.text) === query.label) &&
      (query.blockId === undefined || f.blockId === query.blockId) &&
      (query.value === undefined || f.element.value === query.value) &&
      (query.type === undefined || (query.type === 'button') === (f.element.type === 'button')),
  );
  const wanted = JSON.stringify({
    actionId: query.actionId,
    label: query.label,
    blockId: query.blockId,
    value: query.value,
  });
  if (matches.length === 0)
    throw new Error(`${where}: no element matching ${wanted}; elements: ${describeElements(all)}`);
  const [first] = matches;
  if (matches.length > 1 || !first) {
    throw new Error(
      `${where}: ${matches.length} elements match ${wanted}; narrow with blockId/value: ${describeElements(matches)}`,
    );
  }
  return first;
}

function optionsIn(element: BlockElement): SlackOption[] {
  const out: SlackOption[] = [];
  const add = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const o of list)
      if (isRecord(o) && typeof o.value === 'string' && isRecord(o.text)) out.push(o as SlackOption);
  };
  add(element.options);
  if (Array.isArray(element.option_groups)) for (const g of element.option_groups) if (isRecord(g)) add(g.options);
  return out;
}

/** The `actions[0]` entry Slack sends for an element. */
function actionEntry(found: FoundElement, selected: string | readonly string[] | undefined): JsonObject {
  const { element } = found;
  const base: JsonObject = {
    type: element.type,
    action_id: found.actionId,
    block_id: found.blockId,
    action_ts: actionTs(),
  };
  if (element.type === 'button' || element.type === 'workflow_button') {
    const text: JsonObject = isRecord(element.text) ? { ...element.text } : { type: 'plain_text', text: '' };
    if (text.type === 'plain_text' && text.emoji === undefined) text.emoji = true;
    base.text = text;
    if (typeof element.value === 'string') base.value = element.value;
    if (typeof element.style === 'string') base.style = element.style;
    if (typeof element.url === 'string') base.url = element.url;
    return base;
  }
  const picks = selected === undefined ? [] : typeof selected === 'string' ? [selected] : [...selected];
  const option = (wanted: string): SlackOption => {
    const options = optionsIn(element);
    const match = options.find((o) => o.value === wanted) ?? options.find((o) => o.text.text === wanted);
    if (!match) throw new Error(`${found.blockId}/${found.actionId}: no option ${JSON.stringify(wanted)}`);
    return match;
  };
  switch (element.type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
    case 'overflow':
      base.selected_option = picks[0] === undefined ? null : option(picks[0]);
      break;
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      base.selected_options = picks.map(option);
      break;
    case 'users_select':
      base.selected_user = picks[0] ?? null;
      break;
    case 'multi_users_select':
      base.selected_users = picks;
      break;
    case 'conversations_select':
      base.selected_conversation = picks[0] ?? null;
      break;
    case 'channels_select':
      base.selected_channel = picks[0] ?? null;
      break;
    case 'datepicker':
      base.selected_date = picks[0] ?? null;
      break;
    case 'timepicker':
      base.selected_time = picks[0] ?? null;
      break;
    default:
      if (picks[0] !== undefined) base.value = picks[0];
  }
  if (isRecord(element.placeholder)) base.placeholder = element.placeholder;
  return base;
}

async function readResponse(res: Response): Promise<DriverResponse> {
  const body = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    headers[key] = value;
  });
  let json: unknown;
  if (body.trim() !== '') {
    try {
      json = JSON.parse(body) as unknown;
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, body, headers, ...(json !== undefined ? { json } : {}) };
}

export function createSlackDriver(options: SlackDriverOptions): SlackDriver {
  const { standIn, signingSecret } = options;
  const teamId = options.teamId ?? STAND_IN_WORKSPACE.teamId;
  const teamDomain = options.teamDomain ?? STAND_IN_WORKSPACE.teamDomain;
  const apiAppId = options.apiAppId ?? STAND_IN_WORKSPACE.appId;
  const token = options.verificationToken ?? 'xyzz0WbapA4vBCDEFasx0q6G';
  const enterprise = options.enterpriseId
    ? { id: options.enterpriseId, name: options.enterpriseName ?? options.enterpriseId }
    : null;
  const commandsUrl = options.commandsUrl ?? options.botUrl;
  const interactivityUrl = options.interactivityUrl ?? options.botUrl;
  const eventsUrl = options.eventsUrl ?? options.botUrl;
  let eventCounter = 0;

  const post = async (
    url: string,
    rawBody: string,
    contentType: string,
    overrides: RequestOverrides = {},
  ): Promise<DriverResponse> => {
    const timestamp = overrides.timestamp ?? Math.floor(Date.now() / 1000);
    const signed = signSlackRequest(signingSecret, rawBody, timestamp);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...(overrides.unsigned
        ? {}
        : {
            'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
            'x-slack-signature': overrides.signature ?? signed['x-slack-signature'],
          }),
      ...overrides.headers,
    };
    const res = await fetch(url, { method: 'POST', headers, body: rawBody });
    return readResponse(res);
  };

  const userObject = (user: string): JsonObject => {
    const known = standIn.getUser(user);
    const name = known?.name ?? user.toLowerCase();
    return { id: user, username: name, name, team_id: teamId };
  };

  const team = (): JsonObject => ({ id: teamId, domain: teamDomain });

  const sendPayload = async (payload: JsonObject, overrides: RequestOverrides): Promise<DriverResponse> => {
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return post(interactivityUrl, rawBody, 'application/x-www-form-urlencoded', overrides);
  };

  const currentView = (view: StoredView | string): StoredView => {
    const id = typeof view === 'string' ? view : view.id;
    const stored = standIn.viewOf(id);
    if (!stored) throw new Error(`the stand-in has no view ${id}`);
    return stored;
  };

  const overridesOf = (o: RequestOverrides): RequestOverrides => ({
    ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}),
    ...(o.signature !== undefined ? { signature: o.signature } : {}),
    ...(o.unsigned !== undefined ? { unsigned: o.unsigned } : {}),
    ...(o.headers !== undefined ? { headers: o.headers } : {}),
  });

  const blockAction = async (opts: BlockActionOptions): Promise<InteractionResult> => {
    const { user } = opts;
    const source: ActionSource | undefined =
      opts.source ??
      (opts.view
        ? { kind: 'view', view: opts.view }
        : opts.message
          ? 'ephemeral' in opts.message
            ? { kind: 'ephemeral', ephemeral: opts.message }
            : { kind: 'message', message: opts.message }
          : undefined);
    if (!source) throw new Error('blockAction: give source, message or view');
    const blocks =
      source.kind === 'message'
        ? source.message.blocks
        : source.kind === 'ephemeral'
          ? source.ephemeral.blocks
          : source.kind === 'ephemeralFrom'
            ? source.blocks
            : source.view.blocks;
    const found: FoundElement = opts.element
      ? {
          block: blocks.find((b) => b.block_id === opts.blockId) ?? { type: 'actions', block_id: opts.blockId ?? '' },
          blockId: opts.blockId ?? '',
          element: opts.element,
          actionId: opts.actionId,
        }
      : pickElement(blocks, { actionId: opts.actionId, blockId: opts.blockId }, 'blockAction');
    const triggerId = standIn.newTriggerId(user);
    const payload: JsonObject = {
      type: 'block_actions',
      user: userObject(user),
      api_app_id: apiAppId,
      token,
    };

    if (source.kind === 'view') {
      const view = source.view;
      const state = buildStateValues(view.blocks, opts.values ?? {}).values;
      const merged: StateValues = { ...view.state.values, ...state };
      payload.container = { type: 'view', view_id: view.id };
      payload.trigger_id = triggerId;
      payload.team = team();
      payload.enterprise = enterprise;
      payload.is_enterprise_install = false;
      payload.view = { ...view, state: { values: merged } };
      payload.actions = [actionEntry(found, opts.selected)];
    } else {
      let channel: string;
      let ts: string;
      let threadTs: string | undefined;
      let ephemeral: boolean;
      let responseUrl = opts.responseUrl;
      if (source.kind === 'message') {
        channel = source.message.channel;
        ts = source.message.ts;
        threadTs = source.message.thread_ts;
        ephemeral = false;
        responseUrl ??= standIn.newResponseUrl({ channel, user, messageTs: ts, ephemeral: false });
      } else if (source.kind === 'ephemeral') {
        channel = source.ephemeral.channel;
        ts = source.ephemeral.ts;
        threadTs = source.ephemeral.thread_ts;
        ephemeral = true;
        responseUrl ??= source.ephemeral.responseUrlId
          ? `${standIn.url}response/${source.ephemeral.responseUrlId}`
          : standIn.newResponseUrl({ channel, user, messageTs: ts, ephemeral: true });
      } else {
        const info = standIn.responseUrlInfo(source.responseUrl);
        if (!info) throw new Error(`the stand-in knows no response URL ${source.responseUrl}`);
        channel = info.channel ?? '';
        ts = info.lastMessage?.ts ?? info.messageTs ?? '';
        ephemeral = true;
        responseUrl ??= source.responseUrl;
      }
      const channelId = standIn.conversationId(channel);
      const state = buildStateValues(blocks, opts.values ?? {}).values;
      payload.container = {
        type: 'message',
        message_ts: ts,
        channel_id: channelId,
        is_ephemeral: ephemeral,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      payload.trigger_id = triggerId;
      payload.team = team();
      payload.enterprise = enterprise;
      payload.is_enterprise_install = false;
      payload.channel = { id: channelId, name: standIn.channelName(channelId) };
      if (source.kind === 'message') {
        const stored = standIn.message(channel, ts) ?? source.message;
        const message: JsonObject = {
          type: 'message',
          ...(stored.bot_id ? { bot_id: stored.bot_id, app_id: apiAppId } : {}),
          text: stored.text,
          user: stored.user,
          ts: stored.ts,
          team: teamId,
          ...(stored.blocks.length > 0 ? { blocks: stored.blocks } : {}),
          ...(stored.thread_ts ? { thread_ts: stored.thread_ts } : {}),
          ...(stored.edited ? { edited: stored.edited } : {}),
          ...(stored.attachments ? { attachments: stored.attachments } : {}),
          ...(stored.metadata !== undefined ? { metadata: stored.metadata } : {}),
        };
        payload.message = message;
      }
      payload.state = { values: state };
      payload.response_url = responseUrl;
      payload.actions = [actionEntry(found, opts.selected)];
    }

    const response = await sendPayload(payload, overridesOf(opts));
    return { ...response, triggerId, payload };
  };

  const driver: SlackDriver = {
    options,

    async command(opts) {
      const channel = opts.channel ?? 'C0GENERAL';
      const channelId = standIn.conversationId(channel);
      const responseUrl = opts.responseUrl ?? standIn.newResponseUrl({ channel, user: opts.user });
      const triggerId = opts.triggerId ?? standIn.newTriggerId(opts.user);
      const userName = opts.userName ?? standIn.getUser(opts.user)?.name ?? opts.user.toLowerCase();
      const fields: Record<string, string> = {
        token,
        team_id: teamId,
        team_domain: teamDomain,
        ...(enterprise ? { enterprise_id: enterprise.id, enterprise_name: enterprise.name } : {}),
        channel_id: channelId,
        channel_name: opts.channelName ?? standIn.channelName(channelId),
        user_id: opts.user,
        user_name: userName,
        command: opts.command ?? '/can-i-use',
        text: opts.text ?? '',
        api_app_id: apiAppId,
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: triggerId,
      };
      const rawBody = new URLSearchParams(fields).toString();
      const response = await post(commandsUrl, rawBody, 'application/x-www-form-urlencoded', overridesOf(opts));
      if (opts.applyAck !== false && response.status === 200) {
        standIn.deliverAck(responseUrl, response.json ?? response.body);
      }
      return { ...response, responseUrl, triggerId };
    },

    blockAction,

    async clickButton(opts) {
      const { inMessage } = opts;
      const query = {
        actionId: opts.actionId,
        label: opts.label,
        blockId: opts.blockId,
        value: opts.value,
        type: 'button' as const,
      };
      let source: ActionSource;
      if ('ephemeralFrom' in inMessage) {
        source = { kind: 'ephemeralFrom', responseUrl: inMessage.ephemeralFrom, blocks: inMessage.blocks };
      } else if ('ephemeral' in inMessage) {
        const current = standIn.ephemerals(inMessage.user).find((e) => e.ts === inMessage.ts) ?? inMessage;
        source = { kind: 'ephemeral', ephemeral: current };
      } else {
        const current = standIn.message(inMessage.channel, inMessage.ts) ?? inMessage;
        source = { kind: 'message', message: current };
      }
      const blocks =
        source.kind === 'message'
          ? source.message.blocks
          : source.kind === 'ephemeral'
            ? source.ephemeral.blocks
            : source.kind === 'ephemeralFrom'
              ? source.blocks
              : [];
      const found = pickElement(blocks, query, 'clickButton');
      return blockAction({
        ...overridesOf(opts),
        user: opts.user,
        source,
        actionId: found.actionId,
        blockId: found.blockId,
        element: found.element,
      });
    },

    async clickButtonInView(opts) {
      const view = currentView(opts.view);
      const found = pickElement(
        view.blocks,
        { actionId: opts.actionId, label: opts.label, blockId: opts.blockId, value: opts.value, type: 'button' },
        `clickButtonInView(${view.id})`,
      );
      return blockAction({
        ...overridesOf(opts),
        user: opts.user,
        source: { kind: 'view', view },
        actionId: found.actionId,
        blockId: found.blockId,
        element: found.element,
        ...(opts.values ? { values: opts.values } : {}),
      });
    },

    async selectInView(opts) {
      const view = currentView(opts.view);
      const found = pickElement(
        view.blocks,
        { actionId: opts.actionId, blockId: opts.blockId, type: 'non-button' },
        `selectInView(${view.id})`,
      );
      const values: InputValues = { ...opts.values, [found.blockId]: { [found.actionId]: opts.selected } };
      const built = buildStateValues(view.blocks, values).values;
      standIn.setViewState(view.id, { ...view.state.values, ...built });
      return blockAction({
        ...overridesOf(opts),
        user: opts.user,
        source: { kind: 'view', view: currentView(view.id) },
        actionId: found.actionId,
        blockId: found.blockId,
        element: found.element,
        selected: opts.selected,
        values,
      });
    },

    async viewSubmission(opts) {
      const view = currentView(opts.view);
      const built = buildStateValues(view.blocks, opts.values ?? {});
      if (!opts.skipClientValidation && Object.keys(built.clientErrors).length > 0) {
        throw new SlackClientValidationError(built.clientErrors);
      }
      const values: StateValues = { ...view.state.values, ...built.values };
      standIn.setViewState(view.id, values);
      const triggerId = standIn.newTriggerId(opts.user);
      const payload: JsonObject = {
        type: 'view_submission',
        team: team(),
        user: userObject(opts.user),
        api_app_id: apiAppId,
        token,
        trigger_id: triggerId,
        view: { ...view, state: { values } },
        response_urls: [],
        is_enterprise_install: false,
        enterprise,
      };
      const response = await sendPayload(payload, overridesOf(opts));
      if (opts.applyResponse !== false && response.status === 200) {
        standIn.applyViewSubmissionResponse(opts.user, view.id, response.json ?? {});
      }
      return { ...response, triggerId, payload };
    },

    async viewClosed(opts) {
      const view = currentView(opts.view);
      const payload: JsonObject = {
        type: 'view_closed',
        team: team(),
        user: userObject(opts.user),
        api_app_id: apiAppId,
        token,
        view,
        is_cleared: opts.isCleared ?? false,
        is_enterprise_install: false,
        enterprise,
      };
      if (opts.applyClose !== false) standIn.closeView(opts.user, view.id, { all: opts.isCleared === true });
      const response = await sendPayload(payload, overridesOf(opts));
      return { ...response, triggerId: '', payload };
    },

    async event(opts) {
      const { timestamp, signature, unsigned, headers, type, ...fields } = opts;
      const now = Date.now();
      const eventTs = `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}`;
      const event: JsonObject = { type, ...fields };
      if (type === 'app_home_opened' && typeof fields.user === 'string') {
        const user = fields.user;
        event.channel ??= standIn.conversationId(user);
        event.tab ??= 'home';
        const home = standIn.homeOf(user);
        if (home && event.view === undefined) event.view = home;
      }
      event.event_ts ??= eventTs;
      const payload: JsonObject = {
        token,
        team_id: teamId,
        ...(enterprise ? { enterprise_id: enterprise.id } : {}),
        api_app_id: apiAppId,
        event,
        type: 'event_callback',
        event_id: `Ev${String(++eventCounter).padStart(9, '0')}${now.toString(36).toUpperCase()}`,
        event_time: Math.floor(now / 1000),
        authorizations: [
          {
            enterprise_id: enterprise?.id ?? null,
            team_id: teamId,
            user_id: STAND_IN_WORKSPACE.botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
        event_context: `4-${Buffer.from(`${teamId}:${type}:${eventCounter}`).toString('base64url')}`,
      };
      const overrides: RequestOverrides = {
        ...(timestamp !== undefined ? { timestamp } : {}),
        ...(signature !== undefined ? { signature } : {}),
        ...(unsigned !== undefined ? { unsigned } : {}),
        ...(headers !== undefined ? { headers } : {}),
      };
      const response = await post(eventsUrl, JSON.stringify(payload), 'application/json', overrides);
      return { ...response, payload };
    },

    appHomeOpened(user, overrides = {}) {
      return driver.event({ ...overrides, type: 'app_home_opened', user, tab: 'home' });
    },

    async directMessage(opts) {
      const channel = standIn.conversationId(opts.user);
      const message = standIn.postUserMessage(channel, opts.user, opts.text);
      const result = await driver.event({
        ...overridesOf(opts),
        type: 'message',
        user: opts.user,
        text: opts.text,
        channel,
        channel_type: 'im',
        ts: message.ts,
        event_ts: message.ts,
        team: teamId,
      });
      return { ...result, message };
    },

    async urlVerification(challenge = 'stand-in-challenge', overrides = {}) {
      const body = JSON.stringify({ token, challenge, type: 'url_verification' });
      return post(eventsUrl, body, 'application/json', overrides);
    },

    post,
  };
  return driver;
}
