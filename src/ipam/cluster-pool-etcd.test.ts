// The cluster-pool controller against a real etcd, with a pool of two /24 blocks: two nodes get
// distinct blocks on their CiliumNodes; an operator restart keeps them; a third node finds the
// pool exhausted (logged and in status.ipam.operator-status.error); deleting a node releases its
// block to the waiting one; a racing writer on a CiliumNode costs a conflict, not its write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CiliumNode, Node } from '../api/index.js';
import { Informers } from '../store/informer.js';
import { EtcdStore, type Store } from '../store/index.js';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { storeWith } from '../testing/store.js';
import { ClusterPool } from './cluster-pool.js';
import { ClusterPoolController } from './cluster-pool-controller.js';

const POOL = ['10.200.0.0/23'];

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });

describe('cluster-pool controller on etcd', () => {
  let etcd: TestEtcd | undefined;
  const stores: EtcdStore[] = [];
  let client!: EtcdStore;
  const logs: string[] = [];
  let running: { controller: ClusterPoolController; stop: () => Promise<void> } | undefined;

  const open = () => {
    const s = new EtcdStore({ endpoints: etcd?.endpoints ?? [] });
    stores.push(s);
    return s;
  };
  async function startOperator(wrap: (s: Store) => Store = (s) => s) {
    const store = wrap(open());
    const informers = new Informers(store);
    const pool = ClusterPool.create(POOL, 24);
    assert.ok(pool.ok);
    const controller = new ClusterPoolController({
      store,
      informers,
      pool: pool.value,
      log: (l) => logs.push(l),
    });
    await controller.start();
    running = {
      controller,
      stop: async () => {
        await controller.stop();
        await informers.stop();
      },
    };
    return controller;
  }
  const cidrOf = async (name: string) => (await client.tryGet('CiliumNode', name))?.spec.ipam?.podCIDRs?.[0];

  before(async () => {
    etcd = await startEtcd();
    client = open();
  });
  after(async () => {
    await running?.stop();
    for (const s of stores) await s.close();
    await etcd?.stop();
  });

  it('two nodes get distinct blocks of the pool, recorded on created CiliumNodes', async () => {
    await startOperator();
    await client.create(node('w1'));
    await client.create(node('w2'));
    const a = await until('w1 block', () => cidrOf('w1'));
    const b = await until('w2 block', () => cidrOf('w2'));
    assert.notEqual(a, b);
    assert.deepEqual([a, b].sort(), ['10.200.0.0/24', '10.200.1.0/24']);
  });

  it('a restart keeps every block; a third node finds the pool exhausted and is told so', async () => {
    const before = { w1: await cidrOf('w1'), w2: await cidrOf('w2') };
    await running?.stop();
    await client.create(node('w3')); // while no operator runs
    const controller = await startOperator();
    await controller.idle();
    assert.deepEqual({ w1: await cidrOf('w1'), w2: await cidrOf('w2') }, before);
    const error = await until('w3 error', async () => {
      const cn = await client.tryGet('CiliumNode', 'w3');
      return cn?.status?.ipam?.['operator-status']?.error;
    });
    assert.equal(error, 'cluster pool 10.200.0.0/23: no free /24 left for node w3 (2/2 allocated)');
    assert.equal(await cidrOf('w3'), undefined);
    assert.ok(logs.includes(`cluster-pool: ${error}`), logs.join('\n'));
    assert.ok(logs.includes('cluster-pool: imported 2/2 blocks of 10.200.0.0/23'), logs.join('\n'));
  });

  it('deleting a node releases its block (CiliumNode deleted) to the node waiting for one', async () => {
    const freed = await cidrOf('w1');
    await client.delete('Node', 'w1');
    await until('CiliumNode w1 deleted', async () =>
      (await client.tryGet('CiliumNode', 'w1')) ? undefined : true,
    );
    assert.equal(await until('w3 block', () => cidrOf('w3')), freed);
    const w3 = (await client.get('CiliumNode', 'w3')) as CiliumNode;
    assert.equal(w3.status?.ipam?.['operator-status'], undefined, 'the error is cleared');
  });

  it('a writer racing the controller on a CiliumNode: conflict, re-read, both writes kept', async () => {
    await client.delete('Node', 'w2'); // frees a block for w4
    await until('CiliumNode w2 deleted', async () =>
      (await client.tryGet('CiliumNode', 'w2')) ? undefined : true,
    );
    await running?.stop();
    // The agent of w4 has already registered its CiliumNode (addresses, no CIDR yet).
    await client.create({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNode',
      metadata: { name: 'w4' },
      spec: { addresses: [{ type: 'InternalIP', ip: '192.168.10.104' }] },
    } satisfies CiliumNode);
    let raced = 0;
    const controller = await startOperator((s) =>
      storeWith(s, {
        update: async (o) => {
          if (o.kind === 'CiliumNode' && o.metadata.name === 'w4' && raced++ === 0) {
            // Between the controller's read and its write, the agent adds its health IP.
            const cur = await s.get('CiliumNode', 'w4');
            await s.update({ ...cur, spec: { ...cur.spec, health: { ipv4: '10.200.1.9' } } });
          }
          return s.update(o);
        },
      }),
    );
    await client.create(node('w4'));
    const cidr = await until('w4 block', () => cidrOf('w4'));
    const w4 = await client.get('CiliumNode', 'w4');
    assert.equal(raced >= 2, true, 'the controller wrote again after the conflict');
    assert.equal(w4.spec.health?.ipv4, '10.200.1.9', "the racing writer's field survived");
    assert.deepEqual(w4.spec.addresses, [{ type: 'InternalIP', ip: '192.168.10.104' }]);
    assert.ok(controller.writes.conflicts >= 1);
    const all = (await client.list({ kind: 'CiliumNode' })).items.map((c) => c.spec.ipam?.podCIDRs?.[0]);
    const held = all.filter((c) => c !== undefined);
    assert.equal(new Set(held).size, held.length, `one block per node: ${held.join(', ')}`);
    assert.ok(held.includes(cidr));
  });
});
