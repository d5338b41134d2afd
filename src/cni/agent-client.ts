// The plugin's side of the agent API (see ../endpoints/protocol.ts): HTTP over the agent's unix
// socket. Its own small client rather than src/agent/api-client.ts, which pulls in the agent's
// flag parsing and, through it, feature code: a CNI plugin is started for every pod and must
// start fast.
//
// "Is the agent there?" is answered within PROBE_TIMEOUT_MS: an absent or refusing socket fails
// at once, and a socket that accepts but does not answer fails at the deadline, both as code 11
// (try again later) naming the socket. The call itself may take longer (an ADD builds a veth
// pair and loads the endpoint's datapath before it answers, as Cilium's does), so it is sent
// only after a GET /v1/healthz has been answered — any HTTP answer counts as "there" — and has
// its own, longer deadline.
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { CniCode } from '../api/cni-protocol.js';
import { CniError, invalidConfig } from './errors.js';

export const PROBE_TIMEOUT_MS = 1000;
/** Bounds a call the agent accepted; the runtime's own deadline (kubelet: minutes) is longer. */
export const CALL_TIMEOUT_MS = 60_000;
const MAX_REPLY = 1 << 20;
export const AGENTS_DIR = '/run/waggle';

export interface AgentReply {
  status: number;
  body: unknown;
}

/**
 * The socket from the config, else the one agent on this host (`<dir>/<node>/agent.sock`). No
 * agent at all is `absentCode` (11, or 50 for STATUS); several are a config error.
 */
export function resolveSocket(
  configured: string | undefined,
  dir = AGENTS_DIR,
  absentCode: number = CniCode.TryAgainLater,
): string {
  if (configured) return configured;
  let nodes: string[] = [];
  try {
    nodes = readdirSync(dir).filter((n) => existsSync(`${dir}/${n}/agent.sock`));
  } catch {
    // No agents directory: the same as no agent.
  }
  nodes.sort();
  if (nodes.length === 1) return `${dir}/${nodes[0]}/agent.sock`;
  if (nodes.length === 0)
    throw new CniError(
      absentCode,
      `agent API ${dir}/*/agent.sock: no agent socket on this host`,
      'is `waggle agent` running on this node? (or set "socket-path" in the network config)',
    );
  throw invalidConfig(
    'socket-path',
    `missing, and this host has ${nodes.length} agents (${nodes.map((n) => `${dir}/${n}/agent.sock`).join(', ')})`,
  );
}

/** One request; a transport failure or a missed deadline is a CniError (11 unless it cannot pass). */
export function callAgent(
  socketPath: string,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<AgentReply> {
  const what = `agent API ${socketPath}: ${method} ${path}`;
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = {};
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    // agent: false — one connection per call, closed after it, so nothing keeps the process alive.
    const req = request({ socketPath, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.length > MAX_REPLY)
          req.destroy(new CniError(CniCode.IoFailure, `${what}: reply over ${MAX_REPLY} bytes`));
      });
      res.on('end', () => {
        clearTimeout(timer);
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          return reject(
            new CniError(CniCode.DecodeFailure, `${what}: reply is not JSON (HTTP ${res.statusCode})`),
          );
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', (err) => reject(err));
    });
    // A hard deadline for the whole exchange: the socket's idle timeout would let a reply that
    // trickles in one byte at a time run forever.
    const timer = setTimeout(
      () =>
        req.destroy(
          new CniError(
            CniCode.TryAgainLater,
            `${what}: no answer within ${timeoutMs}ms`,
            'is the agent stuck?',
          ),
        ),
      timeoutMs,
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof CniError) return reject(err);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')
        return reject(
          new CniError(
            CniCode.TryAgainLater,
            `agent API ${socketPath}: no agent listening (${err.code})`,
            'is `waggle agent` running on this node?',
          ),
        );
      reject(new CniError(CniCode.IoFailure, `agent API ${socketPath}: ${err.message}`));
    });
    req.end(payload);
  });
}

/** Probe, then the call; a non-2xx reply becomes the agent's `{error, code}` as a CniError. */
export async function agentCall(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  await callAgent(socketPath, 'GET', '/v1/healthz', undefined, PROBE_TIMEOUT_MS);
  const reply = await callAgent(socketPath, method, path, body, CALL_TIMEOUT_MS);
  if (reply.status >= 200 && reply.status < 300) return reply.body;
  throw agentError(`agent API ${socketPath}: ${method} ${path}`, reply);
}

/**
 * The agent's error body passes through with its code. Without one (an agent too old to have the
 * route: 404, or one still starting: 503) it is "try again later"; anything else is 101.
 */
export function agentError(what: string, reply: AgentReply): CniError {
  const b = reply.body as { error?: unknown; code?: unknown } | undefined;
  const msg = typeof b?.error === 'string' ? b.error : `HTTP ${reply.status}`;
  if (typeof b?.code === 'number' && Number.isInteger(b.code) && b.code > 0) return new CniError(b.code, msg);
  const code = reply.status === 404 || reply.status === 503 ? CniCode.TryAgainLater : CniCode.EndpointFailed;
  return new CniError(code, `${what}: ${msg}`);
}
