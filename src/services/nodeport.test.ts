// NodePort frontends: one surrogate frontend 0.0.0.0:<nodePort> per port with a nodePort (the
// eBPF side looks it up for a packet to any of the node's addresses), routable, typed NodePort,
// with the ClusterIP frontend's backends; none for a nodePort left on a ClusterIP Service; and
// their rows in the maps, removed when the type changes back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SvcFlag } from '../datapath/maps/lb4-services.js';
import { desiredFrontends, l3n4 } from './desired.js';
import { service, slice } from './fixtures.test-helper.js';
import { IdAllocator } from './ids.js';
import { desiredRows, typeFlags } from './rows.js';
import { flagsText, serviceListRows } from './views.js';

const np = service('np', {
  type: 'NodePort',
  clusterIP: '10.96.0.30',
  ports: [
    { name: 'http', port: 80, targetPort: 8080, nodePort: 31017 },
    { name: 'https', port: 443, targetPort: 8443, nodePort: 32600 },
    { name: 'dns', port: 53, protocol: 'UDP', nodePort: 31017 },
  ],
});
const eps = slice(
  'np',
  'np-a',
  [
    { name: 'http', port: 8080 },
    { name: 'https', port: 8443 },
    { name: 'dns', port: 53, protocol: 'UDP' },
  ],
  [{ ip: '10.200.1.5' }, { ip: '10.200.2.7' }],
);
const newIds = () => ({ services: new IdAllocator(1, 0xffff), backends: new IdAllocator(1, 0xffffffff) });

describe('services: NodePort frontends', () => {
  test('each port with a nodePort is a NodePort frontend at 0.0.0.0:<nodePort> of its protocol, beside the ClusterIP one', () => {
    const { frontends, conflicts } = desiredFrontends([np], [eps]);
    assert.deepEqual(conflicts, []);
    assert.deepEqual(
      frontends.map((f) => `${l3n4(f)} ${f.type} ${f.portName}`),
      [
        '0.0.0.0:31017/TCP NodePort http',
        '0.0.0.0:31017/UDP NodePort dns',
        '0.0.0.0:32600/TCP NodePort https',
        '10.96.0.30:443/TCP ClusterIP https',
        '10.96.0.30:53/UDP ClusterIP dns',
        '10.96.0.30:80/TCP ClusterIP http',
      ],
    );
  });

  test("the NodePort frontend has exactly the ClusterIP frontend's backends (the target port, not the nodePort)", () => {
    const { frontends } = desiredFrontends([np], [eps]);
    const of = (id: string) => frontends.find((f) => l3n4(f) === id)?.backends.map(l3n4);
    assert.deepEqual(of('0.0.0.0:31017/TCP'), ['10.200.1.5:8080/TCP', '10.200.2.7:8080/TCP']);
    assert.deepEqual(of('0.0.0.0:31017/TCP'), of('10.96.0.30:80/TCP'));
    assert.deepEqual(of('0.0.0.0:32600/TCP'), of('10.96.0.30:443/TCP'));
  });

  test('a LoadBalancer gets NodePort frontends too; a nodePort left on a ClusterIP Service opens nothing', () => {
    const lb = service(
      'lb',
      { type: 'LoadBalancer', clusterIP: '10.96.0.31', ports: [{ port: 80, nodePort: 30555 }] },
      { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } },
    );
    const stale = service('stale', { clusterIP: '10.96.0.32', ports: [{ port: 80, nodePort: 30556 }] });
    const { frontends } = desiredFrontends([lb, stale], []);
    assert.deepEqual(
      frontends.map((f) => `${l3n4(f)} ${f.type}`),
      [
        '0.0.0.0:30555/TCP NodePort',
        '10.0.10.0:80/TCP LoadBalancer',
        '10.96.0.31:80/TCP ClusterIP',
        '10.96.0.32:80/TCP ClusterIP',
      ],
    );
  });

  test('two Services with one nodePort and protocol: the older keeps the NodePort frontend, the other is reported', () => {
    const young = service(
      'young',
      { type: 'NodePort', clusterIP: '10.96.0.33', ports: [{ port: 81, nodePort: 31017 }] },
      undefined,
      '2026-02-01T00:00:00Z',
    );
    const { frontends, conflicts } = desiredFrontends([young, np], []);
    assert.equal(frontends.find((f) => l3n4(f) === '0.0.0.0:31017/TCP')?.service, 'default/np');
    assert.deepEqual(conflicts, [
      'service "default/young": frontend 0.0.0.0:31017/TCP is already service "default/np"\'s; ignored',
    ]);
  });
});

describe('services: NodePort rows', () => {
  test('master row keyed {0.0.0.0, nodePort, proto, scope 0}, flags NodePort|routable, its own service ID and reverse-NAT entry', () => {
    const rows = desiredRows(desiredFrontends([np], [eps]).frontends, newIds());
    const fe = rows.frontends.find((f) => f.frontend === '0.0.0.0:31017/TCP');
    assert.ok(fe);
    const [key, value] = fe.master;
    assert.deepEqual(key, { address: '0.0.0.0', port: 31017, backendSlot: 0, proto: 6, scope: 0 });
    assert.equal(value.flags, SvcFlag.NODEPORT | SvcFlag.ROUTABLE);
    assert.equal(value.count, 2);
    assert.equal(flagsText(value.flags), 'NodePort');
    assert.deepEqual(rows.revNat.get(value.revNatIndex), { address: '0.0.0.0', port: 31017 });
    const cluster = rows.frontends.find((f) => f.frontend === '10.96.0.30:80/TCP');
    assert.deepEqual(fe.backendIds, cluster?.backendIds, 'the same backend IDs as the ClusterIP frontend');
    assert.notEqual(value.revNatIndex, cluster?.master[1].revNatIndex);
    assert.equal(flagsText(typeFlags('ClusterIP')), 'ClusterIP, non-routable');
  });

  test('`service list` prints the type NodePort, as cilium-dbg does', () => {
    const rows = serviceListRows([
      {
        id: 4,
        frontend: '0.0.0.0:31017/TCP',
        type: 'NodePort',
        service: 'default/np',
        backends: [{ address: '10.200.1.5:8080/TCP', state: 'active' }],
      },
    ]);
    assert.deepEqual(rows, [['4', '0.0.0.0:31017/TCP', 'NodePort', '1 => 10.200.1.5:8080/TCP (active)']]);
  });
});
