// The agent API: HTTP over a unix socket that only root can open (mode 0600 in a 0700 dir).
// GET /v1/status returns AgentStatus as JSON; everything else is 404.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import type { AgentStatus } from './status.js';
import { errorMessage } from '../lib/errors.js';

export async function serveApi(path: string, status: () => AgentStatus): Promise<{ close(): void }> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  rmSync(path, { force: true }); // a socket left by a killed agent
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/status') {
      try {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status()));
      } catch (err) {
        res.writeHead(500).end(JSON.stringify({ error: errorMessage(err) }));
      }
      return;
    }
    res.writeHead(404).end(JSON.stringify({ error: `no such endpoint ${req.method} ${req.url}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    close() {
      server.close();
      rmSync(path, { force: true });
    },
  };
}
