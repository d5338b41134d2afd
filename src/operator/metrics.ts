// The operator's Prometheus metrics, named after Cilium's LB-IPAM operator metrics with a waggle
// prefix. Values are read from the allocator at scrape time, so they are never stale.
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { LbIpam } from '../lbipam/engine.js';

export function lbipamRegistry(engine: LbIpam): Registry {
  const registry = new Registry();
  const perPool = (name: string, help: string, pick: 'available' | 'used') =>
    new Gauge({
      name,
      help,
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        this.reset();
        for (const pool of engine.poolNames()) {
          const c = engine.poolCounts(pool);
          if (c) this.set({ pool }, Number(c[pick])); // a v6 /64 is approximate as a float
        }
      },
    });
  perPool(
    'waggle_operator_lbipam_ips_available_total',
    'IPs that can still be allocated, per pool',
    'available',
  );
  perPool(
    'waggle_operator_lbipam_ips_used_total',
    'IPs allocated (including reserved first/last IPs), per pool',
    'used',
  );
  new Gauge({
    name: 'waggle_operator_lbipam_conflicting_pools_total',
    help: 'Pools disabled because their blocks overlap an older pool or each other',
    registers: [registry],
    collect() {
      this.set(engine.poolNames().filter((p) => engine.poolConflict(p) !== undefined).length);
    },
  });
  new Gauge({
    name: 'waggle_operator_lbipam_services_unsatisfied_total',
    help: 'LoadBalancer services whose IPAM request is not satisfied',
    registers: [registry],
    collect() {
      this.set(engine.unsatisfiedCount());
    },
  });
  return registry;
}

/** Serves GET /metrics on host:port; resolves once listening (port 0 picks a free port). */
export async function serveMetrics(
  registry: Registry,
  addr: string,
): Promise<{ server: Server; url: string }> {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) throw new Error(`--metrics-addr "${addr}": expected HOST:PORT`);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`--metrics-addr "${addr}": ${err.message}`)));
    server.listen(Number(m[2]), host, resolve);
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : Number(m[2]);
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics` };
}
