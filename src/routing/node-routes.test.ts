import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CiliumNode } from '../api/index.js';
import { parseRoutes } from './kernel.js';
import { desiredNodeRoutes, diffNodeRoutes, nodeHops, type PathToNode } from './node-routes.js';

const node = (name: string, ip: string | undefined, podCIDRs: string[], extra: string[] = []): CiliumNode =>
  ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNode',
    metadata: { name },
    spec: {
      addresses: [
        ...extra.map((x) => ({ type: 'InternalIP', ip: x })),
        ...(ip ? [{ type: 'InternalIP', ip }] : []),
        { type: 'CiliumInternalIP', ip: '10.255.0.1' },
      ],
      ipam: { podCIDRs },
    },
  }) as CiliumNode;

const onLink = (dev: string): PathToNode => ({ dev });

test('one route per other node and IPv4 PodCIDR, via its InternalIP on the device that reaches it', () => {
  const { hops, skipped } = nodeHops('a', [
    node('c', '192.168.1.3', ['10.244.3.0/24', 'fd00:3::/64']),
    node('a', '192.168.1.1', ['10.244.1.0/24']),
    node('b', '192.168.1.2', ['10.244.2.0/24', '10.245.2.0/24'], ['fd00::2']),
  ]);
  assert.deepEqual(skipped, []);
  const got = desiredNodeRoutes(
    hops,
    new Map([
      ['192.168.1.2', onLink('eth0')],
      ['192.168.1.3', onLink('eth1')],
    ]),
  );
  assert.deepEqual(got.skipped, []);
  // Own node excluded; the IPv6 CIDR and the IPv6 InternalIP listed first are ignored.
  assert.deepEqual(got.routes, [
    { cidr: '10.244.2.0/24', via: '192.168.1.2', dev: 'eth0' },
    { cidr: '10.245.2.0/24', via: '192.168.1.2', dev: 'eth0' },
    { cidr: '10.244.3.0/24', via: '192.168.1.3', dev: 'eth1' },
  ]);
});

test('a node behind a gateway, without a route, local, or without addresses is skipped with its reason', () => {
  const { hops, skipped } = nodeHops('a', [
    node('b', '10.0.9.2', ['10.244.2.0/24']),
    node('c', '10.0.9.3', ['10.244.3.0/24']),
    node('d', '10.0.9.4', ['10.244.4.0/24']),
    node('e', undefined, ['10.244.5.0/24']),
    node('f', 'fd00::6', ['10.244.6.0/24']),
    node('g', '10.0.9.7', ['fd00:7::/64']),
    node('h', '10.0.9.8', ['10.244.8.0/24']),
  ]);
  const got = desiredNodeRoutes(
    hops,
    new Map<string, PathToNode | null>([
      ['10.0.9.2', { dev: 'eth0', gateway: '10.0.0.254' }],
      ['10.0.9.3', null],
      ['10.0.9.4', { dev: 'lo', local: true }],
      ['10.0.9.8', onLink('eth0')],
    ]),
  );
  assert.deepEqual(got.routes, [{ cidr: '10.244.8.0/24', via: '10.0.9.8', dev: 'eth0' }]);
  assert.deepEqual(
    [...skipped, ...got.skipped],
    [
      { node: 'e', reason: 'no IPv4 InternalIP in spec.addresses' },
      { node: 'f', reason: 'no IPv4 InternalIP in spec.addresses' },
      { node: 'g', reason: 'no IPv4 PodCIDR in spec.ipam.podCIDRs' },
      {
        node: 'b',
        reason: "not on this node's L2 segment: 10.0.9.2 is reached via gateway 10.0.0.254 dev eth0",
      },
      { node: 'c', reason: 'no route to its InternalIP 10.0.9.3' },
      { node: 'd', reason: 'its InternalIP 10.0.9.4 is an address of this host' },
    ],
  );
});

