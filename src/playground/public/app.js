/* global document, window, localStorage, EventSource, fetch */
// The toolgate playground page: a small Slack-like window over the playground server.
//
// It shows the stand-in's state (channels, your DM and ephemerals, your App Home, your modals) as
// the person you picked, renders the Block Kit the bot sent, and reports what you do (type a
// command, click, submit, close) to the server, which sends it to the bot exactly as Slack would.
//
// Every piece of text from the bot, the registry or a person goes into the page through
// textContent or attributes set one by one, never as HTML.

const BOT_NAME = 'toolgate';
const HOME = 'home';

// ------------------------------------------------------------------------------------------------
// DOM helpers
// ------------------------------------------------------------------------------------------------

/**
 * Creates an element. `props`: className, text (textContent), title, dataset {...}, attrs {...},
 * on {event: handler}, and any other property set directly (value, type, disabled, ...).
 */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'className') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'attrs') for (const [name, v] of Object.entries(value)) el.setAttribute(name, String(v));
    else if (key === 'on') for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    else el[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

const $ = (id) => document.getElementById(id);

function load(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch {
    return fallback;
  }
}

function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode: nothing to keep */
  }
}

// ------------------------------------------------------------------------------------------------
// mrkdwn
// ------------------------------------------------------------------------------------------------

const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  ballot_box_with_check: '☑️',
  warning: '⚠️',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  x: '❌',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  red_circle: '🔴',
  white_circle: '⚪',
  large_blue_circle: '🔵',
  grey_question: '❔',
  question: '❓',
  grey_exclamation: '❕',
  exclamation: '❗',
  information_source: 'ℹ️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  lock: '🔒',
  unlock: '🔓',
  key: '🔑',
  shield: '🛡️',
  memo: '📝',
  clipboard: '📋',
  calendar: '📅',
  date: '📅',
  bell: '🔔',
  inbox_tray: '📥',
  outbox_tray: '📤',
  mailbox: '📫',
  eyes: '👀',
  wave: '👋',
  tada: '🎉',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  '-1': '👎',
  bust_in_silhouette: '👤',
  busts_in_silhouette: '👥',
  globe_with_meridians: '🌐',
  earth_asia: '🌏',
  link: '🔗',
  mag: '🔍',
  gear: '⚙️',
  robot_face: '🤖',
  rotating_light: '🚨',
  stopwatch: '⏱️',
  repeat: '🔁',
  arrow_right: '➡️',
  point_right: '👉',
  bulb: '💡',
  sparkles: '✨',
  books: '📚',
  scales: '⚖️',
};

const decodeEntities = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Appends `text` to `parent`, turning :shortcodes: the page knows into emoji. */
function appendWithEmoji(parent, text) {
  const re = /:([a-z0-9_+-]+):/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    const emoji = Object.hasOwn(EMOJI, m[1]) ? EMOJI[m[1]] : undefined;
    if (!emoji) {
      re.lastIndex = m.index + 1;
      continue;
    }
    if (m.index > last) parent.append(document.createTextNode(text.slice(last, m.index)));
    parent.append(
      h('span', { className: 'emoji', text: emoji, title: m[0], attrs: { 'aria-label': m[1].replace(/_/g, ' ') } }),
    );
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

const SAFE_URL = /^(https?:|mailto:)/i;

/** `<...>` in mrkdwn: links, user and channel mentions, special mentions, dates. */
function renderAngle(inner, parent) {
  const bar = inner.indexOf('|');
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : null;
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = nameOf(id) ?? label ?? id;
    parent.append(h('span', { className: id === ui.user ? 'mention me' : 'mention', text: `@${name}`, title: id }));
    return;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const channel = ui.state?.channels.find((c) => c.id === id);
    parent.append(h('span', { className: 'mention channel', text: `#${channel?.name ?? label ?? id}` }));
    return;
  }
  if (target.startsWith('!')) {
    const special = target.slice(1).split('^')[0];
    const text = label ?? (['here', 'channel', 'everyone'].includes(special) ? `@${special}` : target);
    parent.append(h('span', { className: special === 'date' ? '' : 'mention', text }));
    return;
  }
  const url = decodeEntities(target);
  if (SAFE_URL.test(url)) {
    parent.append(h('a', { href: url, text: label ?? url, target: '_blank', rel: 'noopener noreferrer' }));
  } else {
    appendWithEmoji(parent, label ?? url);
  }
}

