/**
 * Telling the outside world that something changed: onChange listeners (the playground's live
 * view) and waitFor (tests waiting for the bot to act), which re-checks on every change.
 */
import type { StandInState } from './state.ts';
import type { StandInChange } from './types.ts';

/**
 * Tells every listener about `change`, then re-runs the waitFor checks. A change given as a function
 * is made only when someone listens: the copies of views and messages it carries (so no listener
 * shares an object with the state) are most of what a Web API call costs the stand-in.
 */
export function emit(state: StandInState, change: StandInChange | (() => StandInChange)): void {
  if (state.listeners.size > 0) notify(state, typeof change === 'function' ? change() : change);
  wakeWaiters(state);
}

function notify(state: StandInState, change: StandInChange): void {
  for (const listener of [...state.listeners]) {
    try {
      listener(change);
    } catch {
      /* a broken listener must not break the stand-in */
    }
  }
}

/** Runs every pending waitFor check now. */
export function wakeWaiters(state: StandInState): void {
  for (const poke of [...state.pokes]) poke();
}

/** Subscribes `listener` to every change; returns the unsubscribe function. */
export function onChange(state: StandInState, listener: (change: StandInChange) => void): () => void {
  state.listeners.add(listener);
  return () => {
    state.listeners.delete(listener);
  };
}

/** Resolves with the first truthy value of `predicate`, re-checked on every change and every 20 ms. */
export function waitFor<T>(
  state: StandInState,
  predicate: () => T | undefined | null | false,
  timeoutMs = 10_000,
  description?: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let lastError: unknown;
    let settled = false;
    const check = (): boolean => {
      if (settled) return true;
      try {
        const value = predicate();
        if (value) {
          finish();
          resolve(value);
          return true;
        }
      } catch (error) {
        lastError = error;
      }
      return false;
    };
    const finish = (): void => {
      settled = true;
      clearInterval(interval);
      clearTimeout(timer);
      state.pokes.delete(poke);
    };
    const poke = (): void => {
      check();
    };
    const interval = setInterval(poke, 20);
    const timer = setTimeout(() => {
      if (check()) return;
      finish();
      reject(timeoutError(state, predicate, timeoutMs, description, lastError));
    }, timeoutMs);
    state.pokes.add(poke);
    check();
  });
}

/** Says what was awaited, the predicate's last error, and the last requests, so a timeout can be diagnosed. */
function timeoutError(
  state: StandInState,
  predicate: () => unknown,
  timeoutMs: number,
  description: string | undefined,
  lastError: unknown,
): Error {
  const what = description ?? predicate.toString().replace(/\s+/g, ' ').slice(0, 300);
  const recent = state.calls
    .slice(-8)
    .map((c) => `${c.method}→${c.status}${c.error ? ` ${c.error}` : ''}`)
    .join(', ');
  const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  return new Error(
    `waitFor timed out after ${timeoutMs} ms waiting for: ${what}${cause}; recent calls: ${recent || 'none'}`,
  );
}
