// @ts-check
// The toolgate playground page: a small Slack-like window over the playground server.
//
// It shows the stand-in's state (channels, your DM and ephemerals, your App Home, your modals) as
// the person you picked, renders the Block Kit the bot sent, and reports what you do (type a
// command, click, submit, close) to the server, which sends it to the bot exactly as Slack would.
//
// Every piece of text from the bot, the registry or a person goes into the page through
// textContent or attributes set one by one, never as HTML.
//
// This entry module wires the others together:
//   types.js    the shapes of the page API's state and of the Block Kit the page renders (JSDoc only)
//   dom.js      making elements, the fixed elements of index.html, busy buttons and the toast
//   api.js      the page API: actions as JSON posts, the state as Server-Sent Events
//   session.js  who you are (the picker), which conversation is open, what you have read
//   blocks.js   Block Kit and mrkdwn to DOM, and the block actions of its elements
//   modal.js    the modal stack: inputs and their values, submit and close, per-field errors
//   chat.js     the sidebar, the open conversation or App Home, the composer

import { streamState } from './api.js';
import { renderHeader, renderPane, renderSidebar, setupComposer } from './chat.js';
import { page } from './dom.js';
import { renderModal } from './modal.js';
import {
  currentConv,
  HOME,
  onSessionChange,
  openHome,
  renderPicker,
  session,
  setupOffice,
  setupPicker,
} from './session.js';

/** Draws the whole page from the latest state, as the current person sees it. */
function render() {
  const s = session.state;
  if (!s) return;
  if (!session.user || !s.people.some((p) => p.id === session.user)) session.user = s.defaultUser;
  const conv = currentConv();
  renderPicker(s);
  renderHeader(s, conv);
  renderPane(s, conv);
  renderSidebar(s);
  renderModal(s);
}

/**
 * @param {string} text
 * @param {boolean} [problem]
 */
function setStatus(text, problem = false) {
  const el = page.status;
  el.textContent = text;
  el.classList.toggle('problem', problem);
}

onSessionChange(render);
setupPicker();
setupOffice();
setupComposer();
streamState({
  onState(state) {
    const first = session.state === null;
    session.state = state;
    setStatus('connected to the bot');
    render();
    if (first && currentConv() === HOME) openHome();
  },
  onError: () => setStatus('reconnecting…', true),
});
