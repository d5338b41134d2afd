// The agent API: HTTP over a unix socket that only root can open (mode 0600 in a 0700 dir).
//   GET /v1/status          AgentStatus (JSON)
//   GET /v1/maps            every BPF map with its entry count, counted now
//   GET /v1/maps/<name>     one map's entries as its codec prints them
// Everything else is 404 with a JSON error.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { errorMessage } from '../lib/errors.js';

export type Route = () => unknown;

export interface ApiRoutes {
  /** Exact paths. */
  exact: Record<string, Route>;
  /** Prefix routes: the rest of the path (URL-decoded) is passed in; undefined means 404. */
  prefix: Record<string, (rest: string) => unknown>;
}

export async function serveApi(path: string, routes: ApiRoutes): Promise<{ close(): void }> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  rmSync(path, { force: true }); // a socket left by a killed agent
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const reply = (code: number, body: unknown) =>
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET') return reply(404, { error: `no such endpoint ${req.method} ${url}` });
    try {
      const exact = routes.exact[url];
      if (exact) return reply(200, exact());
      for (const [prefix, fn] of Object.entries(routes.prefix)) {
        if (!url.startsWith(prefix)) continue;
        const body = fn(decodeURIComponent(url.slice(prefix.length)));
        if (body === undefined) return reply(404, { error: `not found: ${url}` });
        return reply(200, body);
      }
      reply(404, { error: `no such endpoint ${req.method} ${url}` });
    } catch (err) {
      reply(500, { error: errorMessage(err) });
    }
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
