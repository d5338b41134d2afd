// Pure tests of the object model: addresses and CIDRs, selectors (object and -l forms), the
// kind registry, and validation defaults and messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  labelSelectorMatches,
  parseCidr,
  parseIp,
  parseLabelSelector,
  resolveKind,
  resourceName,
  SelectorError,
  validateObject,
} from './index.js';

test('parseIp handles IPv4, IPv6 with :: and an embedded IPv4 tail', () => {
  assert.deepEqual(parseIp('10.0.10.0'), { family: 4, value: 0x0a000a00n });
  assert.equal(parseIp('2001:db8::1')?.value, 0x20010db8000000000000000000000001n);
  assert.equal(parseIp('::ffff:10.0.10.1')?.value, 0xffff0a000a01n);
  assert.equal(parseIp('::')?.value, 0n);
  for (const bad of ['10.0.10.256', '1.2.3', 'fe80::1%eth0', '', 'x'])
    assert.equal(parseIp(bad), undefined, bad);
});

test('parseCidr checks the prefix range per family', () => {
  assert.deepEqual(parseCidr('10.0.10.0/24'), { family: 4, base: 0x0a000a00n, prefix: 24 });
  assert.equal((parseCidr('2001:db8::/64') as { prefix: number }).prefix, 64);
  assert.deepEqual(parseCidr('10.0.10.0/33'), { error: 'prefix length 33 > 32' });
  assert.deepEqual(parseCidr('2001:db8::/129'), { error: 'prefix length 129 > 128' });
});

test('labelSelectorMatches: every operator, absent keys, and invalid selectors as values', () => {
  const labels = { 'node-role.kubernetes.io/control-plane': '', zone: 'a' };
  const cp = { key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' as const };
  assert.equal(labelSelectorMatches({ matchExpressions: [cp] }, labels), false);
  assert.equal(labelSelectorMatches({ matchExpressions: [cp] }, { zone: 'a' }), true);
  assert.equal(labelSelectorMatches({ matchLabels: { zone: 'a' } }, labels), true);
  assert.equal(
    labelSelectorMatches({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, labels),
    false,
  );
  assert.equal(
    labelSelectorMatches({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['b'] }] }, labels),
    true,
  );
  assert.equal(labelSelectorMatches(undefined, labels), true);
  assert.equal(labelSelectorMatches({}, undefined), true);
  const bad = labelSelectorMatches({ matchExpressions: [{ key: 'zone', operator: 'In' }] }, labels);
  assert.ok(bad instanceof SelectorError);
  assert.equal(
    bad.message,
    "matchExpressions[0]: values: for 'In', 'NotIn' operators, values set can't be empty",
  );
  assert.ok(labelSelectorMatches({ matchLabels: { 'bad key!': 'x' } }, labels) instanceof SelectorError);
});

test('parseLabelSelector reads kubectl -l syntax', () => {
  assert.deepEqual(parseLabelSelector('app=web,tier!=db,zone in (a, b),!gpu,ssd'), {
    matchExpressions: [
      { key: 'app', operator: 'In', values: ['web'] },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
      { key: 'gpu', operator: 'DoesNotExist' },
      { key: 'ssd', operator: 'Exists' },
    ],
  });
  assert.ok(parseLabelSelector('a in (') instanceof SelectorError);
});

test('kinds resolve from kubectl and Cilium names; output names carry the group', () => {
  for (const n of ['svc', 'services', 'Service']) assert.equal(resolveKind(n), 'Service');
  for (const n of ['ippools', 'ippool', 'lbippool', 'lbippools', 'ciliumloadbalancerippools.cilium.io']) {
    assert.equal(resolveKind(n), 'CiliumLoadBalancerIPPool');
  }
  assert.equal(resolveKind('l2announcement'), 'CiliumL2AnnouncementPolicy');
  assert.equal(resolveKind('no'), 'Node');
  assert.equal(resolveKind('lease'), 'Lease');
  for (const [typed, kind] of [
    ['po', 'Pod'],
    ['deploy', 'Deployment'],
    ['deployments.apps', 'Deployment'],
    ['rs', 'ReplicaSet'],
    ['endpointslices', 'EndpointSlice'],
  ])
    assert.equal(resolveKind(typed as string), kind);
  assert.equal(resolveKind('pod.cilium.io'), undefined);
  assert.equal(resourceName('Deployment'), 'deployment.apps');
  assert.equal(resourceName('CiliumL2AnnouncementPolicy'), 'ciliuml2announcementpolicy.cilium.io');
  assert.equal(resourceName('Service'), 'service');
});

test('validation applies the reference defaults', () => {
  const policy = validateObject({
    apiVersion: 'cilium.io/v2alpha1',
    kind: 'CiliumL2AnnouncementPolicy',
    metadata: { name: 'p' },
  });
  assert.ok(policy.ok);
  assert.ok(policy.object.kind === 'CiliumL2AnnouncementPolicy');
  assert.deepEqual(policy.object.spec, { loadBalancerIPs: false, externalIPs: false });
  const svc = validateObject({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { ports: [{ port: 80 }] },
  });
  assert.ok(svc.ok && svc.object.kind === 'Service');
  assert.equal(svc.object.metadata.namespace, 'default');
  assert.equal(svc.object.spec.type, 'ClusterIP');
  assert.equal(svc.object.spec.ports?.[0]?.protocol, 'TCP');
  const lease = validateObject({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'l' },
  });
  assert.ok(lease.ok && lease.object.metadata.namespace === 'default');
});

test('Node conditions: RFC 3339 times, with the field path in the error', () => {
  const node = (lastHeartbeatTime: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a' },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          lastHeartbeatTime,
          lastTransitionTime: '2025-01-01T00:00:00Z',
          ...extra,
        },
      ],
    },
  });
  assert.equal(validateObject(node('2025-01-01T00:00:01.250Z')).ok, true);
  assert.equal(validateObject(node('2025-01-01T01:00:01+01:00')).ok, true);
  const bad = validateObject(node('yesterday'));
  assert.equal(bad.ok, false);
  if (!bad.ok)
    assert.deepEqual(bad.errors, [
      {
        path: 'status.conditions[0].lastHeartbeatTime',
        message: 'must be an RFC 3339 time, e.g. 2025-01-01T00:00:00Z',
      },
    ]);
  const unknownField = validateObject(node('2025-01-01T00:00:01Z', { lastProbeTime: 'x' }));
  assert.equal(unknownField.ok, false);
  if (!unknownField.ok) assert.match(unknownField.errors[0]?.path ?? '', /^status\.conditions\[0\]/);
});
