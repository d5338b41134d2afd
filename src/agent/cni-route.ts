// POST /v1/cni: the agent runs the CNI plugin's own code (src/cni/plugin.ts) for the native
// launcher (cni/waggle-cni.c), which only carries the runtime's CNI_* variables and stdin here
// — so a pod's ADD does not pay for starting node. The plugin reaches the agent's endpoint
// routes in process (the same handlers the socket serves), so its answers are exactly the
// socket plugin's. The status line and headers go out at once (the launcher's proof that the
// agent is responsive, like the plugin's 1 s health probe); the body is `exit=<code>\n` and the
// plugin's stdout.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { agentError } from '../cni/agent-client.js';
import { type AgentTransport, runPlugin } from '../cni/plugin.js';
import { errorMessage } from '../lib/errors.js';
import { ApiError, type Handler, readJson, type StreamHandler } from './api-server.js';

export function inProcessTransport(socket: string, handlers: () => Record<string, Handler>): AgentTransport {
  const callAgent: AgentTransport['callAgent'] = async (_socket, method, path, body) => {
    const url = new URL(path, 'http://agent');
    const handler = handlers()[`${method} ${url.pathname}`];
    if (!handler) return { status: 404, body: { error: `no such endpoint ${method} ${url.pathname}` } };
    try {
      return {
        status: 200,
        body: await handler({ method, path: url.pathname, query: url.searchParams, body }),
      };
    } catch (err) {
      if (err instanceof ApiError)
        return { status: err.status, body: { error: err.message, code: err.code } };
      return { status: 500, body: { error: errorMessage(err) } };
    }
  };
  return {
    resolveSocket: () => socket,
    callAgent,
    PROBE_TIMEOUT_MS: 1000,
    async agentCall(s, method, path, body) {
      const reply = await callAgent(s, method, path, body, 0);
      if (reply.status >= 200 && reply.status < 300) return reply.body;
      throw agentError(`agent API ${s}: ${method} ${path}`, reply);
    },
  };
}

export function cniRoute(transport: AgentTransport, log: (msg: string) => void): StreamHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    void (async () => {
      try {
        const body = (await readJson(req)) as { env?: Record<string, string>; stdin?: string } | undefined;
        const env = Object.fromEntries(
          Object.entries(body?.env ?? {}).filter(([k, v]) => k.startsWith('CNI_') && typeof v === 'string'),
        );
        const out = await runPlugin(env, typeof body?.stdin === 'string' ? body.stdin : '', transport);
        res.end(`exit=${out.exitCode}\n${out.stdout}`);
      } catch (err) {
        log(`POST /v1/cni: ${errorMessage(err)}`);
        const msg = JSON.stringify(`agent: ${errorMessage(err)}`);
        res.end(`exit=1\n{"cniVersion":"1.1.0","code":5,"msg":${msg}}\n`);
      }
    })();
  };
}
