// The agent's own health listener on TCP 4240 of the node (Cilium's agent serves cilium-health
// there): `GET /hello` → 200, so other nodes' "HTTP to agent" probes of this node's address
// succeed while this agent runs. A port already taken is logged, never fatal.
import { createServer, type Server } from 'node:http';
import type { AgentModule } from '../agent/module.js';
import { HEALTH_PORT } from './probes.js';

export class HealthListener implements AgentModule {
  readonly name = 'health-listener';
  readonly #log: (msg: string) => void;
  #server: Server | undefined;
  listening = false;

  constructor(log: (msg: string) => void) {
    this.#log = log;
  }

  start(): void {
    const server = createServer((req, res) => {
      const ok = req.method === 'GET' && req.url === '/hello';
      res.writeHead(ok ? 200 : 404, { 'content-type': 'text/plain' }).end(ok ? 'hello\n' : 'not found\n');
    });
    server.on('error', (err: NodeJS.ErrnoException) => {
      this.#log(
        `health listener :${HEALTH_PORT}: ${err.code ?? err.message} (other nodes' HTTP probes of this node will fail)`,
      );
    });
    server.listen(HEALTH_PORT, '0.0.0.0', () => {
      this.listening = true;
    });
    this.#server = server;
  }

  stop(): void {
    this.#server?.close();
    this.#server?.closeAllConnections();
    this.#server = undefined;
    this.listening = false;
  }
}
