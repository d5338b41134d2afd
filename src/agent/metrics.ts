// Prometheus metrics of one agent. Gauges that mirror state (leases held, responder entries,
// per-IP responses, liveness age) are collected on scrape; counters count events as they happen.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { AgentStatus } from './status.js';

export class AgentMetrics {
  readonly registry = new Registry();
  readonly leaseTransitions: Counter<'service' | 'event'>;
  readonly garpsSent: Counter<'interface'>;
  readonly responderWriteErrors: Counter<'ip' | 'interface' | 'reason'>;
  #server: Server | undefined;

  constructor(status: () => AgentStatus) {
    const registers = [this.registry];
    this.leaseTransitions = new Counter({
      name: 'waggle_l2_lease_transitions_total',
      help: 'Times this node started or stopped leading a service lease',
      labelNames: ['service', 'event'],
      registers,
    });
    this.responderWriteErrors = new Counter({
      name: 'waggle_l2_responder_write_errors_total',
      help: 'Desired responder entries that could not be written (reason map_full: 4096 entries reached); such an IP is not answered on that interface',
      labelNames: ['ip', 'interface', 'reason'],
      registers,
    });
    this.garpsSent = new Counter({
      name: 'waggle_l2_gratuitous_arps_sent_total',
      help: 'Gratuitous ARP packets sent',
      labelNames: ['interface'],
      registers,
    });
    new Gauge({
      name: 'waggle_l2_leases_held',
      help: 'Service leases this node holds',
      registers,
      collect() {
        this.set(status().leases.filter((l) => l.leading).length);
      },
    });
    new Gauge({
      name: 'waggle_l2_responder_entries',
      help: 'Entries in waggle_l2_responder_v4',
      registers,
      collect() {
        this.set(status().responder.length);
      },
    });
    new Gauge({
      name: 'waggle_l2_responses_sent',
      help: 'ARP replies sent by the datapath per announced IP (sum over interfaces)',
      labelNames: ['ip'],
      registers,
      collect() {
        this.reset();
        const per = new Map<string, number>();
        for (const e of status().responder) per.set(e.ip, (per.get(e.ip) ?? 0) + Number(e.responsesSent));
        for (const [ip, n] of per) this.set({ ip }, n);
      },
    });
    new Gauge({
      name: 'waggle_agent_liveness_age_seconds',
      help: 'Age of AgentLiveness in waggle_runtime_config',
      registers,
      collect() {
        const age = status().livenessAgeMs;
        if (age !== null) this.set(age / 1000);
      },
    });
  }

  listen(host: string, port: number): Promise<void> {
    this.#server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('not found\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err) => res.writeHead(500).end(String(err)),
      );
    });
    const server = this.#server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  }

  close(): void {
    this.#server?.close();
  }
}
