// @ts-check
// The playground's page API (../server.ts): the actions a person takes, as JSON posts, and the
// state, as a stream of Server-Sent Events. A failure comes back as an ActionResult, never thrown.

/** @import { ActionResult, ActionSource, InputValues, PageState, Selected } from './types.js' */

/**
 * Posts `body` as JSON to the page API.
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<ActionResult>}
 */
async function post(path, body) {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    /** @type {unknown} */
    const data = await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }));
    return data && typeof data === 'object'
      ? /** @type {ActionResult} */ (data)
      : { ok: false, error: `HTTP ${res.status}` };
  } catch {
    return { ok: false, error: 'The playground is not reachable. Is `npm start` still running?' };
  }
}

/**
 * A slash command, or a message, typed in a conversation.
 * @param {{ user: string, channel: string, text: string }} body
 */
export const sendCommand = (body) => post('/api/command', body);

/**
 * A click on a button, or a pick in a select, radio group, checkboxes or date picker.
 * @param {{ user: string, source: ActionSource, blockId: string, actionId: string, selected?: Selected,
 *   values?: InputValues }} body
 */
export const click = (body) => post('/api/click', body);

/**
 * A modal's submit button.
 * @param {{ user: string, viewId: string, values: InputValues }} body
 */
export const submitView = (body) => post('/api/submit', body);

/**
 * A modal's close or cancel button; `all` closes the whole stack.
 * @param {{ user: string, viewId: string, all: boolean }} body
 */
export const closeView = (body) => post('/api/close', body);

/**
 * Opening the App Home tab (app_home_opened, as Slack sends it).
 * @param {{ user: string }} body
 */
export const homeOpened = (body) => post('/api/home-opened', body);

/**
 * Moving office: the person's Slack profile changes, and Slack tells the bot (user_change).
 * @param {{ user: string, office: string }} body
 */
export const changeOffice = (body) => post('/api/profile', body);

/**
 * Someone joins or leaves a Slack user group an approver group names, as the identity provider
 * would do it: Slack tells the bot (subteam_members_changed).
 * @param {{ usergroup: string, user: string, change: 'add' | 'remove' }} body
 */
export const changeUsergroup = (body) => post('/api/usergroup', body);

/**
 * Listens to the state: `onState` gets the whole state at once and after every change; `onError`
 * when the stream breaks (the browser reconnects by itself).
 * @param {{ onState: (state: PageState) => void, onError: () => void }} listeners
 */
export function streamState({ onState, onError }) {
  const events = new EventSource('/api/events');
  events.addEventListener('state', (/** @type {MessageEvent<string>} */ e) => {
    /** @type {unknown} */
    const state = JSON.parse(e.data);
    onState(/** @type {PageState} */ (state));
  });
  events.addEventListener('error', onError);
}
