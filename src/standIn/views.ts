/**
 * Views (modals and App Homes) as Slack keeps them: validating what the bot sends, storing a
 * view with the fields Slack adds, each user's modal stack, and what a view_submission's
 * response_action does to that stack.
 */
import { bool, nonEmpty, str } from './args.ts';
import {
  asBlocks,
  isRecord,
  textOf,
  validateBlocks,
  withGeneratedIds,
  type JsonObject,
  type StateValues,
  type Surface,
} from './blocks.ts';
import { emit } from './changes.ts';
import { nextHash, nextId } from './ids.ts';
import { SlackError, invalid } from './replies.ts';
import { clone, type StandInState } from './state.ts';
import type { StoredView } from './types.ts';
import { STAND_IN_WORKSPACE as W } from './workspace.ts';

type ViewSurface = Exclude<Surface, 'message'>;

/** What Slack would refuse in `view` on `surface`; empty when it is acceptable. */
export function viewProblems(view: JsonObject, surface: ViewSurface): string[] {
  const problems: string[] = [];
  if (typeof view.type !== 'string') problems.push('view.type is required');
  else if (surface === 'home' && view.type !== 'home') problems.push(`views.publish needs type home, got ${view.type}`);
  else if (surface === 'modal' && view.type !== 'modal') problems.push(`expected a modal view, got ${view.type}`);
  if (!Array.isArray(view.blocks)) problems.push('view.blocks must be an array');
  else problems.push(...validateBlocks(view.blocks, surface));
  if (surface === 'modal') problems.push(...modalProblems(view));
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    problems.push('view.private_metadata longer than 3000 characters');
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) {
    problems.push('view.callback_id longer than 255 characters');
  }
  return problems;
}

/** The limits only modals have: a title, short button labels, a submit button when there are inputs. */
function modalProblems(view: JsonObject): string[] {
  const problems: string[] = [];
  const title = textOf(view.title);
  if (title === undefined) problems.push('view.title (plain_text) is required');
  for (const key of ['title', 'submit', 'close'] as const) {
    const t = textOf(view[key]);
    if (t !== undefined && t.length > 24) problems.push(`view.${key} longer than 24 characters`);
  }
  const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === 'input');
  if (hasInput && view.submit === undefined) problems.push('a modal with input blocks needs a submit button');
  return problems;
}

/** The `view` argument, or the invalid_arguments error Slack answers for it. */
export function requireView(args: JsonObject, surface: ViewSurface): JsonObject {
  if (!isRecord(args.view)) throw invalid('invalid_arguments', ['view is required']);
  const problems = viewProblems(args.view, surface);
  if (problems.length > 0) throw invalid('invalid_arguments', problems);
  return args.view;
}

/**
 * The view Slack stores for `raw`: with generated block/action ids, a fresh hash, and Slack's
 * fields. When it replaces `previous`, the state of blocks that are still there is kept.
 */
export function buildView(
  state: StandInState,
  raw: JsonObject,
  id: string,
  links: { previous: string | null; root: string | null },
  previous?: StoredView,
): StoredView {
  const blocks = withGeneratedIds(asBlocks(raw.blocks) ?? []);
  const blockIds = new Set(blocks.map((b) => b.block_id ?? ''));
  const keptState: StateValues = {};
  if (previous) {
    for (const [blockId, entry] of Object.entries(previous.state.values)) {
      if (blockIds.has(blockId)) keptState[blockId] = entry;
    }
  }
  // A copy of `raw`, its fields in their order, whose blocks are those withGeneratedIds copied:
  // copying them with the rest of `raw` too would copy the largest part of the view twice.
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) copy[key] = key === 'blocks' ? blocks : clone(value);
  const view: StoredView = {
    ...copy,
    id,
    team_id: W.teamId,
    type: str(raw.type) ?? 'modal',
    blocks,
    private_metadata: str(raw.private_metadata) ?? '',
    callback_id: str(raw.callback_id) ?? '',
    state: { values: keptState },
    hash: nextHash(state.ids),
    clear_on_close: bool(raw.clear_on_close),
    notify_on_close: bool(raw.notify_on_close),
    external_id: str(raw.external_id) ?? previous?.external_id ?? '',
    previous_view_id: links.previous,
    root_view_id: links.root,
    app_id: W.appId,
    app_installed_team_id: W.teamId,
    bot_id: W.botId,
  };
  return view;
}

