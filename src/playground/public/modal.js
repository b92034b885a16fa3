// @ts-check
// Modals: the top of the current person's stack on screen, its inputs and their values (kept when
// the bot updates the view), submit and close, and the per-field errors from the client or the bot.

import { closeView, submitView } from './api.js';
import { renderBlocks, textObject } from './blocks.js';
import { busy, h, page } from './dom.js';
import { session } from './session.js';

/** @import { InputValue, InputValues, Modal, PageState, RenderContext } from './types.js' */

/** @type {Record<string, Record<string, string>>} Per view: errors the Slack client itself shows (empty required field). */
const clientErrors = {};
/** @type {Record<string, string>} Per view: the bot's errors last shown, to notice new ones. */
const botErrors = {};
/** @type {string | null} The modal on screen, as `${user}:${view.id}:${view.hash}`. */
let modalKey = null;

/**
 * The values of the inputs under `root`, as { [block_id]: { [action_id]: value } }.
 * @param {ParentNode | null} root
 * @returns {InputValues}
 */
export function collectValues(root) {
  /** @type {InputValues} */
  const values = {};
  if (!root) return values;
  for (const el of root.querySelectorAll('[data-input="1"]')) {
    if (!(el instanceof HTMLElement)) continue;
    const { blockId = '', actionId = '', type } = el.dataset;
    /** @type {InputValue} */
    let value;
    if (type === 'radio_buttons') value = checked(el)[0] ?? null;
    else if (type === 'checkboxes') value = checked(el);
    else if (el instanceof HTMLSelectElement && el.multiple) value = [...el.selectedOptions].map((o) => o.value);
    else {
      const field = /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */ (el);
      value = field.value === '' ? null : field.value;
    }
    (values[blockId] ??= {})[actionId] = value;
  }
  return values;
}

/**
 * The values of the checked radio buttons or checkboxes under `el`.
 * @param {ParentNode} el
 */
const checked = (el) => [...el.querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);

/**
 * Puts back what the person had typed, after the bot updated the same view.
 * @param {ParentNode} root
 * @param {InputValues} values
 */
function restoreValues(root, values) {
  for (const el of root.querySelectorAll('[data-input="1"]')) {
    if (!(el instanceof HTMLElement)) continue;
    const { blockId = '', actionId = '', type } = el.dataset;
    const value = values[blockId]?.[actionId];
    if (value === undefined) continue;
    if (type === 'radio_buttons' || type === 'checkboxes') {
      const wanted = new Set(Array.isArray(value) ? value : [value]);
      for (const i of el.querySelectorAll('input')) i.checked = wanted.has(i.value);
    } else if (el instanceof HTMLSelectElement && el.multiple) {
      const wanted = new Set(Array.isArray(value) ? value : [value]);
      for (const o of el.options) o.selected = wanted.has(o.value);
    } else {
      const field = /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */ (el);
      field.value = /** @type {string | null} */ (value) ?? '';
    }
  }
}

/**
 * Shows the top of the current person's modal stack, or none. Redrawn only when the view changed
 * (a new hash); what the person typed in the same view stays.
 * @param {PageState} s
 */
export function renderModal(s) {
  const root = page.modalRoot;
  const stack = s.modals[session.user] ?? [];
  const view = stack.at(-1);
  if (!view) {
    root.hidden = true;
    root.replaceChildren();
    modalKey = null;
    return;
  }
  const key = `${session.user}:${view.id}:${view.hash}`;
  if (key !== modalKey) {
    const sameView = modalKey?.startsWith(`${session.user}:${view.id}:`);
    const previous = sameView ? collectValues(root.querySelector('.modal-body')) : null;
    const body = h('div', { className: 'modal-body' });
    /** @type {RenderContext} */
    const ctx = { source: { kind: 'view', viewId: view.id }, idPrefix: view.id, values: () => collectValues(body) };
    body.append(
      h('div', { className: 'modal-general-error', attrs: { role: 'alert' }, hidden: true }),
      renderBlocks(view.blocks, ctx),
    );
    /** @param {boolean} all */
    const close = (all) => busy(null, () => closeView({ user: session.user, viewId: view.id, all }));
    const titleId = `title-${view.id}`;
    const foot = h(
      'div',
      { className: 'modal-foot' },
      h(
        'button',
        { type: 'button', className: 'sk-btn', on: { click: () => void close(false) } },
        textObject(view.close ?? { type: 'plain_text', text: 'Cancel' }),
      ),
    );
    if (view.submit) {
      foot.append(h('button', { type: 'submit', className: 'sk-btn primary' }, textObject(view.submit)));
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
            submitModal(view, form, body);
          },
          keydown: (e) => {
            if (e.key === 'Escape') void close(true);
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
          on: { click: () => void close(true) },
        }),
      ),
      body,
      foot,
    );
    root.replaceChildren(h('div', { className: 'modal-backdrop' }, form));
    root.hidden = false;
    if (previous) restoreValues(body, previous);
    modalKey = key;
    /** @type {HTMLElement | null} */
    const focus = body.querySelector('[data-focus="1"]') ?? body.querySelector('input, textarea, select');
    (focus ?? form).focus?.();
  }
  showErrors(view);
}

/**
 * Submits the modal; the client's own errors (an empty required field) show without the bot.
 * @param {Modal} view
 * @param {HTMLFormElement} form
 * @param {HTMLElement} body
 */
function submitModal(view, form, body) {
  if (!view.submit) return;
  /** @type {HTMLButtonElement | null} */
  const button = form.querySelector('button[type=submit]');
  const values = collectValues(body);
  delete clientErrors[view.id];
  void busy(button, async () => {
    const result = await submitView({ user: session.user, viewId: view.id, values });
    if (result.ok === false && result.errors) {
      clientErrors[view.id] = result.errors;
      showErrors(view);
    }
    return result;
  });
}

/**
 * Shows the errors under their fields, and those for no field at the top.
 * @param {Modal} view
 */
function showErrors(view) {
  const root = page.modalRoot;
  // The newest errors win: new ones from the bot replace what the client said before.
  const fromBot = JSON.stringify(view.errors ?? {});
  if (botErrors[view.id] !== undefined && botErrors[view.id] !== fromBot) delete clientErrors[view.id];
  botErrors[view.id] = fromBot;
  /** @type {Record<string, string>} */
  const errors = { ...(view.errors ?? {}), ...(clientErrors[view.id] ?? {}) };
  /** @type {HTMLElement[]} */
  const slots = [...root.querySelectorAll('[data-error-for]')].filter((slot) => slot instanceof HTMLElement);
  const slotIds = new Set(slots.map((slot) => slot.dataset.errorFor));
  const general = Object.entries(errors)
    .filter(([blockId]) => !slotIds.has(blockId))
    .map(([, message]) => message);
  for (const slot of slots) {
    const message = errors[slot.dataset.errorFor ?? ''] ?? '';
    slot.textContent = message;
    slot.closest('.b-input')?.classList.toggle('has-error', message !== '');
  }
  /** @type {HTMLElement | null} */
  const box = root.querySelector('.modal-general-error');
  if (box) {
    box.textContent = general.join(' ');
    box.hidden = general.length === 0;
  }
}
