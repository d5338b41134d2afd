import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterHealthLine, formatHealthStatus, goDuration } from './format.js';
import type { HealthStatus } from './health-status.js';

test('durations print as Go time.Duration.String', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(0.0005), '500ns');
  assert.equal(goDuration(0.1523), '152.3µs');
  assert.equal(goDuration(1.204), '1.204ms');
  assert.equal(goDuration(5000), '5s');
  assert.equal(goDuration(91_000), '1m31s');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});

const status: HealthStatus = {
  local: 'node-b',
  reachable: 1,
  total: 2,
  lastProbe: '2026-06-25T10:11:00Z',
  intervalMs: 5000,
  nodes: [
    {
      name: 'node-a',
      host: {
        ip: '192.168.0.1',
        icmp: { ok: false, error: 'ping 192.168.0.1: Destination Host Unreachable' },
        http: { ok: false, error: 'GET http://192.168.0.1:4240/hello: no answer within 1000ms' },
      },
    },
    {
      name: 'node-b',
      host: {
        ip: '192.168.0.2',
        icmp: { ok: true, rttMs: 0.052 },
        http: {
          ok: false,
          error: 'GET http://192.168.0.2:4240/hello: connect ECONNREFUSED 192.168.0.2:4240',
        },
      },
      endpoint: { ip: '10.200.1.7', icmp: { ok: true, rttMs: 0.081 }, http: { ok: true, rttMs: 0.4125 } },
    },
  ],
};

test('health status: probe time, this node first as (localhost), then the others', () => {
  assert.equal(
    formatHealthStatus(status),
    [
      'Probe time:   2026-06-25T10:11:00Z',
      'Nodes:',
      '  node-b (localhost):',
      '    Host connectivity to 192.168.0.2:',
      '      ICMP to stack:   OK, RTT=52µs',
      '      HTTP to agent:   GET http://192.168.0.2:4240/hello: connect ECONNREFUSED 192.168.0.2:4240',
      '    Endpoint connectivity to 10.200.1.7:',
      '      ICMP to stack:   OK, RTT=81µs',
      '      HTTP to agent:   OK, RTT=412.5µs',
      '  node-a:',
      '    Host connectivity to 192.168.0.1:',
      '      ICMP to stack:   ping 192.168.0.1: Destination Host Unreachable',
      '      HTTP to agent:   GET http://192.168.0.1:4240/hello: no answer within 1000ms',
      '',
    ].join('\n'),
  );
});

test('cluster health line as cilium-dbg status prints it', () => {
  assert.equal(
    clusterHealthLine(status),
    'Cluster health:          1/2 reachable   (2026-06-25T10:11:00Z)   (Probe interval: 5s)',
  );
  assert.equal(
    clusterHealthLine({ ...status, lastProbe: null, intervalMs: 91_000 }),
    'Cluster health:          1/2 reachable   (no probe yet)   (Probe interval: 1m31s)',
  );
});
