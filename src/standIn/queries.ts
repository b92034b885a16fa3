/** Reading the state back (tests and the playground): always copies, never the stored objects. */
import { conversationId, findMessage } from './conversations.ts';
import { clone, type StandInState } from './state.ts';
import type { ApiCall, StandInSnapshot, StoredEphemeral, StoredMessage, StoredView } from './types.ts';

export function messagesIn(state: StandInState, channel: string): StoredMessage[] {
  return clone(state.conversations.get(conversationId(channel)) ?? []);
}

export function messageIn(state: StandInState, channel: string, ts: string): StoredMessage | undefined {
  const m = findMessage(state, channel, ts);
  return m ? clone(m) : undefined;
}

export function ephemeralsOf(state: StandInState, user: string): StoredEphemeral[] {
  return clone(state.ephemerals.filter((e) => e.user === user));
}

export function homeOf(state: StandInState, user: string): StoredView | undefined {
  const id = state.homes.get(user);
  const view = id ? state.views.get(id) : undefined;
  return view ? clone(view) : undefined;
}

export function viewOf(state: StandInState, viewId: string): StoredView | undefined {
  const view = state.views.get(viewId);
  return view ? clone(view) : undefined;
}

/** The modal stack open for `user`, root first. */
export function openViewsOf(state: StandInState, user: string): StoredView[] {
  return (state.stacks.get(user) ?? []).flatMap((id) => {
    const view = state.views.get(id);
    return view ? [clone(view)] : [];
  });
}

export function viewErrors(state: StandInState, viewId: string): Record<string, string> | undefined {
  const errors = state.errorsByView.get(viewId);
  return errors ? { ...errors } : undefined;
}

export function callsTo(state: StandInState, method: string): ApiCall[] {
  return state.calls.filter((c) => c.method === method);
}

export function snapshot(state: StandInState): StandInSnapshot {
  return {
    channels: Object.fromEntries([...state.conversations].map(([id, list]) => [id, clone(list)])),
    ephemerals: clone(state.ephemerals),
    homes: Object.fromEntries(
      [...state.homes].flatMap(([user, id]) => {
        const view = state.views.get(id);
        return view ? [[user, clone(view)]] : [];
      }),
    ),
    openViews: Object.fromEntries([...state.stacks.keys()].map((user) => [user, openViewsOf(state, user)])),
    users: [...state.users.values()].map(clone),
    usergroups: [...state.usergroups.values()].map(clone),
    down: state.down,
  };
}