// Earliest of: `code`, <angle>, *bold*, _italic_, ~strike~.
const INLINE = /`([^`\n]+)`|<([^<>\n]+)>|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~/g;
const WORD = /[\p{L}\p{N}]/u;

/** Slack only formats *x* when the markers stand at word edges: 2*3*4 stays as it is. */
function atWordEdges(text, m) {
  const before = m.index > 0 ? text[m.index - 1] : '';
  const after = text[m.index + m[0].length] ?? '';
  const inner = m[0].slice(1, -1);
  return !WORD.test(before) && !WORD.test(after) && inner.trim() === inner;
}

function renderInline(text, parent) {
  let last = 0;
  const re = new RegExp(INLINE.source, 'g');
  let m;
  while ((m = re.exec(text))) {
    const [, code, angle, bold, italic, strike] = m;
    if ((bold ?? italic ?? strike) !== undefined && !atWordEdges(text, m)) {
      re.lastIndex = m.index + 1;
      continue;
    }
    if (m.index > last) appendWithEmoji(parent, decodeEntities(text.slice(last, m.index)));
    if (code !== undefined) parent.append(h('code', { text: decodeEntities(code) }));
    else if (angle !== undefined) renderAngle(angle, parent);
    else {
      const el = h(bold !== undefined ? 'b' : italic !== undefined ? 'i' : 's');
      renderInline(bold ?? italic ?? strike, el);
      parent.append(el);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) appendWithEmoji(parent, decodeEntities(text.slice(last)));
}

/** Renders Slack mrkdwn into a fragment; lines starting with ">" become a quote, ``` a code block. */
function mrkdwn(text) {
  const frag = document.createDocumentFragment();
  const parts = String(text).split('```');
  parts.forEach((part, i) => {
    const isCode = i % 2 === 1 && i < parts.length - 1;
    if (isCode) {
      frag.append(h('pre', { className: 'code-block', text: decodeEntities(part.replace(/^\n/, '')) }));
      return;
    }
    const chunk = i % 2 === 1 ? `\`\`\`${part}` : part;
    let quote = null;
    const lines = chunk.split('\n');
    lines.forEach((line, j) => {
      const q = /^>\s?(.*)$/.exec(line);
      if (q) {
        if (!quote) {
          quote = h('blockquote');
          frag.append(quote);
        } else quote.append('\n');
        renderInline(q[1], quote);
        return;
      }
      quote = null;
      renderInline(line, frag);
      if (j < lines.length - 1 && !/^>/.test(lines[j + 1] ?? '')) frag.append('\n');
    });
  });
  return frag;
}

/** A Block Kit text object as nodes: mrkdwn rendered, plain_text shown as written (emoji allowed). */
function textObject(obj, className) {
  const el = h('span', { className: className ?? '' });
  if (!obj || typeof obj.text !== 'string') return el;
  if (obj.type === 'mrkdwn') el.append(mrkdwn(obj.text));
  else if (obj.emoji === false) el.textContent = obj.text;
  else appendWithEmoji(el, obj.text);
  return el;
}

const plain = (obj) => (obj && typeof obj.text === 'string' ? obj.text : '');

// ------------------------------------------------------------------------------------------------
// State
// ------------------------------------------------------------------------------------------------

const ui = {
  /** The latest state from the server. */
  state: null,
  /** Who you are (a user id). */
  user: load('tg.user', null),
  /** The open conversation per person: a channel id, `D<user>`, or HOME. */
  conv: load('tg.conv', {}),
  /** Last ts seen per person and conversation, for unread badges. */
  seen: load('tg.seen', {}),
  /** Slackbot-style notices (a failed command), shown only here. */
  notices: [],
  /** Per view: errors the Slack client itself shows (empty required field). */
  clientErrors: {},
  /** Per view: the bot's errors last shown, to notice new ones. */
  botErrors: {},
  /** The modal on screen, as `${view.id}:${view.hash}`. */
  modalKey: null,
  /** Edit stamps of messages already shown, to flash the ones updated in place. */
  edits: new Map(),
  /** Commands sent, for ArrowUp. */
  history: [],
  lastRenderedConv: null,
};

function nameOf(id) {
  return ui.state?.users[id] ?? ui.state?.people.find((p) => p.id === id)?.name;
}

const dmOf = (user) => `D${user}`;
const currentConv = () => ui.conv[ui.user] ?? 'C0GENERAL';

function setConv(conv) {
  ui.conv[ui.user] = conv;
  save('tg.conv', ui.conv);
  if (conv === HOME) openHome();
  render();
  if (conv !== HOME) $('message').focus();
}

