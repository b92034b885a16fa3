// @ts-check
// The shapes the page works with, as JSDoc types only: what the playground's page API returns
// (clientState in ../index.ts, ActionResult in ../api.ts), the page's own, and the Block Kit the
// page renders.
// Nothing here runs; the other modules import these with `@import`.
//
// Block Kit comes from the bot, through the stand-in, unchecked: the optional fields below are the
// ones the page guards against being absent, and a block or element of a type not listed here is
// shown as its JSON.

// ------------------------------------------------------------------------------------------------
// The page API
// ------------------------------------------------------------------------------------------------

/**
 * Someone you can be in the playground (PlaygroundPerson in ../directory.ts).
 * @typedef {object} Person
 * @property {string} id
 * @property {string} name
 * @property {string} region
 * @property {'employee' | 'approver' | 'admin' | 'guest'} kind
 * @property {string} label What the picker shows, e.g. "Alice Chen · cn · engineering".
 * @property {string | null} [office] Only for people only Slack knows: the Office of their profile.
 */

/**
 * @typedef {object} Channel
 * @property {string} id
 * @property {string} name
 * @property {string} purpose
 * @property {string[]} [members] Who is in it (unread badges are theirs); absent: everyone.
 */

/**
 * A slash command from manifest.yml.
 * @typedef {object} Command
 * @property {string} command
 * @property {string} description
 * @property {string} usageHint
 */

/**
 * @typedef {object} MessageEdit
 * @property {string} user
 * @property {string} ts
 */

/**
 * A message everyone in the conversation sees.
 * @typedef {object} Message
 * @property {string} ts
 * @property {string} channel
 * @property {string} text
 * @property {Block[]} blocks
 * @property {string} [thread_ts]
 * @property {MessageEdit} [edited]
 * @property {string} user The bot's user id, or the person's who typed it.
 * @property {string} [bot_id]
 * @property {Attachment[]} [attachments]
 */

/**
 * A message only `user` sees.
 * @typedef {object} Ephemeral
 * @property {true} ephemeral
 * @property {string} ts
 * @property {string} channel
 * @property {string} user
 * @property {string} text
 * @property {Block[]} blocks
 * @property {string} [thread_ts]
 * @property {MessageEdit} [edited]
 * @property {string} conversation The conversation it shows in (a channel id, or `D<user>`).
 */

/**
 * A view (modal or App Home) as the stand-in stores it; only the fields the page reads.
 * @typedef {object} View
 * @property {string} id
 * @property {string} type
 * @property {string} hash
 * @property {Block[]} blocks
 * @property {TextObject} [title]
 * @property {TextObject} [submit]
 * @property {TextObject} [close]
 */

/**
 * A modal, with the errors the bot last answered its submission with.
 * @typedef {View & { errors?: Record<string, string> }} Modal
 */

/**
 * A Slack user group an approver group names (PlaygroundUsergroup in ../usergroups.ts).
 * @typedef {object} Usergroup
 * @property {string} id e.g. S0SECGRP
 * @property {string} handle e.g. security-review
 * @property {string} name
 * @property {string[]} approverGroups The approver groups that name it, by their names.
 * @property {string[]} members User ids.
 */

/**
 * Everything the page shows, for everyone (GET /api/state and each `state` event of /api/events):
 * the page picks what the chosen person can see.
 * @typedef {object} PageState
 * @property {{ name: string, botUserId: string, botName: string }} workspace
 * @property {string} defaultUser Who the page starts as.
 * @property {Person[]} people
 * @property {string[]} offices The offices a person can move to (the profile's Office field).
 * @property {Usergroup[]} usergroups The Slack user groups the registry's approver groups name, as they are now.
 * @property {Channel[]} channels
 * @property {Command[]} commands
 * @property {boolean} messagesReadOnly The app's Messages tab takes no messages (manifest.yml).
 * @property {Record<string, string>} users Display names by user id, the bot's included.
 * @property {Record<string, Message[]>} conversations Messages by conversation id, oldest first.
 * @property {Ephemeral[]} ephemerals
 * @property {Record<string, View>} homes App Home by user id.
 * @property {Record<string, Modal[]>} modals The open modal stack by user id, the top one last.
 */

/**
 * What the page API answers to an action (ActionResult in ../api.ts).
 * @typedef {object} ActionResult
 * @property {boolean} ok
 * @property {string} [error]
 * @property {Record<string, string>} [errors] Per-field errors the Slack client shows itself, by block id.
 */

/**
 * Where a click happened, as POST /api/click names it.
 * @typedef {{ kind: 'message', channel: string, ts: string }
 *   | { kind: 'ephemeral', ts: string }
 *   | { kind: 'view', viewId: string }} ActionSource
 */

/**
 * What was picked in a select, radio group, checkboxes or date picker.
 * @typedef {string | string[]} Selected
 */

/**
 * What a person typed or picked in one input (null: nothing).
 * @typedef {string | string[] | null} InputValue
 */

/**
 * The inputs of a view: `{ [block_id]: { [action_id]: value } }`.
 * @typedef {Record<string, Record<string, InputValue>>} InputValues
 */

// ------------------------------------------------------------------------------------------------
// The page's own
// ------------------------------------------------------------------------------------------------

/**
 * A Slackbot-style notice (a command that failed), shown only on this page.
 * @typedef {object} Notice
 * @property {string} user
 * @property {string} conv
 * @property {string} ts
 * @property {string} text
 */

