// GET /healthz: 200 only while every part the bot needs is up; the JSON says which part is not.
// HTTP mode serves it beside /slack/events (a Bolt custom route); Socket Mode has no request URL,
// so it gets a small server of its own, whose start fails cleanly when the port is taken.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ServiceContext } from '../service/ports.ts';

/** Where the Socket Mode connection is; HTTP mode has none. */
export type SocketState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface Health {
  ok: boolean;
  database: 'up' | 'down';
  /** Socket Mode only. */
  socket?: SocketState;
}

export const HEALTH_PATH = '/healthz';

export async function healthOf(ctx: ServiceContext, socket: (() => SocketState) | null): Promise<Health> {
  const database = (await ctx.store.ping().catch(() => false)) ? 'up' : 'down';
  if (!socket) return { ok: database === 'up', database };
  const state = socket();
  return { ok: database === 'up' && state === 'connected', database, socket: state };
}

export function answerHealth(ctx: ServiceContext, socket: (() => SocketState) | null, res: ServerResponse): void {
  void healthOf(ctx, socket).then((health) => {
    res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(health));
  });
}

/** Socket Mode's health server (listened on by the caller, so a taken port fails the start cleanly). */
export function healthServer(ctx: ServiceContext, socket: () => SocketState): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://toolgate').pathname;
    if (req.method === 'GET' && path === HEALTH_PATH) return answerHealth(ctx, socket, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found\n');
  });
}
