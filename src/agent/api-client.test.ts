// fetchJson against a real HTTP server on a unix socket: each request has a connection of its own,
// so no request can meet a kept-alive socket the server is closing (EPIPE about 5 s after the last).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetchJson } from './api-client.js';

describe('agent API client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-api-client-'));
  const socketPath = join(dir, 'agent.sock');
  let connections = 0;
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  server.on('connection', () => {
    connections++;
  });

  before(() => new Promise<void>((r) => server.listen(socketPath, r)));
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a new connection for every request (no kept-alive socket is reused)', async () => {
    for (let i = 0; i < 3; i++) assert.deepEqual(await fetchJson(socketPath, '/v1/status'), { ok: true });
    assert.equal(connections, 3);
  });

  it('says which socket had no agent listening', async () => {
    await assert.rejects(fetchJson(join(dir, 'none.sock'), '/v1/status'), /none\.sock: no agent listening/);
  });
});
