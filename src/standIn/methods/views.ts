/** views.*: opening and pushing modals with a trigger id, updating views, publishing App Homes. */
import { nonEmpty } from '../args.ts';
import type { JsonObject } from '../blocks.ts';
import { emit } from '../changes.ts';
import { nextId } from '../ids.ts';
import { SlackError, invalid } from '../replies.ts';
import { clone, type StandInState } from '../state.ts';
import { takeTrigger } from '../triggers.ts';
import { lookupUser } from '../users.ts';
import { buildView, closeView, findViewByArgs, pushView, requireView, stackOf } from '../views.ts';

/** views.open replaces whatever modals the trigger's user had open. */
export function openModal(state: StandInState, args: JsonObject): JsonObject {
  const trigger = takeTrigger(state, nonEmpty(args.trigger_id));
  const raw = requireView(args, 'modal');
  const id = nextId(state.ids, 'V');
  const view = buildView(state, raw, id, { previous: null, root: id });
  state.views.set(id, view);
  state.owners.set(id, trigger.user);
  const stack = stackOf(state, trigger.user);
  closeView(state, trigger.user, undefined, { all: true });
  stack.push(id);
  emit(state, () => ({ kind: 'view', action: 'opened', user: trigger.user, view: clone(view) }));
  return { view: clone(view) };
}

/** views.push stacks a modal over the open ones; Slack allows three at most. */
export function pushModal(state: StandInState, args: JsonObject): JsonObject {
  const trigger = takeTrigger(state, nonEmpty(args.trigger_id));
  const raw = requireView(args, 'modal');
  if (stackOf(state, trigger.user).length >= 3) throw new SlackError('push_limit_reached');
  const view = pushView(state, trigger.user, raw);
  return { view: clone(view) };
}

/** views.update replaces a modal or App Home in place, keeping its id, links and the state of kept blocks. */
export function updateView(state: StandInState, args: JsonObject): JsonObject {
  const existing = findViewByArgs(state, args);
  const raw = requireView(args, existing.type === 'home' ? 'home' : 'modal');
  const links = { previous: existing.previous_view_id, root: existing.root_view_id };
  const view = buildView(state, raw, existing.id, links, existing);
  state.views.set(existing.id, view);
  state.errorsByView.delete(existing.id);
  const user = state.owners.get(existing.id) ?? '';
  if (view.type === 'home') emit(state, () => ({ kind: 'home', user, view: clone(view) }));
  else emit(state, () => ({ kind: 'view', action: 'updated', user, view: clone(view) }));
  return { view: clone(view) };
}

/** views.publish sets a user's App Home; the home keeps its view id across publishes. */
export function publishHome(state: StandInState, args: JsonObject): JsonObject {
  const user = nonEmpty(args.user_id);
  if (!user) throw invalid('invalid_arguments', ['user_id is required']);
  if (!lookupUser(state, user)) throw new SlackError('user_not_found');
  const raw = requireView(args, 'home');
  const existingId = state.homes.get(user);
  const existing = existingId ? state.views.get(existingId) : undefined;
  const hash = nonEmpty(args.hash);
  if (hash !== undefined && existing && hash !== existing.hash) throw new SlackError('hash_conflict');
  const id = existingId ?? nextId(state.ids, 'V');
  const view = buildView(state, raw, id, { previous: null, root: null }, existing);
  state.views.set(id, view);
  state.owners.set(id, user);
  state.homes.set(user, id);
  emit(state, () => ({ kind: 'home', user, view: clone(view) }));
  return { view: clone(view) };
}
