/**
 * Socket Mode, as Slack runs it: `apps.connections.open` with an app-level token hands out a
 * single-use WebSocket URL; the connection gets a `hello`, then envelopes the app acknowledges
 * with their `envelope_id`. Tests check the bot's start-up and health against it, send it
 * events, and drop or refuse its connection.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { JsonObject } from './blocks.ts';
import { SlackError } from './replies.ts';
import { STAND_IN_WORKSPACE as W } from './workspace.ts';

/** The scope an app-level token needs to open Socket Mode connections. */
export const CONNECTIONS_WRITE = 'connections:write';

export interface SocketModeState {
  readonly server: WebSocketServer;
  /** Tickets handed out by apps.connections.open and not used yet. */
  readonly tickets: Set<string>;
  readonly connections: Set<WebSocket>;
  /** Envelopes sent and not yet acknowledged, by envelope id. */
  readonly pending: Map<string, (payload: unknown) => void>;
  /** While refused, new connections are turned away (the app keeps trying to reconnect). */
  refused: boolean;
  /** `ws://host:port/`, known once the HTTP server listens. */
  base: string;
}

export interface SocketModeOptions {
  /** The app-level token accepted (any `xapp-` token when unset). */
  appToken?: string | undefined;
  /** The scopes that token has. Default: connections:write. */
  appTokenScopes?: readonly string[] | undefined;
}

export function createSocketMode(): SocketModeState {
  return {
    server: new WebSocketServer({ noServer: true }),
    tickets: new Set(),
    connections: new Set(),
    pending: new Map(),
    refused: false,
    base: '',
  };
}

/** apps.connections.open: checks the app-level token as Slack does, then hands out a URL. */
export function openConnection(
  socket: SocketModeState,
  options: SocketModeOptions,
  token: string | undefined,
): JsonObject {
  if (!token) throw new SlackError('not_authed');
  if (!token.startsWith('xapp-')) throw new SlackError('not_allowed_token_type');
  if (options.appToken !== undefined && token !== options.appToken) throw new SlackError('invalid_auth');
  const scopes = options.appTokenScopes ?? [CONNECTIONS_WRITE];
  if (!scopes.includes(CONNECTIONS_WRITE))
    throw new SlackError('missing_scope', { needed: CONNECTIONS_WRITE, provided: scopes.join(',') });
  const ticket = randomBytes(12).toString('hex');
  socket.tickets.add(ticket);
  return { url: `${socket.base}link/?ticket=${ticket}&app_id=${W.appId}` };
}

const reject = (duplex: Duplex, status: string) => {
  duplex.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
};

/** Upgrades `GET /link/?ticket=...` on the stand-in's HTTP server to a Socket Mode connection. */
export function acceptSocketMode(socket: SocketModeState, server: Server): void {
  server.on('upgrade', (req: IncomingMessage, duplex: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !socket.tickets.delete(ticket)) return reject(duplex, '401 Unauthorized');
    if (socket.refused) return reject(duplex, '503 Service Unavailable');
    socket.server.handleUpgrade(req, duplex, head, (ws) => connected(socket, ws));
  });
}

function connected(socket: SocketModeState, ws: WebSocket): void {
  socket.connections.add(ws);
  ws.on('close', () => socket.connections.delete(ws));
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let ack: unknown;
    try {
      ack = JSON.parse(
        Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'),
      );
    } catch {
      return;
    }
    const { envelope_id: id, payload } = (ack ?? {}) as { envelope_id?: unknown; payload?: unknown };
    if (typeof id !== 'string') return;
    socket.pending.get(id)?.(payload ?? null);
    socket.pending.delete(id);
  });
  ws.send(
    JSON.stringify({
      type: 'hello',
      num_connections: socket.connections.size,
      debug_info: { host: 'toolgate-stand-in', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: W.appId },
    }),
  );
}

/**
 * Sends one envelope (e.g. `slash_commands` with a command's fields) over the first open
 * connection and resolves with the payload the app acknowledged it with.
 */
export function sendEnvelope(
  socket: SocketModeState,
  type: string,
  payload: JsonObject,
  timeoutMs = 5000,
): Promise<unknown> {
  const [ws] = socket.connections;
  if (!ws) return Promise.reject(new Error('no Socket Mode connection is open'));
  const envelopeId = randomBytes(8).toString('hex');
  return new Promise((resolve, rejectAck) => {
    const timer = setTimeout(() => {
      socket.pending.delete(envelopeId);
      rejectAck(new Error(`envelope ${type} was not acknowledged within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.pending.set(envelopeId, (ack) => {
      clearTimeout(timer);
      resolve(ack);
    });
    ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: 0,
        retry_reason: '',
      }),
    );
  });
}

/** Closes every open connection, as Slack does when it rotates or drops them. */
export function dropConnections(socket: SocketModeState): void {
  for (const ws of socket.connections) ws.terminate();
  socket.connections.clear();
}

export function closeSocketMode(socket: SocketModeState): void {
  dropConnections(socket);
  socket.server.close();
}
