// @ts-check
// Building the page: elements made with text set as text (never HTML), the fixed elements of
// index.html, and the feedback every action shares (a busy button, a toast on failure).

/** @import { ActionResult, Handlers } from './types.js' */

/**
 * What `h` sets on an element: className, text (textContent), dataset, attrs (setAttribute, one by
 * one), on (listeners), and any other property set directly (value, type, disabled, ...), in order.
 * @typedef {{
 *   className?: string,
 *   text?: string,
 *   dataset?: Record<string, string>,
 *   attrs?: Record<string, string | number | boolean>,
 *   on?: Handlers,
 *   [property: string]: unknown,
 * }} Props
 */

/** @typedef {Node | string | null | undefined | false} Child */

/**
 * Creates an element with `props` (see Props; null and undefined values are skipped) and appends
 * `children`: nodes, and strings as text nodes.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'className') el.className = /** @type {string} */ (value);
    else if (key === 'text') el.textContent = /** @type {string} */ (value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'attrs') {
      for (const [name, v] of Object.entries(/** @type {NonNullable<Props['attrs']>} */ (value))) {
        el.setAttribute(name, String(v));
      }
    } else if (key === 'on') listen(el, /** @type {Handlers} */ (value));
    else Reflect.set(el, key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * Adds listeners to an element (`on` of h, or later, when they need the element itself).
 * @param {HTMLElement} el
 * @param {Handlers} handlers
 */
export function listen(el, handlers) {
  for (const [event, handler] of Object.entries(handlers)) {
    el.addEventListener(event, /** @type {EventListener} */ (handler));
  }
}

/**
 * The element of index.html with this id, checked to be of the expected kind.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, prototype: T }} kind
 * @returns {T}
 */
function byId(id, kind) {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`index.html has no #${id} of the expected kind`);
  return el;
}

/** The fixed elements of index.html (a module runs once the document is parsed). */
export const page = {
  who: byId('who', HTMLSelectElement),
  officeBox: byId('office-box', HTMLElement),
  office: byId('office', HTMLSelectElement),
  status: byId('status', HTMLElement),
  sidebar: byId('sidebar', HTMLElement),
  paneHeader: byId('pane-header', HTMLElement),
  paneBody: byId('pane-body', HTMLElement),
  composer: byId('composer', HTMLFormElement),
  commandHints: byId('command-hints', HTMLElement),
  message: byId('message', HTMLTextAreaElement),
  composerNote: byId('composer-note', HTMLElement),
  modalRoot: byId('modal-root', HTMLElement),
  toast: byId('toast', HTMLElement),
};

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;

/**
 * Shows `message` at the bottom of the page for a few seconds.
 * @param {string} message
 */
export function toast(message) {
  const el = page.toast;
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 7000);
}

/**
 * Runs `action` with `button` shown as busy, then reports any failure.
 * @param {HTMLButtonElement | null} button
 * @param {() => Promise<ActionResult>} action
 * @returns {Promise<ActionResult>}
 */
export async function busy(button, action) {
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
