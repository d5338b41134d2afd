// Node routes in real kernels, in two namespaces this test creates: "a" is this node
// (veth0 10.98.0.1/24), "b" the other node (veth1 10.98.0.2/24, a pod address on its loopback).
// 10.99.0.0/24 is reachable from a only through b as a gateway (a static route), so a node that
// moves there is no longer on a's L2 segment. Foreign routes (proto static) must survive every
// pass; the route to b's PodCIDR must carry protocol 195 and carry a real ping.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CiliumNode } from '../api/index.js';
import { vethPair } from '../testing/netns.js';
import { NodeRouteKernel } from './kernel.js';
import { reconcileNodeRoutes, type RouteKernel } from './reconcile.js';

const node = (name: string, ip: string, cidr: string): CiliumNode => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNode',
  metadata: { name },
  spec: { addresses: [{ type: 'InternalIP', ip }], ipam: { podCIDRs: [cidr] } },
});

describe('node routes in a network namespace', () => {
  let pair: ReturnType<typeof vethPair> | undefined;
  let kernel!: NodeRouteKernel;
  const writes: string[] = [];
  let counted!: RouteKernel;
  const routes = (...filter: string[]) => pair?.a.ip('route', 'show', ...filter).stdout.trim() ?? '';
  const foreign = () =>
    routes()
      .split('\n')
      .filter((l) => l.includes('proto static'))
      .map((l) => l.trim())
      .join('\n');

  before(() => {
    pair = vethPair({ addrA: '10.98.0.1/24', addrB: '10.98.0.2/24' });
    const { a, b } = pair;
    // b's pod address and its address behind the gateway, on its loopback (no dummy module here).
    b.ip('addr', 'add', '10.244.1.1/32', 'dev', 'lo');
    b.ip('addr', 'add', '10.99.0.5/32', 'dev', 'lo');
    a.ip('route', 'add', '10.99.0.0/24', 'via', '10.98.0.2', 'proto', 'static');
    a.ip('route', 'add', '10.250.0.0/24', 'dev', 'veth0', 'proto', 'static');
    a.ip('route', 'add', '10.244.7.0/24', 'via', '10.98.0.2', 'proto', 'static');
    kernel = new NodeRouteKernel({ netns: a.name });
    counted = {
      routeTo: (ip) => kernel.routeTo(ip),
      ourRoutes: () => kernel.ourRoutes(),
      foreignRoutes: (c) => kernel.foreignRoutes(c),
      add: (r) => {
        writes.push(`add ${r.cidr}`);
        return kernel.add(r);
      },
      replace: (r) => {
        writes.push(`replace ${r.cidr}`);
        return kernel.replace(r);
      },
      remove: (r) => {
        writes.push(`remove ${r.cidr}`);
        return kernel.remove(r);
      },
    };
  });
  after(() => pair?.destroy());

  const STATIC_ROUTES = [
    '10.99.0.0/24 via 10.98.0.2 dev veth0 proto static',
    '10.244.7.0/24 via 10.98.0.2 dev veth0 proto static',
    '10.250.0.0/24 dev veth0 proto static scope link',
  ].join('\n');

  it("adds the other node's PodCIDR via its InternalIP with proto 195; a foreign prefix is a conflict", async () => {
    const self = node('a', '10.98.0.1', '10.244.0.0/24');
    const res = await reconcileNodeRoutes({
      self: 'a',
      nodes: [self, node('b', '10.98.0.2', '10.244.1.0/24'), node('c', '10.98.0.3', '10.244.7.0/24')],
      kernel: counted,
    });
    assert.deepEqual(res.routes, [{ cidr: '10.244.1.0/24', via: '10.98.0.2', dev: 'veth0' }]);
    assert.deepEqual(res.errors, []);
    assert.deepEqual(res.conflicts, [
      '10.244.7.0/24 (node c): foreign route 10.244.7.0/24 via 10.98.0.2 dev veth0 proto static',
    ]);
    assert.equal(routes('proto', '195'), '10.244.1.0/24 via 10.98.0.2 dev veth0');
    assert.equal(foreign(), STATIC_ROUTES);
    // The route carries traffic: b answers on its pod address.
    const ping = pair?.a.exec('ping', ['-c', '1', '-W', '2', '10.244.1.1'], {
      allowFail: true,
      timeoutMs: 5000,
    });
    assert.equal(ping?.code, 0, ping?.stdout);

    // The same state again changes nothing in the kernel.
    writes.length = 0;
    await reconcileNodeRoutes({
      self: 'a',
      nodes: [self, node('b', '10.98.0.2', '10.244.1.0/24')],
      kernel: counted,
    });
    assert.deepEqual(writes, []);
  });

  it('a node that moved behind a gateway is skipped and its route removed', async () => {
    const res = await reconcileNodeRoutes({
      self: 'a',
      nodes: [node('b', '10.99.0.5', '10.244.1.0/24')],
      kernel: counted,
    });
    assert.deepEqual(res.routes, []);
    assert.deepEqual(res.skipped, [
      {
        node: 'b',
        reason: "not on this node's L2 segment: 10.99.0.5 is reached via gateway 10.98.0.2 dev veth0",
      },
    ]);
    assert.equal(routes('proto', '195'), '');
    assert.equal(foreign(), STATIC_ROUTES);
  });

  it('a node back on the segment is routed again; a removed node loses its route', async () => {
    await reconcileNodeRoutes({ self: 'a', nodes: [node('b', '10.98.0.2', '10.244.1.0/24')], kernel });
    assert.equal(routes('proto', '195'), '10.244.1.0/24 via 10.98.0.2 dev veth0');
    const res = await reconcileNodeRoutes({ self: 'a', nodes: [], kernel });
    assert.deepEqual(res, { routes: [], skipped: [], conflicts: [], errors: [] });
    assert.equal(routes('proto', '195'), '');
    assert.equal(foreign(), STATIC_ROUTES);
  });

  it('a PodCIDR moved to another node: the next hop is replaced in place', async () => {
    await reconcileNodeRoutes({ self: 'a', nodes: [node('b', '10.98.0.2', '10.244.1.0/24')], kernel });
    writes.length = 0;
    await reconcileNodeRoutes({
      self: 'a',
      nodes: [node('d', '10.98.0.4', '10.244.1.0/24')],
      kernel: counted,
    });
    assert.deepEqual(writes, ['replace 10.244.1.0/24']);
    assert.equal(routes('proto', '195'), '10.244.1.0/24 via 10.98.0.4 dev veth0');
    assert.equal(foreign(), STATIC_ROUTES);
  });
});
