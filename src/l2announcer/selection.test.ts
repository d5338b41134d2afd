import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextConditions } from './conditions.js';
import {
  COND_BAD_INTERFACE_REGEX,
  COND_BAD_NODE_SELECTOR,
  COND_BAD_SERVICE_SELECTOR,
  selectDevices,
  selectServices,
} from './selection.js';
import type { L2PolicyLike, ServiceLike } from './types.js';

const node = (labels: Record<string, string> = {}) => ({ metadata: { name: 'node-1', labels } });

// The seed's policy1: not on control-plane nodes, ^eth[0-9]+, both IP kinds.
const seedPolicy = (over: Partial<NonNullable<L2PolicyLike['spec']>> = {}): L2PolicyLike => ({
  metadata: { name: 'policy1', generation: 3 },
  spec: {
    nodeSelector: {
      matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }],
    },
    interfaces: ['^eth[0-9]+'],
    externalIPs: true,
    loadBalancerIPs: true,
    ...over,
  },
});

const lbService = (name: string, ip: string, extra: Partial<ServiceLike> = {}): ServiceLike => ({
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: {},
  status: { loadBalancer: { ingress: [{ ip }] } },
  ...extra,
});

const devices = ['eth0', 'eth1', 'veth0x', 'lo2'];

describe('selection', () => {
  it('selects an LB service on the seed policy with the regex-matched devices', () => {
    const r = selectServices({
      node: node(),
      policies: [seedPolicy()],
      services: [lbService('web', '10.0.10.0')],
      devices,
    });
    const s = r.services.get('default/web');
    assert.ok(s);
    assert.deepEqual(s.devices, ['eth0', 'eth1']);
    assert.deepEqual(
      s.policies.map((p) => p.name),
      ['policy1'],
    );
  });

  it('regexes are unanchored like Go MatchString and OR-ed without duplicates', () => {
    assert.deepEqual(selectDevices(['eth0'], ['eth0', 'veth0x', 'eth0.100', 'eth1']), [
      'eth0',
      'veth0x',
      'eth0.100',
    ]);
    assert.deepEqual(selectDevices(['^eth0$', 'eth'], ['eth0', 'eth1']), ['eth0', 'eth1']);
    assert.deepEqual(selectDevices([], ['a', 'b']), ['a', 'b']);
  });

  it('skips a control-plane node (nodeSelector DoesNotExist)', () => {
    const r = selectServices({
      node: node({ 'node-role.kubernetes.io/control-plane': '' }),
      policies: [seedPolicy()],
      services: [lbService('web', '10.0.10.0')],
      devices,
    });
    assert.equal(r.services.size, 0);
    // Only the node selector was evaluated: later checks are not reached.
    assert.deepEqual([...(r.checks.get('policy1')?.keys() ?? [])], [COND_BAD_NODE_SELECTOR]);
  });

  it('needs an announceable IP and the right loadBalancerClass', () => {
    const clusterOnly: ServiceLike = { metadata: { name: 'c', namespace: 'default' }, spec: {} };
    const hostnameOnly = lbService('h', '');
    const otherClass = lbService('o', '10.0.10.2', { spec: { loadBalancerClass: 'example.com/other' } });
    const ourClass = lbService('k', '10.0.10.3', { spec: { loadBalancerClass: 'io.cilium/l2-announcer' } });
    const r = selectServices({
      node: node(),
      policies: [seedPolicy()],
      services: [clusterOnly, hostnameOnly, otherClass, ourClass],
      devices,
    });
    assert.deepEqual([...r.services.keys()], ['default/k']);
  });

  it('honours the loadBalancerIPs / externalIPs flags', () => {
    const ext: ServiceLike = {
      metadata: { name: 'x', namespace: 'ns1' },
      spec: { externalIPs: ['192.0.2.1'] },
    };
    const lb = lbService('web', '10.0.10.0');
    const onlyExt = selectServices({
      node: node(),
      policies: [seedPolicy({ loadBalancerIPs: false })],
      services: [ext, lb],
      devices,
    });
    assert.deepEqual([...onlyExt.services.keys()], ['ns1/x']);
    const neither = selectServices({
      node: node(),
      policies: [seedPolicy({ loadBalancerIPs: false, externalIPs: false })],
      services: [ext, lb],
      devices,
    });
    assert.equal(neither.services.size, 0);
  });

  it('serviceSelector sees the synthetic namespace/name labels', () => {
    const policy = seedPolicy({
      serviceSelector: { matchLabels: { 'io.kubernetes.service.namespace': 'kube-system' } },
    });
    const a = lbService('a', '10.0.10.0');
    const b = { ...lbService('b', '10.0.10.1'), metadata: { name: 'b', namespace: 'kube-system' } };
    const r = selectServices({ node: node(), policies: [policy], services: [a, b], devices });
    assert.deepEqual([...r.services.keys()], ['kube-system/b']);
    const byName = selectServices({
      node: node(),
      policies: [seedPolicy({ serviceSelector: { matchLabels: { 'io.kubernetes.service.name': 'a' } } })],
      services: [a, b],
      devices,
    });
    assert.deepEqual([...byName.services.keys()], ['default/a']);
  });

  it('unions devices over policies and does not run for a service with no device', () => {
    const p2: L2PolicyLike = {
      metadata: { name: 'p2' },
      spec: { interfaces: ['lo2'], loadBalancerIPs: true },
    };
    const r = selectServices({
      node: node(),
      policies: [seedPolicy(), p2],
      services: [lbService('w', '10.0.10.0')],
      devices,
    });
    assert.deepEqual(r.services.get('default/w')?.devices, ['eth0', 'eth1', 'lo2']);
    const none = selectServices({
      node: node(),
      policies: [seedPolicy({ interfaces: ['^bond'] })],
      services: [lbService('w', '10.0.10.0')],
      devices,
    });
    assert.equal(none.services.size, 0);
    assert.deepEqual(none.withoutDevices, ['default/w']);
  });

  it('reports each bad part of a policy and selects nothing through it', () => {
    const svc = [lbService('w', '10.0.10.0')];
    const badNode = selectServices({
      node: node(),
      policies: [seedPolicy({ nodeSelector: { matchExpressions: [{ key: 'a', operator: 'Foo' }] } })],
      services: svc,
      devices,
    });
    assert.equal(badNode.services.size, 0);
    assert.match(badNode.checks.get('policy1')?.get(COND_BAD_NODE_SELECTOR) ?? '', /"Foo" is not a valid/);
    const badRegex = selectServices({
      node: node(),
      policies: [seedPolicy({ interfaces: ['eth[0-'] })],
      services: svc,
      devices,
    });
    assert.equal(badRegex.services.size, 0);
    assert.match(badRegex.checks.get('policy1')?.get(COND_BAD_INTERFACE_REGEX) ?? '', /eth\[0-/);
    const badSvc = selectServices({
      node: node(),
      policies: [
        seedPolicy({ serviceSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } }),
      ],
      services: svc,
      devices,
    });
    assert.equal(badSvc.services.size, 0);
    assert.match(badSvc.checks.get('policy1')?.get(COND_BAD_SERVICE_SELECTOR) ?? '', /can't be empty/);
  });
});

describe('policy conditions', () => {
  const now = new Date('2025-01-02T03:04:05.678Z');
  it('no write when every check passes and no condition exists', () => {
    const checks = new Map([[COND_BAD_NODE_SELECTOR, null]] as const);
    assert.equal(nextConditions(undefined, new Map(checks), 1, now), undefined);
  });
  it('sets True/error/message, then False/"" when cleared, then no further write', () => {
    const bad = nextConditions([], new Map([[COND_BAD_INTERFACE_REGEX, 'boom']] as const), 4, now);
    assert.deepEqual(bad, [
      {
        type: COND_BAD_INTERFACE_REGEX,
        status: 'True',
        reason: 'error',
        message: 'boom',
        observedGeneration: 4,
        lastTransitionTime: '2025-01-02T03:04:05Z',
      },
    ]);
    const cleared = nextConditions(bad, new Map([[COND_BAD_INTERFACE_REGEX, null]] as const), 5, now);
    assert.equal(cleared?.[0]?.status, 'False');
    assert.equal(cleared?.[0]?.message, '');
    assert.equal(
      nextConditions(cleared, new Map([[COND_BAD_INTERFACE_REGEX, null]] as const), 5, now),
      undefined,
    );
  });
});