const tsNum = (ts) => Number.parseFloat(ts ?? '0') || 0;

/** What the current person sees in a conversation, oldest first. */
function itemsOf(conv) {
  const s = ui.state;
  if (!s) return [];
  const messages = (s.conversations[conv] ?? []).map((m) => ({ kind: 'message', ts: m.ts, user: m.user, m }));
  const ephemerals = s.ephemerals
    .filter((e) => e.user === ui.user && e.conversation === conv)
    .map((e) => ({ kind: 'ephemeral', ts: e.ts, user: '', m: e }));
  const notices = ui.notices
    .filter((n) => n.user === ui.user && n.conv === conv)
    .map((n) => ({ kind: 'notice', ts: n.ts, user: '', m: n }));
  return [...messages, ...ephemerals, ...notices].sort((a, b) => tsNum(a.ts) - tsNum(b.ts));
}

/** Whether the current person is in the conversation (and so gets its unread badge). */
function isMember(conv) {
  const channel = ui.state?.channels.find((c) => c.id === conv);
  return !channel?.members || channel.members.includes(ui.user);
}

function unread(conv) {
  if (!isMember(conv)) return 0;
  const seen = ui.seen[ui.user]?.[conv] ?? 0;
  return itemsOf(conv).filter((i) => i.user !== ui.user && i.kind !== 'notice' && tsNum(i.ts) > seen).length;
}

function markSeen(conv) {
  const items = itemsOf(conv);
  const latest = items.length ? Math.max(...items.map((i) => tsNum(i.ts))) : 0;
  const mine = (ui.seen[ui.user] ??= {});
  if ((mine[conv] ?? 0) >= latest) return;
  mine[conv] = latest;
  save('tg.seen', ui.seen);
}

// ------------------------------------------------------------------------------------------------
// Talking to the playground server
// ------------------------------------------------------------------------------------------------

async function post(path, body) {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }));
    return data && typeof data === 'object' ? data : { ok: false, error: `HTTP ${res.status}` };
  } catch {
    return { ok: false, error: 'The playground is not reachable. Is `npm start` still running?' };
  }
}

