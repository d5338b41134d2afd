// AgentMetrics: the agent's own gauges (liveness age, BPF map occupancy from the datapath's last
// sample) follow their source on every scrape, and the HTTP endpoint serves /metrics and nothing
// else. L2 announcement metrics are tested in src/l2announcer/metrics.test.ts; the e2e test
// agent-metrics.test.ts checks the same metrics on real agents.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { AgentMetrics, type AgentMetricsSource } from './metrics.js';

const sample = (text: string, line: string) => text.split('\n').includes(line);

describe('AgentMetrics', () => {
  it('reads liveness age and the sampled map occupancy on each scrape', async () => {
    let src: AgentMetricsSource = {
      livenessAgeMs: () => 250,
      maps: () => [{ name: 'waggle_l2_responder_v4', entries: 3, maxEntries: 4096 }],
    };
    const m = new AgentMetrics({ livenessAgeMs: () => src.livenessAgeMs(), maps: () => src.maps() });
    let text = await m.registry.metrics();
    assert.ok(sample(text, 'waggle_agent_liveness_age_seconds 0.25'), text);
    assert.ok(sample(text, 'waggle_bpf_map_entries{map="waggle_l2_responder_v4"} 3'), text);
    assert.ok(sample(text, 'waggle_bpf_map_capacity{map="waggle_l2_responder_v4"} 4096'));
    src = {
      livenessAgeMs: () => null,
      maps: () => [{ name: 'waggle_l2_responder_v4', entries: 0, maxEntries: 4096 }],
    };
    text = await m.registry.metrics();
    assert.ok(!sample(text, 'waggle_agent_liveness_age_seconds 0.25'), 'no stale age once liveness is gone');
    assert.ok(sample(text, 'waggle_bpf_map_entries{map="waggle_l2_responder_v4"} 0'));
  });

  it('counts watch events and cached objects per watched kind', async () => {
    let events = 3;
    const m = new AgentMetrics({
      livenessAgeMs: () => null,
      maps: () => [],
      watches: () => [{ kind: 'Service', objects: 2, events }],
    });
    assert.ok(sample(await m.registry.metrics(), 'waggle_store_watch_events_total{kind="Service"} 3'));
    events = 7;
    const text = await m.registry.metrics();
    assert.ok(sample(text, 'waggle_store_watch_events_total{kind="Service"} 7'), text);
    assert.ok(sample(text, 'waggle_store_cached_objects{kind="Service"} 2'));
  });

  it('serves /metrics over HTTP and 404 elsewhere', async () => {
    const m = new AgentMetrics({ livenessAgeMs: () => 1000, maps: () => [] });
    const port = await freePort();
    await m.listen('127.0.0.1', port);
    try {
      const ok = await get(port, '/metrics');
      assert.equal(ok.status, 200);
      assert.match(ok.type, /^text\/plain/);
      assert.ok(sample(ok.body, 'waggle_agent_liveness_age_seconds 1'));
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
