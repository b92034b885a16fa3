// @ts-check
// The session: the latest state from the server, who you are (the picker), which conversation you
// have open and what you have read there, kept in localStorage across reloads.

import { changeOffice, homeOpened } from './api.js';
import { busy, h, page, toast } from './dom.js';

/** @import { Item, Notice, PageState, Person } from './types.js' */

/** The App Home, as a conversation of the sidebar. */
export const HOME = 'home';

/**
 * What this browser kept under `key`, or `fallback`.
 * @template T
 * @param {string} key
 * @param {T} fallback
 * @returns {T}
 */
export function load(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? /** @type {T} */ (JSON.parse(raw)) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * @param {string} key
 * @param {unknown} value
 */
export function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode: nothing to keep */
  }
}

export const session = {
  /** @type {PageState | null} The latest state from the server. */
  state: null,
  /** @type {string} Who you are (a user id); '' until the first state names the default. */
  user: load('tg.user', ''),
  /** @type {Record<string, string>} The open conversation per person: a channel id, `D<user>`, or HOME. */
  conv: load('tg.conv', {}),
  /** @type {Record<string, Record<string, number>>} Last ts seen per person and conversation, for unread badges. */
  seen: load('tg.seen', {}),
  /** @type {Notice[]} Slackbot-style notices (a failed command), shown only here. */
  notices: [],
};

/** @type {() => void} */
let repaint = () => {};

/**
 * Sets what redraws the page after the session changed.
 * @param {() => void} render
 */
export function onSessionChange(render) {
  repaint = render;
}

/**
 * A person's name, as Slack would show it.
 * @param {string} id
 * @returns {string | undefined}
 */
export function nameOf(id) {
  return session.state?.users[id] ?? session.state?.people.find((p) => p.id === id)?.name;
}

/** @param {string} user */
export const dmOf = (user) => `D${user}`;

/** The conversation the current person has open. */
export const currentConv = () => session.conv[session.user] ?? 'C0GENERAL';

/** @param {string | undefined} ts */
export const tsNum = (ts) => Number.parseFloat(ts ?? '0') || 0;

/** Tells the bot the current person opened the App Home, as Slack does. */
export function openHome() {
  void homeOpened({ user: session.user }).then((r) => {
    if (r.ok === false && r.error) toast(r.error);
  });
}

/**
 * Opens a conversation (or the App Home) for the current person.
 * @param {string} conv
 */
export function setConv(conv) {
  session.conv[session.user] = conv;
  save('tg.conv', session.conv);
  if (conv === HOME) openHome();
  repaint();
  if (conv !== HOME) page.message.focus();
}

/**
 * What the current person sees in a conversation, oldest first.
 * @param {string} conv
 * @returns {Item[]}
 */
export function itemsOf(conv) {
  const s = session.state;
  if (!s) return [];
  /** @type {Item[]} */
  const messages = (s.conversations[conv] ?? []).map((m) => ({ kind: 'message', ts: m.ts, user: m.user, m }));
  /** @type {Item[]} */
  const ephemerals = s.ephemerals
    .filter((e) => e.user === session.user && e.conversation === conv)
    .map((e) => ({ kind: 'ephemeral', ts: e.ts, user: '', m: e }));
  /** @type {Item[]} */
  const notices = session.notices
    .filter((n) => n.user === session.user && n.conv === conv)
    .map((n) => ({ kind: 'notice', ts: n.ts, user: '', m: n }));
  return [...messages, ...ephemerals, ...notices].sort((a, b) => tsNum(a.ts) - tsNum(b.ts));
}

/**
 * Shows a notice (a command that failed) in its conversation.
 * @param {Notice} notice
 */
export function addNotice(notice) {
  session.notices.push(notice);
  repaint();
}

/**
 * Whether the current person is in the conversation (and so gets its unread badge).
 * @param {string} conv
 */
export function isMember(conv) {
  const channel = session.state?.channels.find((c) => c.id === conv);
  return !channel?.members || channel.members.includes(session.user);
}

/**
 * How many messages of others the current person has not seen in a conversation.
 * @param {string} conv
 */
export function unread(conv) {
  if (!isMember(conv)) return 0;
  const seen = session.seen[session.user]?.[conv] ?? 0;
  return itemsOf(conv).filter((i) => i.user !== session.user && i.kind !== 'notice' && tsNum(i.ts) > seen).length;
}

/**
 * Notes that the current person has seen everything in a conversation.
 * @param {string} conv
 */
export function markSeen(conv) {
  const items = itemsOf(conv);
  const latest = items.length ? Math.max(...items.map((i) => tsNum(i.ts))) : 0;
  const mine = (session.seen[session.user] ??= {});
  if ((mine[conv] ?? 0) >= latest) return;
  mine[conv] = latest;
  save('tg.seen', session.seen);
}

/**
 * The "You are" picker: the people grouped as Slack admins would list them, the current one chosen.
 * @param {PageState} s
 */
export function renderPicker(s) {
  const select = page.who;
  const signature = s.people.map((p) => `${p.id}:${p.label}`).join('|');
  if (select.dataset.signature !== signature) {
    /** @type {[string, Person[]][]} */
    const groups = [
      ['Employees', s.people.filter((p) => (p.kind === 'employee' || p.kind === 'guest') && p.office === undefined)],
      ['Only in Slack: region from their profile', s.people.filter((p) => p.office !== undefined)],
      ['Approvers', s.people.filter((p) => p.kind === 'approver')],
      ['Admins', s.people.filter((p) => p.kind === 'admin')],
    ];
    select.replaceChildren(
      ...groups
        .filter(([, people]) => people.length)
        .map(([label, people]) =>
          h(
            'optgroup',
            { label },
            people.map((p) => h('option', { value: p.id, text: p.label })),
          ),
        ),
    );
    select.dataset.signature = signature;
  }
  select.value = session.user;
  renderOffice(s);
}

/**
 * The Office of your Slack profile, for people only Slack knows: moving office changes the region
 * the bot gives you, once Slack tells it (user_change).
 * @param {PageState} s
 */
function renderOffice(s) {
  const person = s.people.find((p) => p.id === session.user);
  const box = page.officeBox;
  box.hidden = person?.office === undefined;
  if (!person || person.office === undefined) return;
  const select = page.office;
  const signature = s.offices.join('|');
  if (select.dataset.signature !== signature) {
    select.replaceChildren(
      h('option', { value: '', text: '(none)', disabled: true }),
      ...s.offices.map((o) => h('option', { value: o, text: o })),
    );
    select.dataset.signature = signature;
  }
  select.value = person.office ?? '';
}

/** Moving office sends the profile change to the bot, as Slack would. */
export function setupOffice() {
  page.office.addEventListener('change', () => {
    const office = page.office.value;
    if (office) void busy(null, () => changeOffice({ user: session.user, office }));
  });
}

/** Becoming someone else with the picker keeps you where you were. */
export function setupPicker() {
  page.who.addEventListener('change', () => {
    const previousConv = currentConv();
    session.user = page.who.value;
    save('tg.user', session.user);
    // Stay where you were: the same channel, or your own DM, or your own Home.
    session.conv[session.user] = previousConv.startsWith('D') ? dmOf(session.user) : previousConv;
    save('tg.conv', session.conv);
    if (session.conv[session.user] === HOME) openHome();
    repaint();
  });
}