let toastTimer = null;
function toast(message) {
  const el = $('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 7000);
}

/** Runs `action` with `button` shown as busy, then reports any failure. */
async function busy(button, action) {
  if (button) {
    button.disabled = true;
    button.classList.add('busy');
  }
  try {
    const result = await action();
    if (result && result.ok === false && result.error) toast(result.error);
    return result;
  } finally {
    if (button && button.isConnected) {
      button.disabled = false;
      button.classList.remove('busy');
    }
  }
}

function openHome() {
  post('/api/home-opened', { user: ui.user }).then((r) => {
    if (r.ok === false && r.error) toast(r.error);
  });
}

// ------------------------------------------------------------------------------------------------
// Block Kit
// ------------------------------------------------------------------------------------------------

/**
 * ctx: { source: {kind, ...} for /api/click, surface: 'message' | 'modal' | 'home', root(): element
 * whose inputs make up the view's state, idPrefix }
 */
function renderBlocks(blocks, ctx) {
  const wrap = h('div', { className: 'blocks' });
  for (const block of blocks ?? []) wrap.append(renderBlock(block, ctx));
  return wrap;
}

function unknownJson(thing, what) {
  return h(
    'div',
    { className: 'unknown-block' },
    h('div', {
      className: 'unknown-title',
      text: `${what} "${thing?.type ?? '?'}" is not rendered by the playground; as Slack received it:`,
    }),
    h('pre', { text: JSON.stringify(thing, null, 2) }),
  );
}

function renderBlock(block, ctx) {
  const blockId = block.block_id ?? '';
  switch (block.type) {
    case 'header':
      return h('div', { className: 'b-header', dataset: { blockId } }, textObject(block.text));
    case 'divider':
      return h('hr', { className: 'b-divider' });
    case 'section': {
      const main = h('div', { className: 'b-section-main' });
      if (block.text) main.append(h('div', { className: 'b-section-text' }, textObject(block.text)));
      if (Array.isArray(block.fields) && block.fields.length) {
        main.append(
          h(
            'div',
            { className: 'b-fields' },
            block.fields.map((f) => h('div', { className: 'b-field' }, textObject(f))),
          ),
        );
      }
      const section = h('div', { className: 'b-section', dataset: { blockId } }, main);
      if (block.accessory)
        section.append(h('div', { className: 'b-accessory' }, renderElement(block.accessory, blockId, ctx, false)));
      return section;
    }
    case 'context': {
      const items = (block.elements ?? []).map((el) =>
        el.type === 'image'
          ? renderImage(el, 'b-context-image')
          : el.type === 'mrkdwn' || el.type === 'plain_text'
            ? textObject(el)
            : unknownJson(el, 'Element'),
      );
      return h('div', { className: 'b-context', dataset: { blockId } }, items);
    }
    case 'actions':
      return h(
        'div',
        { className: 'b-actions', dataset: { blockId } },
        (block.elements ?? []).map((el) => renderElement(el, blockId, ctx, false)),
      );
    case 'image':
      return h(
        'figure',
        { className: 'b-image', dataset: { blockId } },
        block.title ? h('figcaption', {}, textObject(block.title)) : null,
        renderImage(block, ''),
      );
    case 'input':
      return renderInputBlock(block, ctx);
    default:
      return unknownJson(block, 'Block');
  }
}

function renderImage(el, className) {
  const url = el.image_url ?? '';
  if (!/^https:/i.test(url))
    return h('span', { className: `image-alt ${className}`, text: `[image: ${el.alt_text ?? ''}]` });
  return h('img', { className, src: url, alt: el.alt_text ?? '', loading: 'lazy' });
}

function act(ctx, blockId, actionId, button, extra = {}) {
  const values = ctx.surface === 'message' ? undefined : collectValues(ctx.root());
  return busy(button, () =>
    post('/api/click', {
      user: ui.user,
      source: ctx.source,
      blockId,
      actionId,
      ...extra,
      ...(values ? { values } : {}),
    }),
  );
}

const options = (el) => [...(el.options ?? []), ...(el.option_groups ?? []).flatMap((g) => g.options ?? [])];

function optionNodes(el, placeholder) {
  const nodes = [h('option', { value: '', text: placeholder })];
  if (Array.isArray(el.option_groups) && el.option_groups.length) {
    for (const group of el.option_groups) {
      nodes.push(
        h(
          'optgroup',
          { label: plain(group.label) },
          (group.options ?? []).map((o) => h('option', { value: o.value, text: plain(o.text) })),
        ),
      );
    }
  } else {
    for (const o of el.options ?? []) nodes.push(h('option', { value: o.value, text: plain(o.text) }));
  }
  return nodes;
}

/** Choices the playground can offer for users/conversations selects: the people and channels here. */
function entityOptions(type) {
  const s = ui.state;
  if (type.includes('user')) return s.people.map((p) => ({ value: p.id, text: { text: p.name } }));
  return s.channels.map((c) => ({ value: c.id, text: { text: `#${c.name}` } }));
}

/**
 * An interactive element. `inInput`: inside an input block (its value is state, sent on submit);
 * otherwise it dispatches a block action right away, as in Slack.
 */
function renderElement(el, blockId, ctx, inInput, dispatch = false) {
  const actionId = el.action_id ?? '';
  const id = `${ctx.idPrefix}-${blockId}-${actionId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const stateful = { id, dataset: { blockId, actionId, type: el.type, ...(inInput ? { input: '1' } : {}) } };
  const onPick = (getSelected) =>
    inInput && !dispatch
      ? {}
      : { change: (e) => act(ctx, blockId, actionId, null, { selected: getSelected(e.currentTarget) }) };
  const placeholder = plain(el.placeholder) || 'Select an option';

  switch (el.type) {
    case 'button': {
      const button = h('button', {
        type: 'button',
        className: `sk-btn${el.style === 'primary' ? ' primary' : el.style === 'danger' ? ' danger' : ''}`,
        dataset: { blockId, actionId },
        on: {
          click: (e) => {
            if (el.url && SAFE_URL.test(el.url)) window.open(el.url, '_blank', 'noopener,noreferrer');
            act(ctx, blockId, actionId, e.currentTarget);
          },
        },
      });
      button.append(textObject(el.text));
      return button;
    }
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input': {
      const multiline = el.type === 'plain_text_input' && el.multiline === true;
      const input = h(multiline ? 'textarea' : 'input', {
        ...stateful,
        className: 'sk-input',
        placeholder: plain(el.placeholder),
        value: el.initial_value ?? '',
        ...(multiline
          ? { rows: 4 }
          : { type: el.type === 'email_text_input' ? 'email' : el.type === 'url_text_input' ? 'url' : 'text' }),
        ...(el.type === 'number_input' ? { inputMode: el.is_decimal_allowed ? 'decimal' : 'numeric' } : {}),
        ...(typeof el.max_length === 'number' ? { maxLength: el.max_length } : {}),
      });
      if (el.focus_on_load) input.dataset.focus = '1';
      return input;
    }
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'overflow': {
      const list =
        el.type === 'static_select' || el.type === 'overflow' || el.type === 'external_select'
          ? el
          : { options: entityOptions(el.type) };
      const select = h(
        'select',
        { ...stateful, className: `sk-select${el.type === 'overflow' ? ' overflow' : ''}`, on: onPick((t) => t.value) },
        optionNodes(list, el.type === 'overflow' ? '⋯' : placeholder),
      );
      select.value = el.initial_option?.value ?? el.initial_user ?? el.initial_conversation ?? el.initial_channel ?? '';
      return select;
    }
    case 'multi_static_select':
    case 'multi_users_select':
    case 'multi_conversations_select':
    case 'multi_channels_select': {
      const list = el.type === 'multi_static_select' ? el : { options: entityOptions(el.type) };
      const select = h(
        'select',
        {
          ...stateful,
          className: 'sk-select multi',
          multiple: true,
          on: onPick((t) => [...t.selectedOptions].map((o) => o.value)),
        },
        optionNodes(list, '').slice(1),
      );
      const initial = new Set([
        ...(el.initial_options ?? []).map((o) => o.value),
        ...(el.initial_users ?? []),
        ...(el.initial_conversations ?? []),
        ...(el.initial_channels ?? []),
      ]);
      for (const o of select.options) o.selected = initial.has(o.value);
      return select;
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const radio = el.type === 'radio_buttons';
      const group = h('div', { ...stateful, className: 'sk-choices', attrs: { role: radio ? 'radiogroup' : 'group' } });
      const initial = new Set(radio ? [el.initial_option?.value] : (el.initial_options ?? []).map((o) => o.value));
      const read = () => {
        const picked = [...group.querySelectorAll('input:checked')].map((i) => i.value);
        return radio ? (picked[0] ?? '') : picked;
      };
      for (const [i, o] of options(el).entries()) {
        const input = h('input', {
          type: radio ? 'radio' : 'checkbox',
          name: id,
          value: o.value,
          id: `${id}-${i}`,
          checked: initial.has(o.value),
          on: onPick(read),
        });
        const label = h('label', { className: 'sk-choice', attrs: { for: `${id}-${i}` } }, input, textObject(o.text));
        if (o.description) label.append(h('span', { className: 'sk-choice-desc' }, textObject(o.description)));
        group.append(label);
      }
      return group;
    }
    case 'datepicker':
      return h('input', {
        ...stateful,
        className: 'sk-input date',
        type: 'date',
        value: el.initial_date ?? '',
        on: onPick((t) => t.value),
      });
    case 'timepicker':
      return h('input', {
        ...stateful,
        className: 'sk-input time',
        type: 'time',
        value: el.initial_time ?? '',
        on: onPick((t) => t.value),
      });
    case 'image':
      return renderImage(el, 'b-accessory-image');
    default:
      return unknownJson(el, 'Element');
  }
}

function renderInputBlock(block, ctx) {
  const blockId = block.block_id ?? '';
  const el = block.element ?? {};
  const control = renderElement(el, blockId, ctx, true, block.dispatch_action === true);
  const label = h('label', { className: 'b-input-label', attrs: { for: control.id || '' } }, textObject(block.label));
  if (block.optional) label.append(h('span', { className: 'optional', text: ' (optional)' }));
  return h(
    'div',
    { className: 'b-input', dataset: { blockId } },
    label,
    control,
    block.hint ? h('div', { className: 'b-input-hint' }, textObject(block.hint)) : null,
    h('div', { className: 'field-error', dataset: { errorFor: blockId }, attrs: { role: 'alert' } }),
  );
}

/** The values of the inputs under `root`, as { [block_id]: { [action_id]: value } }. */
function collectValues(root) {
  const values = {};
  if (!root) return values;
  for (const el of root.querySelectorAll('[data-input="1"]')) {
    const { blockId, actionId, type } = el.dataset;
    let value;
    if (type === 'radio_buttons') value = el.querySelector('input:checked')?.value ?? null;
    else if (type === 'checkboxes') value = [...el.querySelectorAll('input:checked')].map((i) => i.value);
    else if (el.multiple) value = [...el.selectedOptions].map((o) => o.value);
    else value = el.value === '' ? null : el.value;
    (values[blockId] ??= {})[actionId] = value;
  }
  return values;
}

/** Puts back what the person had typed, after the bot updated the same view. */
function restoreValues(root, values) {
  for (const el of root.querySelectorAll('[data-input="1"]')) {
    const { blockId, actionId, type } = el.dataset;
    const value = values[blockId]?.[actionId];
    if (value === undefined) continue;
    if (type === 'radio_buttons' || type === 'checkboxes') {
      const wanted = new Set(Array.isArray(value) ? value : [value]);
      for (const i of el.querySelectorAll('input')) i.checked = wanted.has(i.value);
    } else if (el.multiple) {
      const wanted = new Set(Array.isArray(value) ? value : [value]);
      for (const o of el.options) o.selected = wanted.has(o.value);
    } else el.value = value ?? '';
  }
}

// ------------------------------------------------------------------------------------------------
// Rendering
// ------------------------------------------------------------------------------------------------

function initials(name) {
  const parts = String(name)
    .split(/[\s.]+/)
    .filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

function hue(text) {
  let n = 0;
  for (const c of String(text)) n = (n * 31 + c.charCodeAt(0)) % 360;
  return n;
}

function avatar(name, isBot) {
  const el = h('div', {
    className: `avatar${isBot ? ' bot' : ''}`,
    text: isBot ? 'tg' : initials(name),
    attrs: { 'aria-hidden': 'true' },
  });
  if (!isBot) el.style.backgroundColor = `hsl(${hue(name)} 45% 45%)`;
  return el;
}

function timeOf(ts) {
  const date = new Date(tsNum(ts) * 1000);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function renderPicker() {
  const select = $('who');
  const s = ui.state;
  const signature = s.people.map((p) => `${p.id}:${p.label}`).join('|');
  if (select.dataset.signature !== signature) {
    const groups = [
      ['Employees', s.people.filter((p) => p.kind === 'employee' || p.kind === 'guest')],
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
  select.value = ui.user;
}

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

function renderSidebar() {
  const s = ui.state;
  const me = s.people.find((p) => p.id === ui.user);
  const firstGroupApprover = s.people.find((p) => p.kind === 'approver');
  const channelOfApprover = s.channels[1];
  const employee = s.people.find((p) => p.id === s.defaultUser);
  const tourOpen = load('tg.tour', true);
  const tour = h(
    'details',
    { className: 'tour', open: tourOpen, on: { toggle: (e) => save('tg.tour', e.currentTarget.open) } },
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
  $('sidebar').replaceChildren(
    h('div', { className: 'sb-me', text: me ? me.label : ui.user }),
    h('div', { className: 'sb-title', text: 'Channels' }),
    ...s.channels.map((c) => sidebarItem(c.id, c.name, '#')),
    h('div', { className: 'sb-title', text: 'Direct messages' }),
    sidebarItem(dmOf(ui.user), BOT_NAME, '●', ' dm'),
    h('div', { className: 'sb-title', text: 'Apps' }),
    sidebarItem(HOME, `${BOT_NAME} · Home`, '⌂'),
    tour,
  );
}

function renderHeader(conv) {
  const s = ui.state;
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
    purpose = `Direct messages between toolgate and ${nameOf(ui.user) ?? ui.user}.`;
  } else {
    const channel = s.channels.find((c) => c.id === conv);
    title = h('span', {}, `# ${channel?.name ?? conv}`);
    purpose = channel?.purpose ?? '';
    if (!isMember(conv)) purpose = `${purpose} You are not a member: you can read along.`.trim();
  }
  title.className = 'pane-title-text';
  $('pane-header').replaceChildren(
    h('h1', { className: 'pane-title' }, title),
    h('div', { className: 'pane-purpose', text: purpose }),
  );
}

