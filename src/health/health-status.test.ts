import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CiliumNode } from '../api/cilium-node.js';
import { healthTargets, type NodeHealth, nodeReachable, parsePingRtt, summarize } from './health-status.js';

const cn = (name: string, spec: CiliumNode['spec']): CiliumNode => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNode',
  metadata: { name },
  spec,
});
const ok = { ok: true, rttMs: 0.2 };
const bad = { ok: false, error: 'x' };
const nh = (name: string, hostIcmp: boolean, epHttp: boolean | undefined): NodeHealth => ({
  name,
  host: { ip: '10.0.0.1', icmp: hostIcmp ? ok : bad, http: bad },
  ...(epHttp === undefined ? {} : { endpoint: { ip: '10.1.0.1', icmp: bad, http: epHttp ? ok : bad } }),
});

test('targets: InternalIP (not CiliumInternalIP) and spec.health.ipv4, sorted by name', () => {
  const t = healthTargets([
    cn('b', {
      addresses: [
        { type: 'CiliumInternalIP', ip: '10.200.0.1' },
        { type: 'InternalIP', ip: '192.168.0.2' },
      ],
      health: { ipv4: '10.200.0.7' },
    }),
    cn('a', {}),
  ]);
  assert.deepEqual(t, [
    { name: 'a', hostIp: undefined, healthIp: undefined },
    { name: 'b', hostIp: '192.168.0.2', healthIp: '10.200.0.7' },
  ]);
});

test('reachable: host ICMP and endpoint HTTP; host HTTP does not count; no endpoint is not reachable', () => {
  assert.equal(nodeReachable(nh('n', true, true)), true);
  assert.equal(nodeReachable(nh('n', false, true)), false);
  assert.equal(nodeReachable(nh('n', true, false)), false);
  assert.equal(nodeReachable(nh('n', true, undefined)), false);
});

test('summarize counts reachable nodes and prints the time as RFC 3339 seconds', () => {
  const s = summarize(
    'a',
    [nh('a', true, true), nh('b', true, false), nh('c', true, true)],
    new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    5000,
  );
  assert.equal(s.reachable, 2);
  assert.equal(s.total, 3);
  assert.equal(s.lastProbe, '2026-01-02T03:04:05Z');
  assert.equal(summarize('a', [], null, 5000).lastProbe, null);
});

test('ping RTT from iputils output; none when there is no reply line', () => {
  const reply =
    'PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.052 ms\n';
  assert.equal(parsePingRtt(reply), 0.052);
  assert.equal(parsePingRtt('64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=12.4 ms'), 12.4);
  assert.equal(parsePingRtt('From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n'), undefined);
});
