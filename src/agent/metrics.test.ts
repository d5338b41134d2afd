// AgentMetrics: the gauges follow the status they are collected from on every scrape (leases
// held, responder entries, responses per IP summed over interfaces, liveness age), counters count
// events, and the HTTP endpoint serves /metrics and nothing else. The status is a plain object
// here; the e2e test agent-metrics.test.ts checks the same metrics on real agents.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { AgentMetrics } from './metrics.js';
import type { AgentStatus } from './status.js';

const status = (over: Partial<AgentStatus> = {}): AgentStatus => ({
  node: 'node-a',
  store: 'etcd://x',
  pinDir: '/p',
  devices: [],
  livenessAgeMs: 250,
  livenessIntervalMs: 1000,
  maxLivenessMs: 15000,
  initialSyncDone: true,
  leases: [],
  responder: [],
  maps: [],
  runtimeConfig: [],
  l2: [],
  ...over,
});

const lease = (service: string, leading: boolean) => ({
  service,
  lease: `waggle-l2announce-${service.replace('/', '-')}`,
  holder: leading ? 'node-a' : 'node-b',
  leading,
  renewTime: '',
  transitions: 0,
});

const sample = (text: string, line: string) => text.split('\n').includes(line);

describe('AgentMetrics', () => {
  it('collects gauges from the current status on each scrape', async () => {
    let s = status({
      leases: [lease('default/web', true), lease('default/db', false), lease('prod/api', true)],
      responder: [
        { ip: '10.0.10.0', ifindex: 2, iface: 'eth0', responsesSent: '5' },
        { ip: '10.0.10.0', ifindex: 3, iface: 'eth1', responsesSent: '7' },
        { ip: '10.0.10.1', ifindex: 2, iface: 'eth0', responsesSent: '0' },
      ],
    });
    const m = new AgentMetrics(() => s);
    let text = await m.registry.metrics();
    assert.ok(sample(text, 'waggle_l2_leases_held 2'), text);
    assert.ok(sample(text, 'waggle_l2_responder_entries 3'));
    assert.ok(sample(text, 'waggle_l2_responses_sent{ip="10.0.10.0"} 12'), 'summed over interfaces');
    assert.ok(sample(text, 'waggle_l2_responses_sent{ip="10.0.10.1"} 0'));
    assert.ok(sample(text, 'waggle_agent_liveness_age_seconds 0.25'));

    s = status({ livenessAgeMs: null });
    text = await m.registry.metrics();
    assert.ok(sample(text, 'waggle_l2_leases_held 0'));
    assert.ok(sample(text, 'waggle_l2_responder_entries 0'));
    assert.doesNotMatch(text, /waggle_l2_responses_sent\{/, 'IPs no longer in the map disappear');
  });

  it('counts lease transitions and gratuitous ARPs by label', async () => {
    const m = new AgentMetrics(() => status());
    m.leaseTransitions.inc({ service: 'default/web', event: 'acquired' });
    m.leaseTransitions.inc({ service: 'default/web', event: 'lost' });
    m.leaseTransitions.inc({ service: 'default/web', event: 'acquired' });
    m.garpsSent.inc({ interface: 'eth0' }, 3);
    const text = await m.registry.metrics();
    assert.ok(
      sample(text, 'waggle_l2_lease_transitions_total{service="default/web",event="acquired"} 2'),
      text,
    );
    assert.ok(sample(text, 'waggle_l2_lease_transitions_total{service="default/web",event="lost"} 1'));
    assert.ok(sample(text, 'waggle_l2_gratuitous_arps_sent_total{interface="eth0"} 3'));
  });

  it('serves /metrics over HTTP and 404 elsewhere', async () => {
    const m = new AgentMetrics(() => status({ leases: [lease('default/web', true)] }));
    const port = await freePort();
    await m.listen('127.0.0.1', port);
    try {
      const ok = await get(port, '/metrics');
      assert.equal(ok.status, 200);
      assert.match(ok.type, /^text\/plain/);
      assert.ok(sample(ok.body, 'waggle_l2_leases_held 1'));
      assert.equal((await get(port, '/')).status, 404);
    } finally {
      m.close();
    }
  });
});

/** A port that was free a moment ago (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('metrics request timed out')));
    req.on('error', reject);
    req.end();
  });
}
