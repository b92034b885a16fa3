/**
 * The driver's public shapes: its options, the options of each kind of request, what each
 * returns, and the SlackDriver handle. Re-exported by driver.ts, which is where callers import them from.
 */
import type { BlockElement, InputValues, JsonObject, SlackBlock } from '../blocks.ts';
import type {
  SlackStandIn,
  SlackUser,
  StoredEphemeral,
  StoredMessage,
  StoredUsergroup,
  StoredView,
  UserSettings,
} from '../types.ts';

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
  /**
   * Send Events API events over the stand-in's Socket Mode connection (`events_api` envelopes,
   * acknowledged by the app) instead of POSTing them to the events URL.
   */
  socketMode?: boolean;
}

/** A directory change applied in the stand-in and the events it made Slack send, as the bot answered them. */
export interface DeliveredChange<T> {
  value: T;
  /** The events sent (Slack's `event` objects), in order. */
  events: JsonObject[];
  /** The bot's answer to each. */
  responses: Array<DriverResponse & { payload: JsonObject }>;
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
  /** Sends events (Slack's `event` objects, e.g. from standIn.changeUser) to the bot, one after another. */
  deliver(events: readonly JsonObject[]): Promise<Array<DriverResponse & { payload: JsonObject }>>;
  /** A profile edit in the stand-in, and the events Slack sends about it delivered to the bot. */
  changeUser(id: string, settings: UserSettings): Promise<DeliveredChange<SlackUser>>;
  /** A user group's new members in the stand-in, and the events Slack sends about it delivered to the bot. */
  changeUsergroupMembers(id: string, users: readonly string[]): Promise<DeliveredChange<StoredUsergroup>>;
  /** POSTs a raw body, signed (or not) as requested. */
  post(url: string, rawBody: string, contentType: string, overrides?: RequestOverrides): Promise<DriverResponse>;
}