/** The view views.update names by view_id or external_id, checking its hash when one is given. */
export function findViewByArgs(state: StandInState, args: JsonObject): StoredView {
  const viewId = nonEmpty(args.view_id);
  const externalId = nonEmpty(args.external_id);
  if (!viewId && !externalId) throw invalid('invalid_arguments', ['view_id or external_id is required']);
  const view = viewId
    ? state.views.get(viewId)
    : [...state.views.values()].reverse().find((v) => v.external_id === externalId);
  if (!view) throw new SlackError('not_found');
  const hash = nonEmpty(args.hash);
  if (hash !== undefined && hash !== view.hash) throw new SlackError('hash_conflict');
  return view;
}

/** A user's modal stack (view ids, root first), created empty on first use. */
export function stackOf(state: StandInState, user: string): string[] {
  let stack = state.stacks.get(user);
  if (!stack) {
    stack = [];
    state.stacks.set(user, stack);
  }
  return stack;
}

/** Stores a new modal on top of `user`'s stack. */
export function pushView(state: StandInState, user: string, raw: JsonObject): StoredView {
  const stack = stackOf(state, user);
  const id = nextId(state.ids, 'V');
  const view = buildView(state, raw, id, { previous: stack.at(-1) ?? null, root: stack[0] ?? id });
  state.views.set(id, view);
  state.owners.set(id, user);
  stack.push(id);
  emit(state, () => ({ kind: 'view', action: 'pushed', user, view: clone(view) }));
  return view;
}

/** Closes a modal (and the ones pushed over it), the top one without `viewId`, or the whole stack with `all`. */
export function closeView(state: StandInState, user: string, viewId?: string, closeOpts: { all?: boolean } = {}): void {
  const stack = stackOf(state, user);
  let removed: string[];
  if (closeOpts.all || viewId === undefined) {
    removed = closeOpts.all ? stack.splice(0) : stack.splice(-1);
  } else {
    const index = stack.indexOf(viewId);
    removed = index >= 0 ? stack.splice(index) : [];
  }
  for (const id of removed.reverse()) {
    const view = state.views.get(id);
    if (view) emit(state, () => ({ kind: 'view', action: 'closed', user, view: clone(view) }));
  }
}

/** Records the state values a user entered in a view. */
export function setViewState(state: StandInState, viewId: string, values: StateValues): void {
  const view = state.views.get(viewId);
  if (!view) return;
  view.state = { values: clone(values) };
  emit(state, () => ({ kind: 'view', action: 'state', user: state.owners.get(viewId) ?? '', view: clone(view) }));
}

/**
 * Does what Slack does with the bot's answer to a view_submission: show errors, clear the
 * stack, update the submitted view, push a new one, or (anything else) close the submitted view.
 */
export function applyViewSubmissionResponse(
  state: StandInState,
  user: string,
  viewId: string,
  response: unknown,
): void {
  const action = isRecord(response) ? str(response.response_action) : undefined;
  const submitted = state.views.get(viewId);
  if (action === 'errors' && isRecord(response) && isRecord(response.errors) && submitted) {
    showViewErrors(state, user, viewId, submitted, response.errors);
    return;
  }
  state.errorsByView.delete(viewId);
  if (action === 'clear') {
    closeView(state, user, undefined, { all: true });
    return;
  }
  if (action === 'update' && isRecord(response) && isRecord(response.view) && submitted) {
    const links = { previous: submitted.previous_view_id, root: submitted.root_view_id };
    const view = buildView(state, response.view, viewId, links, submitted);
    state.views.set(viewId, view);
    emit(state, () => ({ kind: 'view', action: 'updated', user, view: clone(view) }));
    return;
  }
  if (action === 'push' && isRecord(response) && isRecord(response.view)) {
    pushView(state, user, response.view);
    return;
  }
  closeView(state, user, viewId);
}

function showViewErrors(state: StandInState, user: string, viewId: string, view: StoredView, raw: JsonObject): void {
  const errors: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) errors[k] = String(v);
  state.errorsByView.set(viewId, errors);
  emit(state, () => ({ kind: 'view', action: 'errors', user, view: clone(view), errors }));
}