test('a PodCIDR claimed twice goes to the first node by name; this node keeps its own', () => {
  const { hops, skipped } = nodeHops('a', [
    node('c', '10.0.0.3', ['10.244.2.0/24', '10.244.3.0/24']),
    node('b', '10.0.0.2', ['10.244.2.0/24']),
    node('d', '10.0.0.4', ['10.244.1.0/24']),
    node('a', '10.0.0.1', ['10.244.1.0/24']),
  ]);
  assert.deepEqual(hops, [
    { node: 'b', via: '10.0.0.2', cidrs: ['10.244.2.0/24'] },
    { node: 'c', via: '10.0.0.3', cidrs: ['10.244.3.0/24'] },
  ]);
  assert.deepEqual(skipped, [
    { node: 'c', reason: "PodCIDR 10.244.2.0/24 is also node b's" },
    { node: 'd', reason: "PodCIDR 10.244.1.0/24 is also node a's" },
  ]);
});

test('diff: missing routes added, changed next hop or device replaced, stale and duplicate removed', () => {
  const d = diffNodeRoutes(
    [
      { cidr: '10.244.2.0/24', via: '10.0.0.2', dev: 'eth0' },
      { cidr: '10.244.3.0/24', via: '10.0.0.3', dev: 'eth0' },
      { cidr: '10.244.4.0/24', via: '10.0.0.4', dev: 'eth1' },
      { cidr: '10.244.5.0/24', via: '10.0.0.5', dev: 'eth0' },
    ],
    [
      { cidr: '10.244.3.0/24', via: '10.0.0.33', dev: 'eth0' },
      { cidr: '10.244.4.0/24', via: '10.0.0.4', dev: 'eth0' },
      { cidr: '10.244.5.0/24', via: '10.0.0.5', dev: 'eth0' },
      { cidr: '10.244.5.0/24', via: '10.0.0.9', dev: 'eth0' },
      { cidr: '10.244.9.0/24', via: '10.0.0.9', dev: 'eth0' },
    ],
  );
  assert.deepEqual(d, {
    add: [{ cidr: '10.244.2.0/24', via: '10.0.0.2', dev: 'eth0' }],
    replace: [
      { cidr: '10.244.3.0/24', via: '10.0.0.3', dev: 'eth0' },
      { cidr: '10.244.4.0/24', via: '10.0.0.4', dev: 'eth1' },
    ],
    remove: [
      { cidr: '10.244.5.0/24', via: '10.0.0.9', dev: 'eth0' },
      { cidr: '10.244.9.0/24', via: '10.0.0.9', dev: 'eth0' },
    ],
  });
  assert.deepEqual(
    diffNodeRoutes(
      [{ cidr: '10.244.2.0/24', via: '10.0.0.2', dev: 'eth0' }],
      [{ cidr: '10.244.2.0/24', via: '10.0.0.2', dev: 'eth0' }],
    ),
    { add: [], replace: [], remove: [] },
  );
});

test("iproute2's JSON: a /32 printed without its length, the network address, the gateway", () => {
  const got = parseRoutes(
    '[{"dst":"10.244.1.0/24","gateway":"10.98.0.2","dev":"v0","flags":[]},{"dst":"10.244.2.5","gateway":"10.98.0.2","dev":"v0","flags":[]},{"dst":"10.244.3.0/24","dev":"v1","flags":[]}]',
  );
  assert.deepEqual(got, [
    { cidr: '10.244.1.0/24', via: '10.98.0.2', dev: 'v0' },
    { cidr: '10.244.2.5/32', via: '10.98.0.2', dev: 'v0' },
    { cidr: '10.244.3.0/24', dev: 'v1' },
  ]);
  // PodCIDRs with host bits are compared as the kernel prints them back.
  const { hops } = nodeHops('a', [node('b', '10.0.0.2', ['10.244.2.7/24'])]);
  assert.deepEqual(hops[0]?.cidrs, ['10.244.2.0/24']);
});
