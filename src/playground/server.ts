// The playground's own HTTP server: the page (one HTML file, its JavaScript modules, one CSS file),
// the state as JSON, a Server-Sent Events stream of it, and the actions a person can take. Nothing else.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError, type ActionResult, type Api } from './api.ts';

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const HTML = 'text/html; charset=utf-8';
const JAVASCRIPT = 'text/javascript; charset=utf-8';
/** A module of the page: app.js (the entry) and what it imports, by plain lowercase names. */
const PAGE_MODULE = /^[a-z][a-z0-9-]*\.js$/;

/**
 * The page's files by URL path: index.html, style.css and every ES module in public/. Listed once,
 * when the server is made: a request's path only picks one of these, so it never reaches the file
 * system itself (no traversal), and nothing else in public/ (tsconfig.json) is served.
 */
function pageAssets(): Map<string, { file: string; type: string }> {
  const assets = new Map([
    ['/', { file: 'index.html', type: HTML }],
    ['/index.html', { file: 'index.html', type: HTML }],
    ['/style.css', { file: 'style.css', type: 'text/css; charset=utf-8' }],
  ]);
  for (const entry of readdirSync(PUBLIC_DIR, { withFileTypes: true })) {
    if (entry.isFile() && PAGE_MODULE.test(entry.name)) {
      assets.set(`/${entry.name}`, { file: entry.name, type: JAVASCRIPT });
    }
  }
  return assets;
}

// The page builds its DOM with textContent only; the policy is the second lock on that door.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const MAX_BODY = 256 * 1024;

export interface PlaygroundServerOptions {
  api: Api;
  /** The whole state the page shows, as JSON-ready data. */
  state(): unknown;
  /** Calls back on every change of that state; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Bound to loopback: refuse other Host names, so a web page can't reach it by DNS rebinding. */
  loopbackOnly: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  // Only JSON: a cross-site form can't send it without a CORS preflight, which this server never grants.
  if (type !== 'application/json') throw new ApiError(415, 'send application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new ApiError(413, 'request body too large');
    chunks.push(buf);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'the body is not valid JSON');
  }
}

export function createPlaygroundServer(options: PlaygroundServerOptions): { server: Server; closeStreams: () => void } {
  const { api } = options;
  const assets = pageAssets();
  const streams = new Set<ServerResponse>();
  const routes: Record<string, (body: unknown) => Promise<ActionResult>> = {
    '/api/command': (b) => api.command(b),
    '/api/click': (b) => api.click(b),
    '/api/submit': (b) => api.submit(b),
    '/api/close': (b) => api.close(b),
    '/api/home-opened': (b) => api.homeOpened(b),
    '/api/profile': (b) => api.changeOffice(b),
    '/api/usergroup': (b) => api.changeUsergroup(b),
  };

  let pending: NodeJS.Timeout | null = null;
  const broadcast = () => {
    if (pending || streams.size === 0) return;
    // Coalesce the burst of changes one click causes into one update.
    pending = setTimeout(() => {
      pending = null;
      const data = `event: state\ndata: ${JSON.stringify(options.state())}\n\n`;
      for (const res of streams) res.write(data);
    }, 15);
  };
  const unsubscribe = options.subscribe(broadcast);
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 25_000);
  heartbeat.unref();

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      ...SECURITY_HEADERS,
    });
    res.write(`retry: 1000\nevent: state\ndata: ${JSON.stringify(options.state())}\n\n`);
    streams.add(res);
    req.on('close', () => streams.delete(res));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://playground');
    if (options.loopbackOnly) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!LOOPBACK_HOSTS.has(host)) {
        json(res, 403, { ok: false, error: 'open the playground at http://localhost' });
        return;
      }
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const asset = assets.get(url.pathname);
      if (asset) {
        const body = await readFile(new URL(asset.file, PUBLIC_DIR));
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      if (url.pathname === '/api/state') return json(res, 200, options.state());
      if (url.pathname === '/api/events') return events(req, res);
      return json(res, 404, { ok: false, error: 'not found' });
    }
    const route = req.method === 'POST' ? routes[url.pathname] : undefined;
    if (!route) return json(res, req.method === 'POST' ? 404 : 405, { ok: false, error: 'not found' });
    const result = await route(await readJson(req));
    json(res, 200, result);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (error instanceof ApiError) json(res, error.status, { ok: false, error: error.message });
      else {
        console.error('toolgate playground:', error);
        json(res, 500, { ok: false, error: 'the playground failed; see the terminal' });
      }
    });
  });
  server.on('close', () => {
    unsubscribe();
    clearInterval(heartbeat);
    if (pending) clearTimeout(pending);
  });
  return {
    server,
    closeStreams() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
