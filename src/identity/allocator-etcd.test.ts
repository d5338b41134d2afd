// Identity allocation against a real etcd: two allocators (two clients, as two agents) race on
// many label sets and must end with one identity per set; a range shrunk to a little more than
// the sets forces hash collisions, so probing and lost creates are exercised too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EtcdStore } from '../store/index.js';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { IdentityAllocator } from './allocator.js';
import { podSecurityLabels } from './labels.js';

describe('identity allocator on etcd', () => {
  let etcd: TestEtcd | undefined;
  const stores: EtcdStore[] = [];
  const open = () => {
    const s = new EtcdStore({ endpoints: etcd?.endpoints ?? [] });
    stores.push(s);
    return s;
  };
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await etcd?.stop();
  });

  it('the same labels in another pod share the identity; other labels get another', async () => {
    const alloc = new IdentityAllocator({ store: open() });
    const web = podSecurityLabels({ namespace: 'default', labels: { app: 'webpod' } });
    const first = await alloc.allocate(web);
    assert.ok(first.created && first.id >= 256 && first.id <= 65535);
    assert.equal(first.id, alloc.startFor(web), 'an empty store: the hash position itself');
    const again = await alloc.allocate(
      podSecurityLabels({ namespace: 'default', labels: { app: 'webpod', 'pod-template-hash': 'x' } }),
    );
    assert.deepEqual(again, { id: first.id, created: false });
    const net = await alloc.allocate(podSecurityLabels({ namespace: 'default', labels: { app: 'netpod' } }));
    assert.notEqual(net.id, first.id);
    const stored = await open().get('CiliumIdentity', String(first.id));
    assert.equal(stored['security-labels']['k8s:app'], 'webpod');
    assert.equal(stored.metadata.labels?.['io.kubernetes.pod.namespace'], 'default');
    assert.deepEqual((await alloc.lookup(first.id))?.list, web.list);
  });

  it('two allocators racing on 60 label sets in a 64-id range end with one id per set', async () => {
    const [min, max] = [1000, 1063];
    const a = new IdentityAllocator({ store: open(), min, max });
    const b = new IdentityAllocator({ store: open(), min, max });
    const sets = Array.from({ length: 60 }, (_, i) =>
      podSecurityLabels({ namespace: `ns${i % 7}`, labels: { app: `app-${i}` } }),
    );
    const reversed = [...sets].reverse();
    const [ra, rb] = await Promise.all([
      Promise.all(sets.map((s) => a.allocate(s))),
      Promise.all(reversed.map((s) => b.allocate(s)).reverse()),
    ]);
    for (let i = 0; i < sets.length; i++)
      assert.equal(ra[i]?.id, rb[i]?.id, `set ${i}: allocators disagree (${ra[i]?.id} vs ${rb[i]?.id})`);
    const ids = ra.map((r) => r.id);
    assert.equal(new Set(ids).size, sets.length, 'distinct sets got distinct ids');
    assert.ok(ids.every((id) => id >= min && id <= max));
    const created = [...ra, ...rb].filter((r) => r.created).length;
    assert.equal(created, sets.length, 'each identity was created exactly once');
    const inRange = (await open().list({ kind: 'CiliumIdentity' })).items.filter(
      (o) => Number(o.metadata.name) >= min && Number(o.metadata.name) <= max,
    );
    assert.equal(inRange.length, sets.length, 'no stray CiliumIdentity objects');
    assert.ok(
      a.probes + b.probes > 2 * sets.length,
      `collisions were probed (${a.probes + b.probes} probes)`,
    );
    // The range is now nearly full: 4 left, then the error names the labels and the range.
    const extra = Array.from({ length: 4 }, (_, i) =>
      podSecurityLabels({ namespace: 'x', labels: { n: String(i) } }),
    );
    for (const s of extra) await a.allocate(s);
    await assert.rejects(
      a.allocate(podSecurityLabels({ namespace: 'x', labels: { n: 'last' } })),
      /^Error: identity for k8s:io\.cilium.*k8s:n=last: no free identity in 1000\.\.1063 \(all 64 in use\)$/,
    );
  });
});