/**
 * What the conversation pane shows of a message, an ephemeral or a notice.
 * @typedef {object} Shown
 * @property {string} ts
 * @property {string} [user]
 * @property {string} [bot_id]
 * @property {string} [text]
 * @property {Block[]} [blocks]
 * @property {MessageEdit} [edited]
 * @property {string} [thread_ts]
 * @property {Attachment[]} [attachments]
 */

/**
 * One line of a conversation as the current person sees it.
 * @typedef {object} Item
 * @property {'message' | 'ephemeral' | 'notice'} kind
 * @property {string} ts
 * @property {string} user The author; '' for what only you see.
 * @property {Shown} m
 */

/**
 * Listeners by event name, each getting its own event type (`on` of h in dom.js).
 * @typedef {{ [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void }} Handlers
 */

/**
 * Where rendered blocks live: what /api/click says the source is, a prefix for element ids, and
 * (in a modal or the App Home) the view's inputs, sent along with each action.
 * @typedef {object} RenderContext
 * @property {ActionSource} source
 * @property {string} idPrefix
 * @property {() => InputValues} [values]
 */

// ------------------------------------------------------------------------------------------------
// Block Kit
// ------------------------------------------------------------------------------------------------

/**
 * @typedef {object} TextObject
 * @property {'plain_text' | 'mrkdwn'} type
 * @property {string} text
 * @property {boolean} [emoji]
 */

/**
 * @typedef {object} Option
 * @property {TextObject} text
 * @property {string} value
 * @property {TextObject} [description]
 */

/**
 * @typedef {object} OptionGroup
 * @property {TextObject} label
 * @property {Option[]} [options]
 */

/**
 * What a select offers: options, or options in groups.
 * @typedef {object} OptionList
 * @property {Option[]} [options]
 * @property {OptionGroup[]} [option_groups]
 */

/**
 * A legacy attachment (`attachments` of chat.postMessage).
 * @typedef {object} Attachment
 * @property {string} [color]
 * @property {string} [title]
 * @property {string} [text]
 * @property {{ title?: string, value?: string }[]} [fields]
 * @property {Block[]} [blocks]
 * @property {string} [footer]
 */

// Blocks

/** @typedef {{ type: string, block_id?: string }} UnknownBlock A block the page does not render. */
/** @typedef {{ type: 'header', block_id?: string, text?: TextObject }} HeaderBlock */
/** @typedef {{ type: 'divider', block_id?: string }} DividerBlock */
/**
 * @typedef {{ type: 'section', block_id?: string, text?: TextObject, fields?: TextObject[],
 *   accessory?: BlockElement }} SectionBlock
 */
/** @typedef {{ type: 'context', block_id?: string, elements?: (ImageElement | TextObject | UnknownElement)[] }} ContextBlock */
/** @typedef {{ type: 'actions', block_id?: string, elements?: BlockElement[] }} ActionsBlock */
/**
 * @typedef {{ type: 'image', block_id?: string, title?: TextObject, image_url?: string,
 *   alt_text?: string }} ImageBlock
 */
/**
 * @typedef {{ type: 'input', block_id?: string, label?: TextObject, element?: BlockElement, hint?: TextObject,
 *   optional?: boolean, dispatch_action?: boolean }} InputBlock
 */

/** @typedef {HeaderBlock | DividerBlock | SectionBlock | ContextBlock | ActionsBlock | ImageBlock | InputBlock} KnownBlock */
/** @typedef {KnownBlock | UnknownBlock} Block */

// Elements

/** @typedef {{ type: string, action_id?: string }} UnknownElement An element the page does not render. */
/**
 * @typedef {{ type: 'button', action_id?: string, text?: TextObject, style?: 'primary' | 'danger',
 *   url?: string, value?: string }} ButtonElement
 */
/**
 * @typedef {{ type: 'plain_text_input' | 'email_text_input' | 'url_text_input' | 'number_input',
 *   action_id?: string, placeholder?: TextObject, initial_value?: string, multiline?: boolean,
 *   is_decimal_allowed?: boolean, max_length?: number, focus_on_load?: boolean }} TextInputElement
 */
/**
 * One choice among options, or among the people or channels here.
 * @typedef {OptionList & { type: 'static_select' | 'external_select' | 'users_select' | 'conversations_select'
 *   | 'channels_select' | 'overflow', action_id?: string, placeholder?: TextObject, initial_option?: Option,
 *   initial_user?: string, initial_conversation?: string, initial_channel?: string }} SelectElement
 */
/**
 * @typedef {OptionList & { type: 'multi_static_select' | 'multi_users_select' | 'multi_conversations_select'
 *   | 'multi_channels_select', action_id?: string, placeholder?: TextObject, initial_options?: Option[],
 *   initial_users?: string[], initial_conversations?: string[], initial_channels?: string[] }} MultiSelectElement
 */
/**
 * @typedef {OptionList & { type: 'radio_buttons' | 'checkboxes', action_id?: string, initial_option?: Option,
 *   initial_options?: Option[] }} ChoicesElement
 */
/** @typedef {{ type: 'datepicker', action_id?: string, initial_date?: string }} DatePickerElement */
/** @typedef {{ type: 'timepicker', action_id?: string, initial_time?: string }} TimePickerElement */
/** @typedef {{ type: 'image', action_id?: string, image_url?: string, alt_text?: string }} ImageElement */

/**
 * @typedef {ButtonElement | TextInputElement | SelectElement | MultiSelectElement | ChoicesElement
 *   | DatePickerElement | TimePickerElement | ImageElement} KnownElement
 */
/** @typedef {KnownElement | UnknownElement} BlockElement */

export {};
