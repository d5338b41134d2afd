// The agent's Prometheus endpoint: one registry that every module registers its metrics in, the
// agent's own gauges (liveness age: one array lookup; BPF map occupancy: the datapath's last
// sample, never a walk per scrape), and the HTTP server for /metrics.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';

export interface AgentMetricsSource {
  livenessAgeMs(): number | null;
  /** Map occupancy as last sampled. */
  maps(): ReadonlyArray<{ name: string; entries: number; maxEntries: number }>;
  /** Entries the conntrack LRU maps evicted (sampled with the occupancy). */
  ctEvictions?(): { tcp: number; any: number };
  /** Per watched kind: objects in the informer's cache and watch events received. */
  watches?(): ReadonlyArray<{ kind: string; objects: number; events: number }>;
}

export class AgentMetrics {
  readonly registry = new Registry();
  #server: Server | undefined;

  constructor(source: AgentMetricsSource) {
    const registers = [this.registry];
    new Gauge({
      name: 'waggle_agent_liveness_age_seconds',
      help: 'Age of AgentLiveness in waggle_runtime_config',
      registers,
      collect() {
        const age = source.livenessAgeMs();
        if (age === null) this.reset();
        else this.set(age / 1000);
      },
    });
    new Gauge({
      name: 'waggle_bpf_map_entries',
      help: 'Entries in each BPF map of the agent (sampled)',
      labelNames: ['map'],
      registers,
      collect() {
        for (const m of source.maps()) this.set({ map: m.name }, m.entries);
      },
    });
    new Gauge({
      name: 'waggle_bpf_map_capacity',
      help: 'max_entries of each BPF map of the agent',
      labelNames: ['map'],
      registers,
      collect() {
        for (const m of source.maps()) this.set({ map: m.name }, m.maxEntries);
      },
    });
    // Cilium's cilium_bpf_map_pressure: fill level 0..1, the one to alert on for LRU maps such as
    // waggle_snat_v4_external, which evict live flows' entries instead of failing when full.
    new Gauge({
      name: 'waggle_bpf_map_pressure',
      help: 'Fill level (entries / max_entries) of each BPF map of the agent (sampled)',
      labelNames: ['map_name'],
      registers,
      collect() {
        for (const m of source.maps())
          if (m.maxEntries > 0) this.set({ map_name: m.name }, m.entries / m.maxEntries);
      },
    });
    const evictions = source.ctEvictions;
    if (evictions) {
      // A full conntrack map still takes new flows (LRU) by dropping the least recent ones; this
      // says how many were dropped, which the kernel itself never counts.
      new Counter({
        name: 'waggle_bpf_ct_evictions_total',
        help: 'Conntrack entries the LRU maps evicted to make room (datapath made - removed - present; sampled)',
        labelNames: ['map'],
        registers,
        collect() {
          this.reset();
          const e = evictions();
          this.inc({ map: 'waggle_ct4_global' }, e.tcp);
          this.inc({ map: 'waggle_ct_any4_global' }, e.any);
        },
      });
    }
    const watches = source.watches;
    if (watches) {
      new Counter({
        name: 'waggle_store_watch_events_total',
        help: 'Watch events this agent received from the store, per kind (it watches only the kinds it needs)',
        labelNames: ['kind'],
        registers,
        collect() {
          this.reset();
          for (const w of watches()) this.inc({ kind: w.kind }, w.events);
        },
      });
      new Gauge({
        name: 'waggle_store_cached_objects',
        help: "Objects in the agent's informer cache, per kind",
        labelNames: ['kind'],
        registers,
        collect() {
          for (const w of watches()) this.set({ kind: w.kind }, w.objects);
        },
      });
    }
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
    this.#server?.closeAllConnections();
  }
}
