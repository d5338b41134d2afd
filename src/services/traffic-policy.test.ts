// Traffic policies and source ranges applied to desired frontends, for node "n1".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Service } from '../api/service.js';
import type { DesiredBackend } from './backends.js';
import type { DesiredFrontend } from './desired.js';
import { desiredRows } from './rows.js';
import { IdAllocator } from './ids.js';
import { applyTrafficPolicies } from './traffic-policy.js';
import { SvcFlag, SvcFlag2 } from '../datapath/maps/lb4-services.js';

const be = (address: string, nodeName: string): DesiredBackend => ({
  address,
  port: 80,
  proto: 'TCP',
  state: 'active',
  slot: true,
  nodeName,
});
const BACKENDS = [be('10.200.1.5', 'n1'), be('10.200.2.5', 'n2')];
const fe = (type: DesiredFrontend['type'], address: string): DesiredFrontend => ({
  service: 'default/web',
  portName: 'http',
  type,
  address,
  port: 80,
  proto: 'TCP',
  backends: BACKENDS,
});
const svc = (spec: Record<string, unknown>): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec }) as Service;

describe('traffic policies', () => {
  test('externalTrafficPolicy Local: external rows with the local backend, internal rows with all', () => {
    const { frontends, problems } = applyTrafficPolicies(
      [fe('ClusterIP', '10.96.0.5'), fe('LoadBalancer', '10.0.10.0')],
      [svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' })],
      'n1',
    );
    assert.deepEqual(problems, []);
    const lb = frontends.filter((f) => f.type === 'LoadBalancer');
    assert.deepEqual(
      lb.map((f) => [f.scope, f.extLocal, f.backends.map((b) => b.address)]),
      [
        [0, true, ['10.200.1.5']],
        [1, true, ['10.200.1.5', '10.200.2.5']],
      ],
    );
    assert.equal(
      frontends.find((f) => f.type === 'ClusterIP')?.backends.length,
      2,
      'the ClusterIP keeps both',
    );
    const rows = desiredRows(frontends, {
      services: new IdAllocator(1, 0xffff),
      backends: new IdAllocator(1, 0xffffffff),
    });
    const masters = rows.frontends.filter((f) => f.master[0].address === '10.0.10.0').map((f) => f.master);
    assert.deepEqual(
      masters.map(([k, v]) => [k.scope, v.count, v.flags & SvcFlag.EXT_LOCAL_SCOPE, v.flags2]),
      [
        [0, 1, SvcFlag.EXT_LOCAL_SCOPE, SvcFlag2.TWO_SCOPES],
        [1, 2, SvcFlag.EXT_LOCAL_SCOPE, SvcFlag2.TWO_SCOPES],
      ],
    );
    assert.equal(masters[0]?.[1].revNatIndex, masters[1]?.[1].revNatIndex, 'one service ID for both scopes');
  });

  test('no local backend under Local: the external rows have none', () => {
    const { frontends } = applyTrafficPolicies(
      [fe('LoadBalancer', '10.0.10.0')],
      [svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' })],
      'n3',
    );
    assert.deepEqual(
      frontends.map((f) => f.backends.length),
      [0, 2],
    );
  });

  test('internalTrafficPolicy Local: the ClusterIP offers only this node’s backends', () => {
    const { frontends } = applyTrafficPolicies(
      [fe('ClusterIP', '10.96.0.5')],
      [svc({ type: 'ClusterIP', internalTrafficPolicy: 'Local' })],
      'n2',
    );
    assert.deepEqual(
      frontends[0]?.backends.map((b) => b.address),
      ['10.200.2.5'],
    );
  });

  test('loadBalancerSourceRanges on the LoadBalancer frontend only, as source range rows', () => {
    const { frontends } = applyTrafficPolicies(
      [fe('ClusterIP', '10.96.0.5'), fe('LoadBalancer', '10.0.10.0')],
      [svc({ type: 'LoadBalancer', loadBalancerSourceRanges: ['192.168.56.0/24', ' 10.1.0.0/16'] })],
      'n1',
    );
    const rows = desiredRows(frontends, {
      services: new IdAllocator(1, 0xffff),
      backends: new IdAllocator(1, 0xffffffff),
    });
    const lb = rows.frontends.find((f) => f.master[0].address === '10.0.10.0');
    const cip = rows.frontends.find((f) => f.master[0].address === '10.96.0.5');
    assert.ok(lb && cip);
    assert.ok(lb.master[1].flags & SvcFlag.SOURCE_RANGE);
    assert.equal(cip.master[1].flags & SvcFlag.SOURCE_RANGE, 0);
    assert.deepEqual(
      rows.sourceRanges.map((r) => [r.revNat === lb.master[1].revNatIndex, r.cidr]),
      [
        [true, '192.168.56.0/24'],
        [true, '10.1.0.0/16'],
      ],
    );
  });

  test('an invalid source range: named with its field and ignored; the valid ones still apply (fail closed)', () => {
    const { frontends, problems } = applyTrafficPolicies(
      [fe('LoadBalancer', '10.0.10.0')],
      [svc({ type: 'LoadBalancer', loadBalancerSourceRanges: ['192.168.56.0/24', 'nonsense'] })],
      'n1',
    );
    assert.match(problems[0] ?? '', /service "default\/web": spec\.loadBalancerSourceRanges\[1\] "nonsense"/);
    assert.deepEqual(frontends[0]?.sourceRanges, ['192.168.56.0/24']);
  });
});
