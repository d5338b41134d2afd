// Reads an agent's status over its unix socket (the CLI side of api-server.ts).
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { defaultApiSocket } from './flags.js';
import type { EndpointsReply } from '../endpoints/module.js';
import type { AgentStatus, MapRows, MapSummary } from './status.js';

export function resolveSocket(opts: { apiSocket?: string; node?: string }): string {
  if (opts.apiSocket) return opts.apiSocket;
  const node = opts.node ?? process.env.WAGGLE_NODE;
  if (node) return defaultApiSocket(node);
  // No node named: the one agent on this host if there is exactly one (a normal node); on a host
  // running several (the lab), the error names them.
  const found = agentsOnThisHost();
  if (found.length === 1) return defaultApiSocket(found[0] as string);
  const here = found.length > 0 ? `; agents on this host: ${found.join(', ')}` : '';
  throw new Error(`no agent given: pass --node NAME or --api-socket PATH (or set WAGGLE_NODE)${here}`);
}

/** Nodes whose default API socket exists under /run/waggle/. */
function agentsOnThisHost(): string[] {
  try {
    return readdirSync('/run/waggle')
      .filter((n) => existsSync(defaultApiSocket(n)))
      .sort();
  } catch {
    return [];
  }
}

export function fetchStatus(socketPath: string, timeoutMs = 5000): Promise<AgentStatus> {
  return fetchJson<AgentStatus>(socketPath, '/v1/status', timeoutMs);
}

export function fetchMaps(socketPath: string): Promise<MapSummary[]> {
  return fetchJson<MapSummary[]>(socketPath, '/v1/maps');
}

/** One map's rows; a map the agent does not have is an error naming the maps it has. */
export async function fetchMap(socketPath: string, name: string): Promise<MapRows> {
  try {
    return await fetchJson<MapRows>(socketPath, `/v1/maps/${encodeURIComponent(name)}`);
  } catch (err) {
    if (!(err instanceof Error) || !/HTTP 404/.test(err.message)) throw err;
    const names = (await fetchMaps(socketPath)).map((m) => m.name).join(', ');
    throw new Error(`map "${name}": the agent has no such map (it has: ${names})`);
  }
}

export function fetchEndpoints(socketPath: string): Promise<EndpointsReply> {
  return fetchJson<EndpointsReply>(socketPath, '/v1/endpoints');
}

export function fetchJson<T>(socketPath: string, path: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    // One connection per request (agent: false). Node 19+'s global agent keeps sockets alive for
    // 5 s, the same as the server's keepAliveTimeout, so a request sent about 5 s after the last
    // one can go out on a socket the agent is closing and fail with EPIPE or ECONNRESET.
    const req = request({ socketPath, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        if (res.statusCode !== 200)
          return reject(new Error(`agent API ${socketPath}: HTTP ${res.statusCode}: ${body}`));
        try {
          resolve(JSON.parse(body) as T);
        } catch {
          reject(new Error(`agent API ${socketPath}: response is not JSON`));
        }
      });
    });
    req.on('timeout', () =>
      req.destroy(new Error(`agent API ${socketPath}: no answer within ${timeoutMs}ms`)),
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
            ? `agent API ${socketPath}: no agent listening (is \`waggle agent\` running for this node?)`
            : `agent API ${socketPath}: ${err.message}`,
        ),
      ),
    );
    req.end();
  });
}

/** Left-aligned columns separated by at least three spaces, like kubectl/cilium-dbg tables. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
      .join('')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
