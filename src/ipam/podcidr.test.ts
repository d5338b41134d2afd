// PodCIDR resolution per IPAM mode, and waiting for it on a store and on informers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CiliumNode, Node } from '../api/index.js';
import { Informers } from '../store/informer.js';
import { MemoryStore } from '../store/index.js';
import { podCidrOf, waitForPodCidr } from './podcidr.js';

const node = (spec: Node['spec']): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'w1' },
  spec,
});
const cnode = (podCIDRs?: string[]): CiliumNode => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNode',
  metadata: { name: 'w1' },
  spec: podCIDRs ? { ipam: { podCIDRs } } : {},
});

test('kubernetes mode reads Node.spec.podCIDRs, then podCIDR; the first IPv4 entry', () => {
  assert.deepEqual(
    podCidrOf('kubernetes', 'w1', { node: node({ podCIDRs: ['fd00::/64', '10.1.0.0/24'] }) }),
    {
      ok: true,
      cidr: '10.1.0.0/24',
    },
  );
  assert.deepEqual(podCidrOf('kubernetes', 'w1', { node: node({ podCIDR: '10.2.0.0/24' }) }), {
    ok: true,
    cidr: '10.2.0.0/24',
  });
  assert.deepEqual(podCidrOf('kubernetes', 'w1', { node: node({}) }), {
    ok: false,
    error: 'Node w1 spec.podCIDRs is empty',
  });
  assert.deepEqual(podCidrOf('kubernetes', 'w1', { node: node({ podCIDRs: ['fd00::/64'] }) }), {
    ok: false,
    error: 'Node w1 spec.podCIDRs has no IPv4 CIDR (fd00::/64)',
  });
  assert.deepEqual(podCidrOf('kubernetes', 'w1', {}), { ok: false, error: 'Node w1 does not exist' });
});

test('cluster-pool mode reads CiliumNode.spec.ipam.podCIDRs and ignores the Node', () => {
  const objects = { node: node({ podCIDR: '10.2.0.0/24' }), ciliumNode: cnode(['10.200.3.0/24']) };
  assert.deepEqual(podCidrOf('cluster-pool', 'w1', objects), { ok: true, cidr: '10.200.3.0/24' });
  assert.deepEqual(podCidrOf('cluster-pool', 'w1', { ciliumNode: cnode() }), {
    ok: false,
    error: 'CiliumNode w1 spec.ipam.podCIDRs is empty',
  });
});

test('waitForPodCidr on a store resolves when the operator writes the CIDR later', async () => {
  const store = new MemoryStore();
  const created = await store.create(cnode());
  const waiting = waitForPodCidr({ store }, 'w1', 'cluster-pool', 2000);
  await new Promise((r) => setTimeout(r, 20));
  await store.update({ ...created, spec: { ipam: { podCIDRs: ['10.200.7.0/24'] } } });
  assert.equal(await waiting, '10.200.7.0/24');
});

test('waitForPodCidr on informers resolves from the cache; a timeout names node, field and who sets it', async () => {
  const store = new MemoryStore();
  await store.create(node({ podCIDRs: ['10.5.0.0/24'] }));
  const informers = new Informers(store);
  try {
    assert.equal(await waitForPodCidr({ informers }, 'w1', 'kubernetes', 2000), '10.5.0.0/24');
    await assert.rejects(
      waitForPodCidr({ informers }, 'w1', 'cluster-pool', 50),
      (err: Error) =>
        err.message ===
        'node w1: no PodCIDR after 50 ms: CiliumNode w1 does not exist (is waggle operator running with --cluster-pool-ipv4-cidr?)',
    );
  } finally {
    await informers.stop();
  }
  await assert.rejects(waitForPodCidr({ store }, 'w1', 'cluster-pool', 50), /CiliumNode w1 does not exist/);
});
