// The nodePort allocator and book, with a fixed random source: range parsing, KEP-3668's static
// band (dynamic ports come from above it until the upper part is full), exhaustion, refusals of
// out-of-range and taken ports naming the field, ports shared by one port number across
// protocols, release on delete and on a type change, and rebuilding after a restart.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Service, ServiceSchema } from '../api/service.js';
import { byAge, NodePortBook } from './node-port-book.js';
import { NodePortAllocator, parsePortRange, staticBandSize } from './node-ports.js';

const svc = (name: string, spec: Record<string, unknown>, createdAt = '2026-01-01T00:00:00Z'): Service =>
  ServiceSchema.parse({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', creationTimestamp: createdAt },
    spec,
  });
const nodePorts = (ports: Service['spec']['ports']) => (ports ?? []).map((p) => p.nodePort);
const low = () => 0; // the random source's smallest draw: the scan starts at the band's bottom

describe('nodePort range and allocator', () => {
  test('ranges read as Kubernetes reads them; bad ones say why', () => {
    assert.deepEqual(parsePortRange('30000-32767'), { ok: true, range: { base: 30000, size: 2768 } });
    assert.deepEqual(parsePortRange('30000+9'), { ok: true, range: { base: 30000, size: 10 } });
    assert.deepEqual(parsePortRange('32000-31000'), { ok: false, error: '31000 is below 32000' });
    assert.equal(parsePortRange('0-70000').ok, false);
    assert.equal(parsePortRange('abc').ok, false);
    assert.throws(() => new NodePortAllocator('x'), /--service-node-port-range "x": expected <low>-<high>/);
  });

  test("KEP-3668's static band: min(max(16, size/32), 128); none for 16 ports or fewer", () => {
    assert.deepEqual([2768, 100, 16, 10000].map(staticBandSize), [86, 16, 0, 128]);
  });

  test('dynamic ports come from above the static band first (randomly), then from the band, then none', () => {
    const a = new NodePortAllocator('30000-30019', low); // 20 ports, band 30000-30015
    const got: Array<number | undefined> = [];
    for (let i = 0; i < 21; i++) got.push(a.next(`s${i}`));
    assert.deepEqual(got.slice(0, 4), [30016, 30017, 30018, 30019]);
    assert.deepEqual(got.slice(4, 6), [30000, 30001]);
    assert.equal(got[20], undefined, 'exhausted');
    assert.equal(a.used(), 20);
    const mid = new NodePortAllocator('30000-30019', () => 0.5);
    assert.equal(mid.next('x'), 30018, 'the draw picks the start inside the upper band (30016 + 2)');
  });

  test('a claim outside the range or held by another owner is refused; claiming again is fine; release frees', () => {
    const a = new NodePortAllocator('30000-30099', low);
    assert.deepEqual(a.claim(80, 'a'), { ok: false, reason: 'range' });
    assert.deepEqual(a.claim(30050, 'a'), { ok: true });
    assert.deepEqual(a.claim(30050, 'a'), { ok: true });
    assert.deepEqual(a.claim(30050, 'b'), { ok: false, reason: 'allocated', owner: 'a' });
    a.release(30050);
    assert.deepEqual(a.claim(30050, 'b'), { ok: true });
  });
});

