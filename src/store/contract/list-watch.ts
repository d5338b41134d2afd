// Contract cases for lists (kind, namespace, label selector) and watches (order, filters,
// history, deletes, close, and — where the harness can — restarts and compaction).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeEvent, ResyncEvent } from '../types.js';
import { StoreUnavailableError } from '../errors.js';
import { type ContractHarness, lease, pool, quiet, service, take, withStore } from './harness.js';

const names = (items: { metadata: { name: string } }[]) => items.map((o) => o.metadata.name).sort();

export function registerListWatchCases(h: ContractHarness): void {
  test('list returns only the asked kind', () =>
    withStore(h, async (store) => {
      await store.create(service('s1'));
      await store.create(pool('p1'));
      await store.create(lease('l1'));
      const services = await store.list({ kind: 'Service' });
      assert.deepEqual(names(services.items), ['s1']);
      assert.deepEqual(names((await store.list({ kind: 'CiliumLoadBalancerIPPool' })).items), ['p1']);
    }));

  test('list filters by namespace, or spans all namespaces without one', () =>
    withStore(h, async (store) => {
      await store.create(service('a', {}, undefined, 'ns1'));
      await store.create(service('b', {}, undefined, 'ns2'));
      await store.create(service('c', {}, undefined, 'ns1'));
      assert.deepEqual(names((await store.list({ kind: 'Service', namespace: 'ns1' })).items), ['a', 'c']);
      assert.deepEqual(names((await store.list({ kind: 'Service' })).items), ['a', 'b', 'c']);
    }));

  test('list filters by label selector (matchLabels and every operator)', () =>
    withStore(h, async (store) => {
      await store.create(service('web', {}, { app: 'web', tier: 'front' }));
      await store.create(service('api', {}, { app: 'api', tier: 'back' }));
      await store.create(service('bare'));
      const sel = async (labelSelector: object) =>
        names((await store.list({ kind: 'Service', labelSelector })).items);
      assert.deepEqual(await sel({ matchLabels: { app: 'web' } }), ['web']);
      assert.deepEqual(
        await sel({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }),
        ['api', 'web'],
      );
      assert.deepEqual(
        await sel({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }),
        ['api', 'bare'],
      );
      assert.deepEqual(await sel({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }), ['api', 'web']);
      assert.deepEqual(await sel({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }), ['bare']);
    }));

  test('watch delivers ADDED, MODIFIED, DELETED in order with growing revisions', () =>
    withStore(h, async (store) => {
      const watch = store.watch({ kind: 'Service' });
      await new Promise((r) => setTimeout(r, 200)); // let the watch start before writing
      const v1 = await store.create(service('w'));
      await store.update({ ...v1, metadata: { ...v1.metadata, labels: { v: '2' } } });
      await store.delete('Service', 'w');
      const events = await take<ChangeEvent>(watch, 3);
      watch.close();
      assert.deepEqual(
        events.map((e) => e.type),
        ['ADDED', 'MODIFIED', 'DELETED'],
      );
      const revs = events.map((e) => Number(e.revision));
      assert.ok(revs[0]! < revs[1]! && revs[1]! < revs[2]!, `revisions ${revs}`);
      assert.equal(events[1]?.object.metadata.labels?.v, '2');
      assert.equal(events[0]?.object.metadata.resourceVersion, events[0]?.revision);
    }));

  test('a watch sees only its kind and namespace', () =>
    withStore(h, async (store) => {
      const watch = store.watch({ kind: 'Lease', namespace: 'kube-system' });
      await new Promise((r) => setTimeout(r, 200));
      await store.create(service('noise'));
      await store.create({ ...lease('other'), metadata: { name: 'other', namespace: 'default' } });
      await store.create(lease('mine', 'node-0'));
      const [event] = await take<ChangeEvent>(watch, 1);
      assert.equal(event?.object.metadata.name, 'mine');
      assert.equal(await quiet(watch), undefined);
      watch.close();
    }));

  test('list then watch from its revision misses nothing and repeats nothing', () =>
    withStore(h, async (store) => {
      await store.create(pool('before'));
      const listed = await store.list({ kind: 'CiliumLoadBalancerIPPool' });
      await store.create(pool('after1', '10.0.11.0/24'));
      await store.create(pool('after2', '10.0.12.0/24'));
      const watch = store.watch({ kind: 'CiliumLoadBalancerIPPool', sinceRevision: listed.revision });
      const events = await take<ChangeEvent>(watch, 2);
      assert.deepEqual(
        events.map((e) => e.object.metadata.name),
        ['after1', 'after2'],
      );
      assert.equal(await quiet(watch), undefined);
      watch.close();
    }));

  test('a watch from an old revision replays the history since then', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(service('h'));
      await store.update({ ...v1, spec: { ...v1.spec, loadBalancerIP: '10.0.10.4' } });
      await store.delete('Service', 'h');
      const since = String(Number(v1.metadata.resourceVersion) - 1);
      const watch = store.watch({ kind: 'Service', sinceRevision: since });
      const events = await take<ChangeEvent>(watch, 3);
      watch.close();
      assert.deepEqual(
        events.map((e) => e.type),
        ['ADDED', 'MODIFIED', 'DELETED'],
      );
    }));

  test('delete while watching: the DELETED event carries the last stored state', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(service('d', {}, { keep: 'me' }));
      const v2 = await store.updateStatus({
        ...v1,
        status: { loadBalancer: { ingress: [{ ip: '10.0.10.2' }] } },
      });
      const watch = store.watch({ kind: 'Service', sinceRevision: v2.metadata.resourceVersion ?? '0' });
      await store.delete('Service', 'd');
      const [event] = await take<ChangeEvent>(watch, 1);
      watch.close();
      assert.equal(event?.type, 'DELETED');
      assert.deepEqual(event?.object.metadata.labels, { keep: 'me' });
      assert.deepEqual((event?.object as typeof v2 | undefined)?.status, v2.status);
      assert.ok(Number(event?.revision) > Number(v2.metadata.resourceVersion));
    }));

  test('watch.close() ends a for-await loop', () =>
    withStore(h, async (store) => {
      const watch = store.watch({ kind: 'Node' });
      setTimeout(() => watch.close(), 100);
      let seen = 0;
      for await (const _ of watch) seen++;
      assert.equal(seen, 0);
    }));

  test('store.close() ends every open watch', async () => {
    const store = await h.open();
    const watch = store.watch();
    const loop = (async () => {
      for await (const _ of watch) {
        // nothing is written
      }
      return 'ended';
    })();
    await store.close();
    assert.equal(await loop, 'ended');
  });

  test('a watch without a kind sees every kind', () =>
    withStore(h, async (store) => {
      const watch = store.watch();
      await new Promise((r) => setTimeout(r, 200));
      await store.create(service('k1'));
      await store.create(pool('k2'));
      const events = await take<ChangeEvent>(watch, 2);
      watch.close();
      assert.deepEqual(
        events.map((e) => e.object.kind),
        ['Service', 'CiliumLoadBalancerIPPool'],
      );
    }));

  const restart = h.restart;
  if (restart) {
    test('a watch resumes after the backend restarts: no lost and no repeated events', () =>
      withStore(h, async (store) => {
        const watch = store.watch({ kind: 'Service' });
        await new Promise((r) => setTimeout(r, 200));
        await store.create(service('r1'));
        assert.equal((await take<ChangeEvent>(watch, 1))[0]?.object.metadata.name, 'r1');
        await restart();
        // Written after the restart, possibly before the watch has reconnected.
        await store.create(service('r2'));
        await store.create(service('r3'));
        const events = await take<ChangeEvent>(watch, 2, 30_000);
        assert.deepEqual(
          events.map((e) => e.object.metadata.name),
          ['r2', 'r3'],
        );
        assert.equal(await quiet(watch, 500), undefined);
        watch.close();
      }));
  }

  const compact = h.compact;
  if (compact) {
    test('a watch from a compacted revision yields one RESYNC with the current set', () =>
      withStore(h, async (store) => {
        const old = await store.create(pool('c1'));
        await store.create(pool('c2', '10.0.11.0/24'));
        await store.delete('CiliumLoadBalancerIPPool', 'c1');
        await compact(store);
        const watch = store.watch({
          kind: 'CiliumLoadBalancerIPPool',
          sinceRevision: old.metadata.resourceVersion ?? '0',
        });
        const [event] = await take<ResyncEvent>(watch, 1);
        assert.equal(event?.type, 'RESYNC');
        assert.deepEqual(names(event?.objects ?? []), ['c2']);
        await store.create(pool('c3', '10.0.12.0/24'));
        const [after] = await take<ChangeEvent>(watch, 1);
        assert.equal(after?.object.metadata.name, 'c3');
        watch.close();
      }));
  }

  const outage = h.outage;
  if (outage) {
    test('while the backend is down, calls fail with StoreUnavailableError, then recover', () =>
      withStore(h, async (store) => {
        await store.create(service('o'));
        await outage.down();
        try {
          await assert.rejects(store.get('Service', 'o'), StoreUnavailableError);
        } finally {
          await outage.up();
        }
        const deadline = Date.now() + 20_000;
        for (;;) {
          try {
            assert.equal((await store.get('Service', 'o')).metadata.name, 'o');
            break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      }));
  }
}
