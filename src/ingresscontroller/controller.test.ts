// The ingress controller with the LB-IPAM controller on the in-memory Store: the seed's sequence
// (Ingress → cilium-ingress-basic-ingress <pending> → 10.0.10.0 → ADDRESS), a refused Ingress
// with its condition, and deletion removing what was made.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Ingress, Service } from '../api/index.js';
import { ingress, obj, prefix, service } from '../ingress/fixtures.test-helper.js';
import { LbIpamController } from '../lbipam/controller.js';
import { Informers, MemoryStore } from '../store/index.js';
import { IngressController } from './controller.js';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ingress controller (memory store)', () => {
  const store = new MemoryStore();
  const informers = new Informers(store);
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  const ctl = new IngressController({
    store,
    informers,
    defaultMode: 'dedicated',
    ports: { http: 10080, https: 10443 },
    log,
  });
  const lb = new LbIpamController({ store, informers, log });
  after(async () => {
    await ctl.stop();
    await lb.stop();
    await informers.stop();
  });

  it("the seed's sequence: Service made, address from the pool copied to the Ingress", async () => {
    await store.create(service('nginx'));
    await store.create(
      obj({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-0' },
        status: {
          addresses: [{ type: 'InternalIP', address: '192.168.56.50' }],
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              lastHeartbeatTime: '2026-01-01T00:00:00Z',
              lastTransitionTime: '2026-01-01T00:00:00Z',
              reason: 'r',
              message: 'm',
            },
          ],
        },
      }),
    );
    await Promise.all([ctl.start(), lb.start()]);
    const ing = await store.create(
      ingress('basic-ingress', {
        ingressClassName: 'cilium',
        rules: [{ http: { paths: [prefix('/', 'nginx')] } }],
      }),
    );
    const svc = await until('the ingress service', () =>
      store.tryGet('Service', 'cilium-ingress-basic-ingress', 'default'),
    );
    assert.equal(svc.spec.type, 'LoadBalancer');
    assert.equal(svc.metadata.ownerReferences?.[0]?.uid, ing.metadata.uid);
    const slice = await until('its slice', () =>
      store.tryGet('EndpointSlice', 'cilium-ingress-basic-ingress', 'default'),
    );
    assert.deepEqual(
      slice.endpoints.map((e) => e.addresses[0]),
      ['192.168.56.50'],
    );
    await store.create(
      obj({
        apiVersion: 'cilium.io/v2alpha1',
        kind: 'CiliumLoadBalancerIPPool',
        metadata: { name: 'pool' },
        spec: { blocks: [{ cidr: '10.0.10.0/24' }] },
      }),
    );
    const withIp = await until('the Ingress ADDRESS', async () => {
      const i = (await store.get('Ingress', 'basic-ingress', 'default')) as Ingress;
      return i.status?.loadBalancer?.ingress?.[0]?.ip ? i : undefined;
    });
    assert.equal(withIp.status?.loadBalancer?.ingress?.[0]?.ip, '10.0.10.0');
    assert.equal(withIp.status?.conditions?.find((c) => c.type === 'Accepted')?.status, 'True');
  });

  it('a refused Ingress: Accepted=False with the field, no Service, logged once', async () => {
    await store.create(
      ingress('bad', { ingressClassName: 'cilium', rules: [{ http: { paths: [prefix('/', 'missing')] } }] }),
    );
    const bad = await until('the condition', async () => {
      const i = (await store.get('Ingress', 'bad', 'default')) as Ingress;
      return i.status?.conditions?.find((c) => c.type === 'Accepted');
    });
    assert.equal(bad.status, 'False');
    assert.match(bad.message, /backend\.service\.name: service default\/missing not found/);
    assert.equal(await store.tryGet('Service', 'cilium-ingress-bad', 'default'), undefined);
    assert.equal(lines.filter((l) => l.includes('default/bad refused')).length, 1);
  });

  it('deleting the Ingress removes its Service and slice', async () => {
    await store.delete('Ingress', 'basic-ingress', 'default');
    await until('the service gone', async () =>
      (await store.tryGet('Service', 'cilium-ingress-basic-ingress', 'default')) ? undefined : true,
    );
    assert.equal(await store.tryGet('EndpointSlice', 'cilium-ingress-basic-ingress', 'default'), undefined);
    const kept = (await store.get('Service', 'nginx', 'default')) as Service;
    assert.equal(kept.metadata.name, 'nginx');
  });
});