describe('nodePort book', () => {
  const book = () => new NodePortBook(new NodePortAllocator('30000-30099', low));

  test('every port of a NodePort service without one gets one; ports with one port number share it across protocols', () => {
    const b = book();
    const s = svc('dns', {
      type: 'NodePort',
      ports: [
        { name: 'dns-tcp', port: 53 },
        { name: 'dns-udp', port: 53, protocol: 'UDP' },
        { name: 'http', port: 80, nodePort: 30001 },
      ],
    });
    const plan = b.plan('default/dns', s);
    assert.equal(plan.error, undefined);
    assert.deepEqual(nodePorts(plan.ports), [30016, 30016, 30001]);
    assert.deepEqual(plan.assigned, [30016]);
    assert.deepEqual(b.holding('default/dns'), [30001, 30016]);
    const again = b.plan('default/dns', { ...s, spec: { ...s.spec, ports: plan.ports } });
    assert.deepEqual(again, { assigned: [] }, 'nothing to write once filled in');
  });

  test('LoadBalancer: allocated unless allocateLoadBalancerNodePorts is false (given ones still honoured); ClusterIP: none', () => {
    const b = book();
    const lb = svc('lb', { type: 'LoadBalancer', ports: [{ port: 80 }] });
    assert.deepEqual(nodePorts(b.plan('default/lb', lb).ports), [30016]);
    const off = svc('off', {
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: false,
      ports: [
        { name: 'a', port: 80 },
        { name: 'b', port: 81, nodePort: 30002 },
      ],
    });
    assert.deepEqual(b.plan('default/off', off), { assigned: [] });
    assert.deepEqual(b.holding('default/off'), [30002]);
    assert.deepEqual(b.plan('default/ci', svc('ci', { ports: [{ port: 80 }] })), { assigned: [] });
  });

  test("refusals name the Service and field, in Kubernetes' words, and change nothing the Service held", () => {
    const b = book();
    b.plan('default/first', svc('first', { type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] }));
    const out = svc('out', {
      type: 'NodePort',
      ports: [
        { name: 'a', port: 80 },
        { name: 'b', port: 81, nodePort: 80 },
      ],
    });
    assert.deepEqual(b.plan('default/out', out), {
      assigned: [],
      error:
        'service default/out: spec.ports[1].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-30099',
    });
    assert.deepEqual(b.holding('default/out'), [], 'port a got nothing either');
    const taken = svc('taken', { type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] });
    assert.deepEqual(
      b.plan('default/taken', taken).error,
      'service default/taken: spec.ports[0].nodePort: Invalid value: 30005: provided port is already allocated (to service default/first)',
    );
    const dup = svc('dup', {
      type: 'NodePort',
      ports: [
        { name: 'a', port: 80, nodePort: 30007 },
        { name: 'b', port: 81, nodePort: 30007 },
      ],
    });
    assert.match(
      b.plan('default/dup', dup).error ?? '',
      /spec\.ports\[1\]\.nodePort: Duplicate value: 30007$/,
    );
    // An update of `first` to a taken port keeps what it held.
    b.plan('default/other', svc('other', { type: 'NodePort', ports: [{ port: 80, nodePort: 30006 }] }));
    const moved = svc('first', { type: 'NodePort', ports: [{ port: 80, nodePort: 30006 }] });
    assert.match(
      b.plan('default/first', moved).error ?? '',
      /already allocated \(to service default\/other\)/,
    );
    assert.deepEqual(b.holding('default/first'), [30005]);
  });

  test('exhaustion: the error names the port that found none, and what this pass took is given back', () => {
    const b = new NodePortBook(new NodePortAllocator('30000-30001', low));
    const s = svc('big', {
      type: 'NodePort',
      ports: [
        { name: 'a', port: 1 },
        { name: 'b', port: 2 },
        { name: 'c', port: 3 },
      ],
    });
    assert.deepEqual(b.plan('default/big', s), {
      assigned: [],
      error:
        'service default/big: spec.ports[2].nodePort: failed to allocate a nodePort: range 30000-30001 is full',
    });
    assert.equal(b.alloc.used(), 0);
  });

  test('release: a deleted Service and a type change to ClusterIP free its ports (and the spec drops them)', () => {
    const b = book();
    const s = svc('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30020 }] });
    b.plan('default/web', s);
    const asClusterIp = svc('web', { type: 'ClusterIP', ports: [{ port: 80, nodePort: 30020 }] });
    const plan = b.plan('default/web', asClusterIp);
    assert.deepEqual(nodePorts(plan.ports), [undefined]);
    assert.equal(b.alloc.ownerOf(30020), undefined);
    b.plan('default/web', s);
    b.forget('default/web');
    assert.equal(b.alloc.used(), 0);
    // A failed write gives back what was allocated, not what was given.
    const fill = svc('fill', {
      type: 'NodePort',
      ports: [
        { name: 'a', port: 80, nodePort: 30030 },
        { name: 'b', port: 81 },
      ],
    });
    const p = b.plan('default/fill', fill);
    b.undo('default/fill', p);
    assert.deepEqual(b.holding('default/fill'), [30030]);
  });

  test('restart: stored ports are observed oldest first, so the older claimant keeps a shared one and new ones avoid them', () => {
    const b = book();
    const old = svc(
      'old',
      { type: 'NodePort', ports: [{ port: 80, nodePort: 30016 }] },
      '2026-01-01T00:00:00Z',
    );
    const young = svc(
      'young',
      { type: 'NodePort', ports: [{ port: 80, nodePort: 30016 }] },
      '2026-03-01T00:00:00Z',
    );
    const fresh = svc('fresh', { type: 'NodePort', ports: [{ port: 80 }] }, '2026-04-01T00:00:00Z');
    const all = byAge([young, fresh, old]);
    assert.deepEqual(
      all.map((s) => s.metadata.name),
      ['old', 'young', 'fresh'],
    );
    for (const s of all) b.observe(`default/${s.metadata.name}`, s);
    assert.equal(b.plan('default/old', old).error, undefined);
    assert.match(b.plan('default/young', young).error ?? '', /already allocated \(to service default\/old\)/);
    assert.deepEqual(nodePorts(b.plan('default/fresh', fresh).ports), [30017], '30016 is taken');
    b.reset();
    assert.equal(b.alloc.used(), 0);
  });
});