function renderMessage(item, conv) {
  const m = item.m;
  const isBot =
    item.kind !== 'notice' &&
    (Boolean(m.bot_id) || m.user === ui.state.workspace.botUserId || item.kind === 'ephemeral');
  const author = item.kind === 'notice' ? 'Slackbot' : isBot ? BOT_NAME : (nameOf(m.user) ?? m.user);
  const key = `${conv}:${m.ts}`;
  const editedTs = m.edited?.ts ?? '';
  const flash = ui.edits.has(key) && ui.edits.get(key) !== editedTs;
  ui.edits.set(key, editedTs);

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
  const source =
    item.kind === 'ephemeral' ? { kind: 'ephemeral', ts: m.ts } : { kind: 'message', channel: conv, ts: m.ts };
  const ctx = { source, surface: 'message', root: () => null, idPrefix: `m${m.ts}` };
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

function emptyState(conv) {
  if (conv === HOME) {
    return h(
      'div',
      { className: 'empty' },
      h('p', { text: 'toolgate has not published a Home tab for you (yet).' }),
      h('p', { className: 'muted', text: 'Opening this tab sends app_home_opened to the bot, as Slack does.' }),
    );
  }
  const cmd = ui.state.commands[0]?.command ?? '/can-i-use';
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

function renderPane(conv) {
  const body = $('pane-body');
  const convChanged = ui.lastRenderedConv !== `${ui.user}:${conv}`;
  const atBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 80;
  const scrollTop = body.scrollTop;
  if (conv === HOME) {
    const home = ui.state.homes[ui.user];
    const ctx = {
      source: home ? { kind: 'view', viewId: home.id } : null,
      surface: 'home',
      root: () => body,
      idPrefix: 'home',
    };
    body.replaceChildren(
      home && home.blocks.length ? h('div', { className: 'home' }, renderBlocks(home.blocks, ctx)) : emptyState(HOME),
    );
    if (convChanged) body.scrollTop = 0;
    else body.scrollTop = scrollTop;
  } else {
    const items = itemsOf(conv);
    body.replaceChildren(...(items.length ? items.map((i) => renderMessage(i, conv)) : [emptyState(conv)]));
    if (convChanged || atBottom) body.scrollTop = body.scrollHeight;
    else body.scrollTop = scrollTop;
    markSeen(conv);
  }
  ui.lastRenderedConv = `${ui.user}:${conv}`;
  const readOnly = conv.startsWith('D') && ui.state.messagesReadOnly;
  $('composer').hidden = conv === HOME || readOnly;
  $('composer-note').hidden = !readOnly;
}

function renderModal() {
  const root = $('modal-root');
  const stack = ui.state.modals[ui.user] ?? [];
  const view = stack.at(-1);
  if (!view) {
    root.hidden = true;
    root.replaceChildren();
    ui.modalKey = null;
    return;
  }
  const key = `${ui.user}:${view.id}:${view.hash}`;
  if (key !== ui.modalKey) {
    const sameView = ui.modalKey?.startsWith(`${ui.user}:${view.id}:`);
    const previous = sameView ? collectValues(root.querySelector('.modal-body')) : null;
    const body = h('div', { className: 'modal-body' });
    const ctx = { source: { kind: 'view', viewId: view.id }, surface: 'modal', root: () => body, idPrefix: view.id };
    body.append(
      h('div', { className: 'modal-general-error', attrs: { role: 'alert' }, hidden: true }),
      renderBlocks(view.blocks, ctx),
    );
    const close = (all) => busy(null, () => post('/api/close', { user: ui.user, viewId: view.id, all }));
    const titleId = `title-${view.id}`;
    const foot = h(
      'div',
      { className: 'modal-foot' },
      h(
        'button',
        { type: 'button', className: 'sk-btn', on: { click: () => close(false) } },
        textObject(view.close ?? { type: 'plain_text', text: 'Cancel' }),
      ),
    );
    if (view.submit) {
      const submit = h('button', { type: 'submit', className: 'sk-btn primary' }, textObject(view.submit));
      foot.append(submit);
    }
    const form = h(
      'form',
      {
        className: 'modal',
        attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
        dataset: { viewId: view.id },
        noValidate: true,
        on: {
          submit: (e) => {
            e.preventDefault();
            if (!view.submit) return;
            const button = form.querySelector('button[type=submit]');
            const values = collectValues(body);
            delete ui.clientErrors[view.id];
            busy(button, async () => {
              const result = await post('/api/submit', { user: ui.user, viewId: view.id, values });
              if (result.ok === false && result.errors) {
                ui.clientErrors[view.id] = result.errors;
                showErrors(view);
              }
              return result;
            });
          },
          keydown: (e) => {
            if (e.key === 'Escape') close(true);
          },
        },
      },
      h(
        'div',
        { className: 'modal-head' },
        h('h2', { id: titleId }, textObject(view.title)),
        h('button', {
          type: 'button',
          className: 'modal-x',
          text: '×',
          attrs: { 'aria-label': 'Close' },
          on: { click: () => close(true) },
        }),
      ),
      body,
      foot,
    );
    root.replaceChildren(h('div', { className: 'modal-backdrop' }, form));
    root.hidden = false;
    if (previous) restoreValues(body, previous);
    ui.modalKey = key;
    const focus = body.querySelector('[data-focus="1"]') ?? body.querySelector('input, textarea, select');
    (focus ?? form).focus?.();
  }
  showErrors(view);
}

function showErrors(view) {
  const root = $('modal-root');
  // The newest errors win: new ones from the bot replace what the client said before.
  const fromBot = JSON.stringify(view.errors ?? {});
  if (ui.botErrors[view.id] !== undefined && ui.botErrors[view.id] !== fromBot) delete ui.clientErrors[view.id];
  ui.botErrors[view.id] = fromBot;
  const errors = { ...(view.errors ?? {}), ...(ui.clientErrors[view.id] ?? {}) };
  const slots = [...root.querySelectorAll('[data-error-for]')];
  const slotIds = new Set(slots.map((slot) => slot.dataset.errorFor));
  const general = Object.entries(errors)
    .filter(([blockId]) => !slotIds.has(blockId))
    .map(([, message]) => message);
  for (const slot of slots) {
    const message = errors[slot.dataset.errorFor] ?? '';
    slot.textContent = message;
    slot.closest('.b-input')?.classList.toggle('has-error', message !== '');
  }
  const box = root.querySelector('.modal-general-error');
  if (box) {
    box.textContent = general.join(' ');
    box.hidden = general.length === 0;
  }
}

function render() {
  if (!ui.state) return;
  if (!ui.user || !ui.state.people.some((p) => p.id === ui.user)) ui.user = ui.state.defaultUser;
  const conv = currentConv();
  renderPicker();
  renderHeader(conv);
  renderPane(conv);
  renderSidebar();
  renderModal();
}

// ------------------------------------------------------------------------------------------------
// Composer
// ------------------------------------------------------------------------------------------------

function renderHints() {
  const box = $('command-hints');
  const text = $('message').value;
  const word = text.split(/\s/)[0] ?? '';
  const matches =
    text.startsWith('/') && !/\s/.test(text)
      ? (ui.state?.commands ?? []).filter((c) => c.command.startsWith(word.toLowerCase()))
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
              $('message').value = `${c.command} `;
              renderHints();
              $('message').focus();
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

async function send() {
  const input = $('message');
  const text = input.value.trim();
  const conv = currentConv();
  if (!text || conv === HOME) return;
  input.value = '';
  renderHints();
  ui.history.push(text);
  const user = ui.user;
  const result = await post('/api/command', { user, channel: conv, text });
  if (result.ok === false) {
    const last = Math.max(0, ...itemsOf(conv).map((i) => tsNum(i.ts)));
    ui.notices.push({
      user,
      conv,
      ts: String(Math.max(Date.now() / 1000, last + 0.000001)),
      text: result.error ?? 'That did not work.',
    });
    render();
  }
}

function setupComposer() {
  const input = $('message');
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    } else if (e.key === 'ArrowUp' && input.value === '' && ui.history.length) {
      e.preventDefault();
      input.value = ui.history.at(-1);
    } else if (e.key === 'Tab' && input.value.startsWith('/') && !/\s/.test(input.value)) {
      const match = (ui.state?.commands ?? []).filter((c) => c.command.startsWith(input.value.toLowerCase()));
      if (match.length === 1) {
        e.preventDefault();
        input.value = `${match[0].command} `;
        renderHints();
      }
    }
  });
  input.addEventListener('input', renderHints);
}

// ------------------------------------------------------------------------------------------------
// Start
// ------------------------------------------------------------------------------------------------

function setStatus(text, problem = false) {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('problem', problem);
}

function connect() {
  const events = new EventSource('/api/events');
  events.addEventListener('state', (e) => {
    const first = ui.state === null;
    ui.state = JSON.parse(e.data);
    setStatus('connected to the bot');
    render();
    if (first && currentConv() === HOME) openHome();
  });
  events.addEventListener('error', () => setStatus('reconnecting…', true));
}

$('who').addEventListener('change', (e) => {
  const previousConv = currentConv();
  ui.user = e.currentTarget.value;
  save('tg.user', ui.user);
  // Stay where you were: the same channel, or your own DM, or your own Home.
  ui.conv[ui.user] = previousConv.startsWith('D') ? dmOf(ui.user) : previousConv;
  save('tg.conv', ui.conv);
  if (ui.conv[ui.user] === HOME) openHome();
  render();
});

setupComposer();
connect();
