// Dispatch by kind and id, in one Bolt middleware, instead of one Bolt listener per id. Bolt runs
// every listener's matching for every request it gets, so with a listener per id each /can-i-use
// paid for the dozen that could never match it: measured (issue 11), that nearly doubled Bolt's own
// time a request. The listener modules still say `app.command(...)`, `app.action(id, handler)`,
// `app.view(callbackId, handler)` and `app.event(type, handler)`; the tables here hold them, and
// the middleware gives each request to every handler matching it, as Bolt's listeners would have.
import type { AnyMiddlewareArgs, App } from '@slack/bolt';

type Handler = (args: never) => Promise<unknown>;

/** What the listener modules use of the app: registering handlers, and its logger. */
export interface ListenerApp {
  command: App['command'];
  action: App['action'];
  view: App['view'];
  event: App['event'];
  logger: App['logger'];
}

function oneHandler(kind: string, constraint: unknown, listeners: unknown[]): Handler {
  if (listeners.length !== 1 || typeof listeners[0] !== 'function')
    throw new Error(`${kind}: give an id and one handler (routes.ts has no middleware of its own)`);
  if (!(typeof constraint === 'string' || (kind === 'action' && constraint instanceof RegExp)))
    throw new Error(`${kind}: match on an id${kind === 'action' ? ' or a pattern of ids' : ''} (routes.ts)`);
  return listeners[0] as Handler;
}

export function routedApp(app: App): ListenerApp {
  const commands = new Map<string, Handler[]>();
  const views = new Map<string, Handler[]>();
  const events = new Map<string, Handler[]>();
  const actions: Array<{ id: string | RegExp; handler: Handler }> = [];
  const add =
    (table: Map<string, Handler[]>, kind: string) =>
    (constraint: unknown, ...listeners: unknown[]) => {
      const handler = oneHandler(kind, constraint, listeners);
      table.set(constraint as string, [...(table.get(constraint as string) ?? []), handler]);
    };

  /** The handlers for a request, as Bolt's listeners matched them: command name, action id, callback id, event type. */
  const handlersOf = (args: AnyMiddlewareArgs): Handler[] => {
    const body = args.body as { type?: unknown };
    if ('command' in args) return commands.get(args.command.command) ?? [];
    if ('action' in args && body.type === 'block_actions') {
      const id = (args.action as { action_id: string }).action_id;
      return actions.filter((a) => (typeof a.id === 'string' ? a.id === id : a.id.test(id))).map((a) => a.handler);
    }
    if ('view' in args && body.type === 'view_submission') return views.get(args.view.callback_id) ?? [];
    if ('event' in args) return events.get(args.event.type) ?? [];
    return [];
  };
  app.use(async (args) => {
    const handlers = handlersOf(args);
    if (!handlers.length) return args.next();
    // Every matching handler, all of them; the first failure fails the request (as Bolt's listeners).
    const listenerArgs = { ...args, next: () => Promise.resolve() };
    await Promise.all(handlers.map((handler) => handler(listenerArgs as never)));
  });

  return {
    command: add(commands, 'command'),
    view: add(views, 'view'),
    event: add(events, 'event'),
    action: (constraint: unknown, ...listeners: unknown[]) => {
      actions.push({ id: constraint as string | RegExp, handler: oneHandler('action', constraint, listeners) });
    },
    get logger() {
      return app.logger;
    },
  };
}
