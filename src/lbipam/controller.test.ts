// The controller against the in-memory Store: the seed's sequence as `get svc` would show it,
// clusterIP assignment, writes only when something changed, and the operator's metrics.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CiliumLoadBalancerIPPool, Service } from '../api/index.js';
import { lbipamRegistry, serveMetrics } from '../operator/metrics.js';
import { MemoryStore } from '../store/index.js';
import { LbIpamController } from './controller.js';

const svc = (name: string, spec: Partial<Service['spec']> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...spec },
});
const pool = (name: string, spec: Partial<CiliumLoadBalancerIPPool['spec']>): CiliumLoadBalancerIPPool => ({
  apiVersion: 'cilium.io/v2alpha1',
  kind: 'CiliumLoadBalancerIPPool',
  metadata: { name },
  spec: { blocks: [], disabled: false, ...spec },
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const external = (s: Service) =>
  (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).join(',') || '<pending>';

describe('LB-IPAM controller (memory store)', () => {
  const store = new MemoryStore();
  const lines: string[] = [];
  const ctl = new LbIpamController({ store, log: (l) => lines.push(l) });
  after(() => ctl.stop());

  it('reproduces the seed: <pending>, then 10.0.10.0 and 10.0.10.1, with a CLUSTER-IP', async () => {
    await ctl.start();
    await store.create(svc('cilium-ingress-basic-ingress'));
    const first = await until('clusterIP', async () => {
      await ctl.idle();
      const s = await store.get('Service', 'cilium-ingress-basic-ingress');
      return s.spec.clusterIP ? s : undefined;
    });
    assert.equal(first.spec.clusterIP, '10.96.0.1');
    assert.equal(external(first), '<pending>');
    await store.create(pool('lb', { blocks: [{ cidr: '10.0.10.0/24' }] }));
    await until('10.0.10.0', async () => {
      const s = await store.get('Service', 'cilium-ingress-basic-ingress');
      return external(s) === '10.0.10.0' ? s : undefined;
    });
    await store.create(svc('second'));
    const second = await until('second', async () => {
      const s = await store.get('Service', 'second');
      return external(s) !== '<pending>' ? s : undefined;
    });
    assert.equal(external(second), '10.0.10.1');
    const cond = second.status?.conditions?.find((c) => c.type === 'cilium.io/IPAMRequestSatisfied');
    assert.equal(cond?.status, 'True');
    assert.equal(cond?.reason, 'satisfied');
    const p = await until('pool conditions', async () => {
      const got = await store.get('CiliumLoadBalancerIPPool', 'lb');
      return got.status?.conditions?.find((c) => c.type === 'cilium.io/IPsUsed')?.message === '2'
        ? got
        : undefined;
    });
    const byType = Object.fromEntries(
      (p.status?.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}/${c.message}`]),
    );
    assert.deepEqual(byType, {
      'cilium.io/PoolConflict': 'False/resolved/',
      'cilium.io/IPsTotal': 'Unknown/noreason/256',
      'cilium.io/IPsAvailable': 'Unknown/noreason/254',
      'cilium.io/IPsUsed': 'Unknown/noreason/2',
    });
    assert.ok(
      lines.some((l) => l.includes('service default/second: allocated 10.0.10.1 from pool "lb"')),
      lines.join('\n'),
    );
  });

  it('writes nothing when nothing changed (resync and re-delivered objects)', async () => {
    await ctl.idle();
    const before = { ...ctl.writes };
    const s = await store.get('Service', 'second');
    await store.update({ ...s, metadata: { ...s.metadata, labels: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 50));
    await ctl.idle();
    await (ctl as unknown as { resync(): Promise<string> }).resync();
    assert.deepEqual(ctl.writes, before);
  });

  it('pending with a reason when a request cannot be met, and metrics count it', async () => {
    await store.create(svc('wants', { loadBalancerIP: '192.0.2.1' }));
    const s = await until('condition', async () => {
      const got = await store.get('Service', 'wants');
      return got.status?.conditions?.length ? got : undefined;
    });
    assert.equal(s.status?.conditions?.[0]?.message, "No pool exists with a CIDR containing '192.0.2.1'");
    const { server, url } = await serveMetrics(lbipamRegistry(ctl.engine), '127.0.0.1:0');
    try {
      const text = await (await fetch(url)).text();
      assert.match(text, /waggle_operator_lbipam_ips_available_total\{pool="lb"\} 254/);
      assert.match(text, /waggle_operator_lbipam_ips_used_total\{pool="lb"\} 2/);
      assert.match(text, /waggle_operator_lbipam_services_unsatisfied_total 1/);
      assert.match(text, /waggle_operator_lbipam_conflicting_pools_total 0/);
    } finally {
      server.close();
    }
  });
});

describe('LB-IPAM controller start-up import', () => {
  it('a restarted controller keeps the satisfied service on its IP even when an unsatisfied one is listed first', async () => {
    const store = new MemoryStore();
    // One allocatable address (a /32 block). "b-holder" got it from a first controller.
    await store.create(pool('one', { blocks: [{ cidr: '10.0.20.7/32' }] }));
    const first = new LbIpamController({ store, log: () => {} });
    await first.start();
    await store.create(svc('b-holder'));
    await until('b-holder', async () => {
      await first.idle();
      const s = await store.get('Service', 'b-holder');
      return external(s) === '10.0.20.7' ? s : undefined;
    });
    await first.stop();
    // While no controller runs, another service arrives; it sorts (and lists) first.
    await store.create(svc('a-newcomer', { clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50'] }));
    const second = new LbIpamController({ store, log: () => {} });
    await second.start();
    await second.idle();
    await new Promise((r) => setTimeout(r, 300)); // past the pool-status batching
    await second.idle();
    assert.equal(external(await store.get('Service', 'b-holder')), '10.0.20.7', 'the holder keeps its IP');
    const newcomer = await store.get('Service', 'a-newcomer');
    assert.equal(external(newcomer), '<pending>');
    assert.equal(
      newcomer.status?.conditions?.find((c) => c.type === 'cilium.io/IPAMRequestSatisfied')?.reason,
      'out_of_ips',
    );
    await second.stop();
    await store.close();
  });
});
