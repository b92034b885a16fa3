// @ts-check
// The Slack window around the blocks: the sidebar of conversations, the open conversation (its
// messages, or the App Home) and the composer that sends commands and messages.

import { sendCommand } from './api.js';
import { mrkdwn, renderBlocks, unknownJson } from './blocks.js';
import { h, page } from './dom.js';
import { collectValues } from './modal.js';
import { usergroupsPanel } from './usergroups.js';
import {
  addNotice,
  currentConv,
  dmOf,
  HOME,
  isMember,
  itemsOf,
  load,
  markSeen,
  nameOf,
  save,
  session,
  setConv,
  tsNum,
  unread,
} from './session.js';

/** @import { ActionSource, Attachment, Item, PageState, RenderContext } from './types.js' */

const BOT_NAME = 'toolgate';

/** @type {Map<string, string>} Edit stamps of messages already shown, to flash the ones updated in place. */
const edits = new Map();
/** @type {string[]} Commands sent, for ArrowUp. */
const history = [];
/** @type {string | null} The person and conversation last shown, to keep the scroll position within one. */
let lastRenderedConv = null;

// ------------------------------------------------------------------------------------------------
// Sidebar and header
// ------------------------------------------------------------------------------------------------

/** @param {string} name */
function initials(name) {
  const parts = String(name)
    .split(/[\s.]+/)
    .filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

/** @param {string} text */
function hue(text) {
  let n = 0;
  for (const c of String(text)) n = (n * 31 + c.charCodeAt(0)) % 360;
  return n;
}

/**
 * @param {string} name
 * @param {boolean} isBot
 */
function avatar(name, isBot) {
  const el = h('div', {
    className: `avatar${isBot ? ' bot' : ''}`,
    text: isBot ? 'tg' : initials(name),
    attrs: { 'aria-hidden': 'true' },
  });
  if (!isBot) el.style.backgroundColor = `hsl(${hue(name)} 45% 45%)`;
  return el;
}

/** @param {string} ts */
function timeOf(ts) {
  const date = new Date(tsNum(ts) * 1000);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * @param {string} conv
 * @param {string} label
 * @param {string} prefix
 * @param {string} [extraClass]
 */
function sidebarItem(conv, label, prefix, extraClass = '') {
  const count = conv === HOME ? 0 : unread(conv);
  const active = currentConv() === conv;
  return h(
    'button',
    {
      type: 'button',
      className: `sb-item${active ? ' active' : ''}${count ? ' unread' : ''}${extraClass}`,
      dataset: { conv },
      attrs: active ? { 'aria-current': 'page' } : {},
      on: { click: () => setConv(conv) },
    },
    h('span', { className: 'sb-prefix', text: prefix, attrs: { 'aria-hidden': 'true' } }),
    h('span', { className: 'sb-label', text: label }),
    count ? h('span', { className: 'badge', text: String(count), attrs: { 'aria-label': `${count} unread` } }) : null,
  );
}

/** @param {PageState} s */
export function renderSidebar(s) {
  const me = s.people.find((p) => p.id === session.user);
  const firstGroupApprover = s.people.find((p) => p.kind === 'approver');
  const channelOfApprover = s.channels[1];
  const employee = s.people.find((p) => p.id === s.defaultUser);
  const tourOpen = load('tg.tour', true);
  const tour = h(
    'details',
    {
      className: 'tour',
      open: tourOpen,
      on: { toggle: (e) => save('tg.tour', /** @type {HTMLDetailsElement} */ (e.currentTarget).open) },
    },
    h('summary', { text: 'Try the whole story' }),
    h(
      'ol',
      {},
      h('li', {}, `As ${employee?.name ?? 'an employee'}, type `, h('code', { text: '/can-i-use claude code' }), '.'),
      h('li', { text: 'Click Request an exception, fill in the form and submit.' }),
      h('li', {
        text: `Switch to ${firstGroupApprover?.name ?? 'an approver'} and approve in #${channelOfApprover?.name ?? 'the approvers’ channel'}.`,
      }),
      h('li', { text: 'Each group in the approval chain approves in its channel, e.g. #legal.' }),
      h('li', { text: `Switch back to ${employee?.name ?? 'the employee'}: read the DM, then ask again.` }),
    ),
  );
  const usergroups = usergroupsPanel(s);
  page.sidebar.replaceChildren(
    h('div', { className: 'sb-me', text: me ? me.label : session.user }),
    h('div', { className: 'sb-title', text: 'Channels' }),
    ...s.channels.map((c) => sidebarItem(c.id, c.name, '#')),
    h('div', { className: 'sb-title', text: 'Direct messages' }),
    sidebarItem(dmOf(session.user), BOT_NAME, '●', ' dm'),
    h('div', { className: 'sb-title', text: 'Apps' }),
    sidebarItem(HOME, `${BOT_NAME} · Home`, '⌂'),
    tour,
    ...(usergroups ? [usergroups] : []),
  );
}

/**
 * @param {PageState} s
 * @param {string} conv
 */
export function renderHeader(s, conv) {
  let title;
  let purpose;
  if (conv === HOME) {
    title = h(
      'span',
      {},
      BOT_NAME,
      h('span', { className: 'app-badge', text: 'APP' }),
      h('span', { className: 'tab', text: 'Home' }),
    );
    purpose = 'Your App Home: what toolgate shows you when you open the app.';
  } else if (conv.startsWith('D')) {
    title = h(
      'span',
      {},
      BOT_NAME,
      h('span', { className: 'app-badge', text: 'APP' }),
      h('span', { className: 'tab', text: 'Messages' }),
    );
    purpose = `Direct messages between toolgate and ${nameOf(session.user) ?? session.user}.`;
  } else {
    const channel = s.channels.find((c) => c.id === conv);
    title = h('span', {}, `# ${channel?.name ?? conv}`);
    purpose = channel?.purpose ?? '';
    if (!isMember(conv)) purpose = `${purpose} You are not a member: you can read along.`.trim();
  }
  title.className = 'pane-title-text';
  page.paneHeader.replaceChildren(
    h('h1', { className: 'pane-title' }, title),
    h('div', { className: 'pane-purpose', text: purpose }),
  );
}

// ------------------------------------------------------------------------------------------------
// The open conversation
// ------------------------------------------------------------------------------------------------

/**
 * @param {PageState} s
 * @param {Item} item
 * @param {string} conv
 */
function renderMessage(s, item, conv) {
  const m = item.m;
  const isBot =
    item.kind !== 'notice' && (Boolean(m.bot_id) || m.user === s.workspace.botUserId || item.kind === 'ephemeral');
  const author = item.kind === 'notice' ? 'Slackbot' : isBot ? BOT_NAME : (nameOf(m.user ?? '') ?? m.user ?? '');
  const key = `${conv}:${m.ts}`;
  const editedTs = m.edited?.ts ?? '';
  const flash = edits.has(key) && edits.get(key) !== editedTs;
  edits.set(key, editedTs);

  const meta = h(
    'div',
    { className: 'msg-meta' },
    h('span', { className: 'author', text: author }),
    isBot || item.kind === 'notice' ? h('span', { className: 'app-badge', text: 'APP' }) : null,
    h('time', { text: timeOf(m.ts), attrs: { datetime: new Date(tsNum(m.ts) * 1000).toISOString() } }),
    m.edited ? h('span', { className: 'edited', text: '(edited)' }) : null,
    m.thread_ts && m.thread_ts !== m.ts ? h('span', { className: 'edited', text: 'replied in a thread' }) : null,
  );
  const main = h('div', { className: 'msg-main' }, meta);
  if (item.kind !== 'message') main.append(h('div', { className: 'only-you', text: '👁 Only visible to you' }));
  /** @type {ActionSource} */
  const source =
    item.kind === 'ephemeral' ? { kind: 'ephemeral', ts: m.ts } : { kind: 'message', channel: conv, ts: m.ts };
  /** @type {RenderContext} */
  const ctx = { source, idPrefix: `m${m.ts}` };
  if (Array.isArray(m.blocks) && m.blocks.length) main.append(renderBlocks(m.blocks, ctx));
  else main.append(h('div', { className: 'msg-text' }, mrkdwn(m.text ?? '')));
  for (const att of m.attachments ?? []) main.append(renderAttachment(att, ctx));
  return h(
    'div',
    {
      className: `msg ${item.kind}${flash ? ' flash' : ''}`,
      dataset: { ts: m.ts, kind: item.kind },
      attrs: { 'aria-label': `${author}${item.kind !== 'message' ? ' (only visible to you)' : ''}` },
    },
    avatar(author, isBot || item.kind === 'notice'),
    main,
  );
}

/**
 * @param {Attachment} att
 * @param {RenderContext} ctx
 */
function renderAttachment(att, ctx) {
  if (!att || typeof att !== 'object') return unknownJson(att, 'Attachment');
  const el = h('div', { className: 'attachment' });
  if (typeof att.color === 'string' && /^#?[0-9a-f]{3,8}$/i.test(att.color))
    el.style.borderLeftColor = att.color.startsWith('#') ? att.color : `#${att.color}`;
  if (att.title) el.append(h('div', { className: 'att-title', text: att.title }));
  if (att.text) el.append(h('div', { className: 'msg-text' }, mrkdwn(att.text)));
  for (const f of att.fields ?? [])
    el.append(h('div', { className: 'b-field' }, h('b', { text: f.title ?? '' }), h('div', {}, mrkdwn(f.value ?? ''))));
  if (Array.isArray(att.blocks)) el.append(renderBlocks(att.blocks, ctx));
  if (att.footer) el.append(h('div', { className: 'b-context' }, mrkdwn(att.footer)));
  return el;
}

/**
 * @param {PageState} s
 * @param {string} conv
 */
function emptyState(s, conv) {
  if (conv === HOME) {
    return h(
      'div',
      { className: 'empty' },
      h('p', { text: 'toolgate has not published a Home tab for you (yet).' }),
      h('p', { className: 'muted', text: 'Opening this tab sends app_home_opened to the bot, as Slack does.' }),
    );
  }
  const cmd = s.commands[0]?.command ?? '/can-i-use';
  return h(
    'div',
    { className: 'empty' },
    h('p', { text: 'No messages here yet.' }),
    h(
      'p',
      { className: 'muted' },
      'Type ',
      h('code', { text: `${cmd} claude code` }),
      ' below: the answer appears here, visible only to you.',
    ),
  );
}

/**
 * The open conversation (or the App Home), keeping the scroll position unless you were at the end.
 * @param {PageState} s
 * @param {string} conv
 */
export function renderPane(s, conv) {
  const body = page.paneBody;
  const convChanged = lastRenderedConv !== `${session.user}:${conv}`;
  const atBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 80;
  const scrollTop = body.scrollTop;
  if (conv === HOME) {
    const home = s.homes[session.user];
    if (home && home.blocks.length) {
      /** @type {RenderContext} */
      const ctx = { source: { kind: 'view', viewId: home.id }, idPrefix: 'home', values: () => collectValues(body) };
      body.replaceChildren(h('div', { className: 'home' }, renderBlocks(home.blocks, ctx)));
    } else body.replaceChildren(emptyState(s, HOME));
    if (convChanged) body.scrollTop = 0;
    else body.scrollTop = scrollTop;
  } else {
    const items = itemsOf(conv);
    body.replaceChildren(...(items.length ? items.map((i) => renderMessage(s, i, conv)) : [emptyState(s, conv)]));
    if (convChanged || atBottom) body.scrollTop = body.scrollHeight;
    else body.scrollTop = scrollTop;
    markSeen(conv);
  }
  lastRenderedConv = `${session.user}:${conv}`;
  const readOnly = conv.startsWith('D') && s.messagesReadOnly;
  page.composer.hidden = conv === HOME || readOnly;
  page.composerNote.hidden = !readOnly;
}

// ------------------------------------------------------------------------------------------------
// Composer
// ------------------------------------------------------------------------------------------------

/** The slash commands that match what is typed so far. */
function renderHints() {
  const box = page.commandHints;
  const text = page.message.value;
  const word = text.split(/\s/)[0] ?? '';
  const matches =
    text.startsWith('/') && !/\s/.test(text)
      ? (session.state?.commands ?? []).filter((c) => c.command.startsWith(word.toLowerCase()))
      : [];
  box.hidden = matches.length === 0;
  box.replaceChildren(
    ...matches.map((c) =>
      h(
        'button',
        {
          type: 'button',
          className: 'hint',
          on: {
            click: () => {
              page.message.value = `${c.command} `;
              renderHints();
              page.message.focus();
            },
          },
        },
        h('b', { text: c.command }),
        ' ',
        h('span', { className: 'muted', text: c.usageHint }),
        h('span', { className: 'hint-desc', text: c.description }),
      ),
    ),
  );
}

/** Sends what is typed; a refusal shows as a notice in the conversation, as Slackbot does. */
async function send() {
  const input = page.message;
  const text = input.value.trim();
  const conv = currentConv();
  if (!text || conv === HOME) return;
  input.value = '';
  renderHints();
  history.push(text);
  const user = session.user;
  const result = await sendCommand({ user, channel: conv, text });
  if (result.ok === false) {
    const last = Math.max(0, ...itemsOf(conv).map((i) => tsNum(i.ts)));
    addNotice({
      user,
      conv,
      ts: String(Math.max(Date.now() / 1000, last + 0.000001)),
      text: result.error ?? 'That did not work.',
    });
  }
}

/** Enter sends, Shift+Enter is a new line, ArrowUp brings back the last command, Tab completes one. */
export function setupComposer() {
  const input = page.message;
  page.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    void send();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    } else if (e.key === 'ArrowUp' && input.value === '' && history.length) {
      e.preventDefault();
      input.value = history.at(-1) ?? '';
    } else if (e.key === 'Tab' && input.value.startsWith('/') && !/\s/.test(input.value)) {
      const match = (session.state?.commands ?? []).filter((c) => c.command.startsWith(input.value.toLowerCase()));
      if (match.length === 1 && match[0]) {
        e.preventDefault();
        input.value = `${match[0].command} `;
        renderHints();
      }
    }
  });
  input.addEventListener('input', renderHints);
}
