// Contract cases for reads and writes: identity, defaults, optimistic concurrency, the status
// subresource, deletes and lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '../../api/index.js';
import { AlreadyExistsError, ConflictError, InvalidObjectError, NotFoundError } from '../errors.js';
import { type ContractHarness, lease, pool, service, withStore } from './harness.js';

export function registerCrudCases(h: ContractHarness): void {
  test('create assigns uid, resourceVersion, generation 1 and an RFC 3339 creationTimestamp', () =>
    withStore(h, async (store) => {
      const created = await store.create(service('nginx'));
      assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
      assert.match(created.metadata.resourceVersion ?? '', /^\d+$/);
      assert.equal(created.metadata.generation, 1);
      assert.match(created.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(await store.get('Service', 'nginx'), created);
    }));

  test('create defaults the namespace of namespaced kinds only', () =>
    withStore(h, async (store) => {
      const svc = await store.create(service('a'));
      assert.equal(svc.metadata.namespace, 'default');
      assert.equal(svc.spec.externalTrafficPolicy, 'Cluster');
      const p = await store.create(pool('p'));
      assert.equal(p.metadata.namespace, undefined);
      assert.equal((await store.get('CiliumLoadBalancerIPPool', 'p')).spec.blocks[0]?.cidr, '10.0.10.0/24');
    }));

  test('create of an existing name fails with AlreadyExistsError and keeps the first', () =>
    withStore(h, async (store) => {
      const first = await store.create(service('dup', { loadBalancerIP: '10.0.10.1' }));
      await assert.rejects(store.create(service('dup')), AlreadyExistsError);
      assert.deepEqual(await store.get('Service', 'dup'), first);
    }));

  test('create with a resourceVersion set is refused', () =>
    withStore(h, async (store) => {
      const svc = service('x');
      svc.metadata.resourceVersion = '5';
      await assert.rejects(store.create(svc), InvalidObjectError);
      assert.equal(await store.tryGet('Service', 'x'), undefined);
    }));

  test('an invalid object is refused by the store itself and nothing is written', () =>
    withStore(h, async (store) => {
      await assert.rejects(store.create(pool('bad', '10.0.10.0/33')), /prefix length 33 > 32/);
      assert.equal((await store.list({ kind: 'CiliumLoadBalancerIPPool' })).items.length, 0);
    }));

  test('get of a missing object throws NotFoundError; tryGet returns undefined', () =>
    withStore(h, async (store) => {
      await assert.rejects(
        store.get('Service', 'nope'),
        (e) => e instanceof NotFoundError && /services "nope" not found/.test(e.message),
      );
      assert.equal(await store.tryGet('Lease', 'nope', 'kube-system'), undefined);
    }));

  test('the same name in two namespaces is two objects', () =>
    withStore(h, async (store) => {
      await store.create(service('web', {}, undefined, 'a'));
      await store.create(service('web', { loadBalancerIP: '10.0.10.9' }, undefined, 'b'));
      assert.equal((await store.get('Service', 'web', 'a')).spec.loadBalancerIP, undefined);
      assert.equal((await store.get('Service', 'web', 'b')).spec.loadBalancerIP, '10.0.10.9');
      await assert.rejects(store.get('Service', 'web'), NotFoundError);
    }));

  test('update with the current resourceVersion succeeds and moves it forward', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(service('u'));
      const v2 = await store.update({ ...v1, spec: { ...v1.spec, loadBalancerIP: '10.0.10.7' } });
      assert.ok(Number(v2.metadata.resourceVersion) > Number(v1.metadata.resourceVersion));
      assert.equal((await store.get('Service', 'u')).spec.loadBalancerIP, '10.0.10.7');
    }));

  test('update with a stale resourceVersion fails with ConflictError and changes nothing', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(service('c'));
      const v2 = await store.update({ ...v1, metadata: { ...v1.metadata, labels: { step: '2' } } });
      await assert.rejects(
        store.update({ ...v1, metadata: { ...v1.metadata, labels: { step: 'stale' } } }),
        ConflictError,
      );
      assert.deepEqual(await store.get('Service', 'c'), v2);
    }));

  test('two writers racing from the same read: exactly one wins (CAS)', () =>
    withStore(h, async (store) => {
      const read = await store.create(lease('race'));
      const attempts = ['node-0', 'node-1', 'node-2'].map((holder) =>
        store.update({ ...read, spec: { ...read.spec, holderIdentity: holder } }),
      );
      const results = await Promise.allSettled(attempts);
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      assert.ok(
        results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof ConflictError),
      );
      const holder = (won[0] as PromiseFulfilledResult<typeof read>).value.spec.holderIdentity;
      assert.equal((await store.get('Lease', 'race', 'kube-system')).spec.holderIdentity, holder);
    }));

  test('update without a resourceVersion is unconditional', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(service('free'));
      await store.update({ ...v1, metadata: { ...v1.metadata, labels: { a: '1' } } });
      const { resourceVersion: _rv, ...meta } = v1.metadata;
      const v3 = await store.update({ ...v1, metadata: { ...meta, labels: { a: '3' } } });
      assert.deepEqual(v3.metadata.labels, { a: '3' });
    }));

  test('update of a missing object throws NotFoundError', () =>
    withStore(h, async (store) => {
      await assert.rejects(store.update(service('ghost')), NotFoundError);
      assert.equal(await store.tryGet('Service', 'ghost'), undefined);
    }));

  test('generation grows on spec changes only, not on labels or status', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(service('g'));
      const v2 = await store.update({ ...v1, metadata: { ...v1.metadata, labels: { x: 'y' } } });
      assert.equal(v2.metadata.generation, 1);
      const v3 = await store.update({
        ...v2,
        spec: { ...v2.spec, loadBalancerClass: 'io.cilium/l2-announcer' },
      });
      assert.equal(v3.metadata.generation, 2);
      const v4 = await store.updateStatus({
        ...v3,
        status: { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } },
      });
      assert.equal(v4.metadata.generation, 2);
      assert.equal(v4.metadata.uid, v1.metadata.uid);
      assert.equal(v4.metadata.creationTimestamp, v1.metadata.creationTimestamp);
    }));

  test('update keeps the stored status (status is a subresource)', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(service('s'));
      const v2 = await store.updateStatus({
        ...v1,
        status: { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } },
      });
      const v3 = await store.update({ ...v2, status: {}, spec: { ...v2.spec, loadBalancerIP: '10.0.10.0' } });
      assert.deepEqual(v3.status, { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } });
      assert.equal(v3.spec.loadBalancerIP, '10.0.10.0');
    }));

  test('updateStatus keeps the stored spec and labels', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(service('st', {}, { app: 'web' }));
      const changed: Service = {
        ...v1,
        metadata: { ...v1.metadata, labels: { app: 'evil' } },
        spec: { ...v1.spec, type: 'ClusterIP' },
        status: { loadBalancer: { ingress: [{ ip: '10.0.10.3' }] } },
      };
      const v2 = await store.updateStatus(changed);
      assert.equal(v2.spec.type, 'LoadBalancer');
      assert.deepEqual(v2.metadata.labels, { app: 'web' });
      assert.deepEqual((await store.get('Service', 'st')).status?.loadBalancer?.ingress, [
        { ip: '10.0.10.3' },
      ]);
    }));

  test('updateStatus with a stale resourceVersion fails with ConflictError', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(pool('sp'));
      await store.updateStatus({ ...v1, status: { conditions: [] } });
      await assert.rejects(store.updateStatus({ ...v1, status: { conditions: [] } }), ConflictError);
    }));

  test('updateStatus on a kind without status (Lease) is refused', () =>
    withStore(h, async (store) => {
      const l = await store.create(lease('nostatus', 'node-0'));
      await assert.rejects(store.updateStatus(l), /Lease has no status/);
      assert.deepEqual(await store.get('Lease', 'nostatus', 'kube-system'), l);
    }));

  test('delete returns the object and removes it', () =>
    withStore(h, async (store) => {
      const created = await store.create(pool('gone'));
      const deleted = await store.delete('CiliumLoadBalancerIPPool', 'gone');
      assert.deepEqual(deleted.spec, created.spec);
      assert.equal(await store.tryGet('CiliumLoadBalancerIPPool', 'gone'), undefined);
    }));

  test('delete of a missing object throws NotFoundError', () =>
    withStore(h, async (store) => {
      await assert.rejects(store.delete('Service', 'missing'), NotFoundError);
    }));

  test('delete with a stale resourceVersion precondition fails and keeps the object', () =>
    withStore(h, async (store) => {
      const v1 = await store.create(lease('keep', 'node-0'));
      const v2 = await store.update({ ...v1, spec: { ...v1.spec, holderIdentity: 'node-1' } });
      await assert.rejects(
        store.delete('Lease', 'keep', 'kube-system', { resourceVersion: v1.metadata.resourceVersion ?? '' }),
        ConflictError,
      );
      assert.deepEqual(await store.get('Lease', 'keep', 'kube-system'), v2);
    }));

  test('returned objects are copies: mutating one does not change the store', () =>
    withStore(h, async (store) => {
      const created = await store.create(service('copy', {}, { a: '1' }));
      (created.metadata.labels as Record<string, string>).a = 'mutated';
      const got = await store.get('Service', 'copy');
      assert.equal(got.metadata.labels?.a, '1');
    }));
}
