// @ts-check
// Block Kit to DOM: mrkdwn and text objects, blocks, and the interactive elements, which report
// clicks and picks to the page API as Slack's client would.
//
// Every piece of text from the bot, the registry or a person goes into the page through
// textContent or attributes set one by one, never as HTML.

import { click } from './api.js';
import { busy, h, listen } from './dom.js';
import { nameOf, session } from './session.js';

/**
 * @import {
 *   ActionsBlock, Block, BlockElement, ContextBlock, Handlers, ImageBlock, ImageElement, InputBlock, KnownBlock,
 *   KnownElement, Option, OptionList, RenderContext, SectionBlock, Selected, TextObject,
 * } from './types.js'
 */

// ------------------------------------------------------------------------------------------------
// mrkdwn
// ------------------------------------------------------------------------------------------------

/** @type {Record<string, string>} */
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

/** @param {string} text */
const decodeEntities = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Appends `text` to `parent`, turning :shortcodes: the page knows into emoji.
 * @param {Node & ParentNode} parent
 * @param {string} text
 */
function appendWithEmoji(parent, text) {
  const re = /:([a-z0-9_+-]+):/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    const name = m[1] ?? '';
    const emoji = Object.hasOwn(EMOJI, name) ? EMOJI[name] : undefined;
    if (!emoji) {
      re.lastIndex = m.index + 1;
      continue;
    }
    if (m.index > last) parent.append(document.createTextNode(text.slice(last, m.index)));
    parent.append(
      h('span', { className: 'emoji', text: emoji, title: m[0], attrs: { 'aria-label': name.replace(/_/g, ' ') } }),
    );
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

const SAFE_URL = /^(https?:|mailto:)/i;

/**
 * `<...>` in mrkdwn: links, user and channel mentions, special mentions, dates.
 * @param {string} inner
 * @param {Node & ParentNode} parent
 */
function renderAngle(inner, parent) {
  const bar = inner.indexOf('|');
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : null;
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = nameOf(id) ?? label ?? id;
    parent.append(
      h('span', { className: id === session.user ? 'mention me' : 'mention', text: `@${name}`, title: id }),
    );
    return;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const channel = session.state?.channels.find((c) => c.id === id);
    parent.append(h('span', { className: 'mention channel', text: `#${channel?.name ?? label ?? id}` }));
    return;
  }
  if (target.startsWith('!subteam^')) {
    // A user group mention shows its handle, as Slack shows it; hovering it lists who is in it.
    const id = target.slice('!subteam^'.length);
    const group = session.state?.usergroups.find((g) => g.id === id);
    const members = group?.members.map((m) => nameOf(m) ?? m).join(', ');
    parent.append(
      h('span', {
        className: 'mention',
        text: group ? `@${group.handle}` : (label ?? '@group'),
        title: members ? `${group?.name}: ${members}` : id,
      }),
    );
    return;
  }
  if (target.startsWith('!')) {
    const special = target.slice(1).split('^')[0] ?? '';
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

/**
 * Slack only formats *x* when the markers stand at word edges: 2*3*4 stays as it is.
 * @param {string} text
 * @param {RegExpExecArray} m
 */
function atWordEdges(text, m) {
  const before = m.index > 0 ? (text[m.index - 1] ?? '') : '';
  const after = text[m.index + m[0].length] ?? '';
  const inner = m[0].slice(1, -1);
  return !WORD.test(before) && !WORD.test(after) && inner.trim() === inner;
}

/**
 * @param {string} text
 * @param {Node & ParentNode} parent
 */
function renderInline(text, parent) {
  let last = 0;
  const re = new RegExp(INLINE.source, 'g');
  let m;
  while ((m = re.exec(text))) {
    const [, code, angle, bold, italic, strike] = m;
    const styled = bold ?? italic ?? strike;
    if (styled !== undefined && !atWordEdges(text, m)) {
      re.lastIndex = m.index + 1;
      continue;
    }
    if (m.index > last) appendWithEmoji(parent, decodeEntities(text.slice(last, m.index)));
    if (code !== undefined) parent.append(h('code', { text: decodeEntities(code) }));
    else if (angle !== undefined) renderAngle(angle, parent);
    else if (styled !== undefined) {
      const el = h(bold !== undefined ? 'b' : italic !== undefined ? 'i' : 's');
      renderInline(styled, el);
      parent.append(el);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) appendWithEmoji(parent, decodeEntities(text.slice(last)));
}

/**
 * Renders Slack mrkdwn into a fragment; lines starting with ">" become a quote, ``` a code block.
 * @param {string} text
 * @returns {DocumentFragment}
 */
export function mrkdwn(text) {
  const frag = document.createDocumentFragment();
  const parts = String(text).split('```');
  parts.forEach((part, i) => {
    const isCode = i % 2 === 1 && i < parts.length - 1;
    if (isCode) {
      frag.append(h('pre', { className: 'code-block', text: decodeEntities(part.replace(/^\n/, '')) }));
      return;
    }
    const chunk = i % 2 === 1 ? `\`\`\`${part}` : part;
    /** @type {HTMLQuoteElement | null} */
    let quote = null;
    const lines = chunk.split('\n');
    lines.forEach((line, j) => {
      const q = /^>\s?(.*)$/.exec(line);
      if (q) {
        if (!quote) {
          quote = h('blockquote');
          frag.append(quote);
        } else quote.append('\n');
        renderInline(q[1] ?? '', quote);
        return;
      }
      quote = null;
      renderInline(line, frag);
      if (j < lines.length - 1 && !/^>/.test(lines[j + 1] ?? '')) frag.append('\n');
    });
  });
  return frag;
}

/**
 * A Block Kit text object as nodes: mrkdwn rendered, plain_text shown as written (emoji allowed).
 * @param {TextObject | undefined} obj
 * @param {string} [className]
 * @returns {HTMLSpanElement}
 */
export function textObject(obj, className) {
  const el = h('span', { className: className ?? '' });
  if (!obj || typeof obj.text !== 'string') return el;
  if (obj.type === 'mrkdwn') el.append(mrkdwn(obj.text));
  else if (obj.emoji === false) el.textContent = obj.text;
  else appendWithEmoji(el, obj.text);
  return el;
}

/** @param {TextObject | undefined} obj */
const plain = (obj) => (obj && typeof obj.text === 'string' ? obj.text : '');

// ------------------------------------------------------------------------------------------------
// Blocks
// ------------------------------------------------------------------------------------------------

/**
 * @param {Block[] | undefined} blocks
 * @param {RenderContext} ctx
 */
export function renderBlocks(blocks, ctx) {
  const wrap = h('div', { className: 'blocks' });
  for (const block of blocks ?? []) wrap.append(renderBlock(block, ctx));
  return wrap;
}

/**
 * Something the page does not know how to show, as Slack received it.
 * @param {{ type?: string } | null | undefined} thing
 * @param {string} what
 */
export function unknownJson(thing, what) {
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

/**
 * @param {Block} block
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
function renderBlock(block, ctx) {
  const blockId = block.block_id ?? '';
  const known = /** @type {KnownBlock} */ (block);
  switch (known.type) {
    case 'header':
      return h('div', { className: 'b-header', dataset: { blockId } }, textObject(known.text));
    case 'divider':
      return h('hr', { className: 'b-divider' });
    case 'section':
      return renderSection(known, blockId, ctx);
    case 'context':
      return renderContext(known, blockId);
    case 'actions':
      return renderActions(known, blockId, ctx);
    case 'image':
      return renderImageBlock(known, blockId);
    case 'input':
      return renderInputBlock(known, ctx);
    default:
      return unknownJson(block, 'Block');
  }
}

/**
 * @param {SectionBlock} block
 * @param {string} blockId
 * @param {RenderContext} ctx
 */
function renderSection(block, blockId, ctx) {
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

/**
 * @param {ContextBlock} block
 * @param {string} blockId
 */
function renderContext(block, blockId) {
  const items = (block.elements ?? []).map((item) => {
    const el = /** @type {ImageElement | TextObject} */ (item);
    return el.type === 'image'
      ? renderImage(el, 'b-context-image')
      : el.type === 'mrkdwn' || el.type === 'plain_text'
        ? textObject(el)
        : unknownJson(item, 'Element');
  });
  return h('div', { className: 'b-context', dataset: { blockId } }, items);
}

/**
 * @param {ActionsBlock} block
 * @param {string} blockId
 * @param {RenderContext} ctx
 */
function renderActions(block, blockId, ctx) {
  return h(
    'div',
    { className: 'b-actions', dataset: { blockId } },
    (block.elements ?? []).map((el) => renderElement(el, blockId, ctx, false)),
  );
}

/**
 * @param {ImageBlock} block
 * @param {string} blockId
 */
function renderImageBlock(block, blockId) {
  return h(
    'figure',
    { className: 'b-image', dataset: { blockId } },
    block.title ? h('figcaption', {}, textObject(block.title)) : null,
    renderImage(block, ''),
  );
}

/**
 * An image, only from https: (anything else is shown as its alt text).
 * @param {{ image_url?: string, alt_text?: string }} el
 * @param {string} className
 */
function renderImage(el, className) {
  const url = el.image_url ?? '';
  if (!/^https:/i.test(url))
    return h('span', { className: `image-alt ${className}`, text: `[image: ${el.alt_text ?? ''}]` });
  return h('img', { className, src: url, alt: el.alt_text ?? '', loading: 'lazy' });
}

/**
 * @param {InputBlock} block
 * @param {RenderContext} ctx
 */
function renderInputBlock(block, ctx) {
  const blockId = block.block_id ?? '';
  const el = block.element ?? /** @type {BlockElement} */ ({});
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

// ------------------------------------------------------------------------------------------------
// Elements
// ------------------------------------------------------------------------------------------------

/**
 * Sends a block action: the click or pick, and the view's inputs so far (in a modal or the Home).
 * @param {RenderContext} ctx
 * @param {string} blockId
 * @param {string} actionId
 * @param {HTMLButtonElement | null} button
 * @param {{ selected?: Selected }} [extra]
 */
function act(ctx, blockId, actionId, button, extra = {}) {
  const values = ctx.values?.();
  return busy(button, () =>
    click({
      user: session.user,
      source: ctx.source,
      blockId,
      actionId,
      ...extra,
      ...(values ? { values } : {}),
    }),
  );
}

/** @param {OptionList} el */
const options = (el) => [...(el.options ?? []), ...(el.option_groups ?? []).flatMap((g) => g.options ?? [])];

/**
 * @param {OptionList} el
 * @param {string} placeholder
 */
function optionNodes(el, placeholder) {
  /** @type {(HTMLOptionElement | HTMLOptGroupElement)[]} */
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

/**
 * Choices the playground can offer for users/conversations selects: the people and channels here.
 * @param {string} type
 * @returns {Option[]}
 */
function entityOptions(type) {
  const s = session.state;
  if (!s) return [];
  if (type.includes('user')) return s.people.map((p) => ({ value: p.id, text: { type: 'plain_text', text: p.name } }));
  return s.channels.map((c) => ({ value: c.id, text: { type: 'plain_text', text: `#${c.name}` } }));
}

/**
 * An interactive element. `inInput`: inside an input block (its value is state, sent on submit);
 * otherwise it dispatches a block action right away, as in Slack.
 * @param {BlockElement} element
 * @param {string} blockId
 * @param {RenderContext} ctx
 * @param {boolean} inInput
 * @param {boolean} [dispatch]
 * @returns {HTMLElement}
 */
function renderElement(element, blockId, ctx, inInput, dispatch = false) {
  const actionId = element.action_id ?? '';
  const id = `${ctx.idPrefix}-${blockId}-${actionId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const stateful = {
    id,
    dataset: { blockId, actionId, type: element.type, ...(inInput ? { input: '1' } : {}) },
  };
  /**
   * Listeners that report a pick right away (not in an input block, unless it dispatches).
   * @param {() => Selected} read
   * @returns {Handlers}
   */
  const onPick = (read) =>
    inInput && !dispatch ? {} : { change: () => void act(ctx, blockId, actionId, null, { selected: read() }) };

  const el = /** @type {KnownElement} */ (element);
  switch (el.type) {
    case 'button': {
      const button = h('button', {
        type: 'button',
        className: `sk-btn${el.style === 'primary' ? ' primary' : el.style === 'danger' ? ' danger' : ''}`,
        dataset: { blockId, actionId },
      });
      button.addEventListener('click', () => {
        if (el.url && SAFE_URL.test(el.url)) window.open(el.url, '_blank', 'noopener,noreferrer');
        void act(ctx, blockId, actionId, button);
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
        { ...stateful, className: `sk-select${el.type === 'overflow' ? ' overflow' : ''}` },
        optionNodes(list, el.type === 'overflow' ? '⋯' : plain(el.placeholder) || 'Select an option'),
      );
      listen(
        select,
        onPick(() => select.value),
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
        { ...stateful, className: 'sk-select multi', multiple: true },
        optionNodes(list, '').slice(1),
      );
      listen(
        select,
        onPick(() => [...select.selectedOptions].map((o) => o.value)),
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
        const picked = [...group.querySelectorAll('input:checked')].map(
          (i) => /** @type {HTMLInputElement} */ (i).value,
        );
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
    case 'datepicker': {
      const input = h('input', { ...stateful, className: 'sk-input date', type: 'date', value: el.initial_date ?? '' });
      listen(
        input,
        onPick(() => input.value),
      );
      return input;
    }
    case 'timepicker': {
      const input = h('input', { ...stateful, className: 'sk-input time', type: 'time', value: el.initial_time ?? '' });
      listen(
        input,
        onPick(() => input.value),
      );
      return input;
    }
    case 'image':
      return renderImage(el, 'b-accessory-image');
    default:
      return unknownJson(element, 'Element');
  }
}
