// The agent API: HTTP over a unix socket that only root can open (mode 0600 in a 0700 dir).
//   GET /v1/status          AgentStatus (JSON)
//   GET /v1/maps            every BPF map with its entry count, counted now
//   GET /v1/maps/<name>     one map's entries as its codec prints them
// plus the routes modules add: JSON request/response handlers by "METHOD /path" (the CNI
// plugin's endpoint calls) and streams (`waggle monitor`). Everything else is 404 with a JSON
// error; a handler's ApiError sets the status and the error body's code.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { errorMessage } from '../lib/errors.js';

export type Route = () => unknown;

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
}

export type Handler = (req: ApiRequest) => unknown;
export type StreamHandler = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => void;

export interface ApiRoutes {
  /** GET, exact paths. */
  exact: Record<string, Route>;
  /** GET, prefix routes: the rest of the path (URL-decoded) is passed in; undefined means 404. */
  prefix: Record<string, (rest: string) => unknown>;
  /** "METHOD /path" → handler (may be async); the reply is its JSON. */
  methods?: Record<string, Handler>;
  /** GET paths whose handler writes the response itself (long-lived, e.g. NDJSON events). */
  streams?: Record<string, StreamHandler>;
  /** "METHOD /path" → a handler that reads the request and writes the response itself. */
  raw?: Record<string, StreamHandler>;
}

/** An error with an HTTP status and a machine-readable code, e.g. a CNI error code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const MAX_BODY = 1 << 20;

export async function serveApi(path: string, routes: ApiRoutes): Promise<{ close(): void }> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  rmSync(path, { force: true }); // a socket left by a killed agent
  const server: Server = createServer((req, res) => {
    void dispatch(routes, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    close() {
      server.close();
      server.closeAllConnections();
      rmSync(path, { force: true });
    },
  };
}

async function dispatch(routes: ApiRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://agent');
  const method = req.method ?? 'GET';
  const reply = (code: number, body: unknown) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  try {
    const raw = routes.raw?.[`${method} ${url.pathname}`];
    if (raw) return raw(req, res, url.searchParams);
    const handler = routes.methods?.[`${method} ${url.pathname}`];
    if (handler) {
      const body = await readJson(req);
      return reply(200, await handler({ method, path: url.pathname, query: url.searchParams, body }));
    }
    if (method !== 'GET') return reply(404, { error: `no such endpoint ${method} ${url.pathname}` });
    const stream = routes.streams?.[url.pathname];
    if (stream) return stream(req, res, url.searchParams);
    const target = req.url ?? '';
    const exact = routes.exact[target] ?? routes.exact[url.pathname];
    if (exact) return reply(200, exact());
    for (const [prefix, fn] of Object.entries(routes.prefix)) {
      if (!target.startsWith(prefix)) continue;
      const body = fn(decodeURIComponent(target.slice(prefix.length)));
      if (body === undefined) return reply(404, { error: `not found: ${target}` });
      return reply(200, body);
    }
    reply(404, { error: `no such endpoint ${method} ${url.pathname}` });
  } catch (err) {
    if (err instanceof ApiError) return reply(err.status, { error: err.message, code: err.code });
    reply(500, { error: errorMessage(err) });
  }
}

export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_BODY) {
        reject(new ApiError(413, 6, `request body over ${MAX_BODY} bytes`));
        req.destroy();
      }
    });
    req.on('end', () => {
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError(400, 6, 'request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}
