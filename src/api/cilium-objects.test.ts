// The Cilium v2 kinds waggle's IPAM and identities use: valid objects parse, an unknown field is
// refused with its path, a bad address or CIDR is named, and the names resolve as kubectl's do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveKind, specOf, validateObject } from './index.js';

const node = (spec: Record<string, unknown>) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNode',
  metadata: { name: 'k8s-w1' },
  spec,
});

const errorsOf = (doc: unknown) => {
  const r = validateObject(doc);
  assert.equal(r.ok, false, 'expected a refusal');
  return r.ok ? [] : r.errors;
};

test('CiliumNode: addresses, health, podCIDRs and status parse; cluster-scoped', () => {
  const r = validateObject({
    ...node({
      addresses: [
        { type: 'InternalIP', ip: '192.168.10.101' },
        { type: 'CiliumInternalIP', ip: '172.16.2.107' },
      ],
      health: { ipv4: '172.16.2.5' },
      ipam: { podCIDRs: ['172.16.2.0/24'], pool: { '172.16.2.9': { owner: 'default/web' } } },
    }),
    status: { ipam: { 'operator-status': { error: 'no CIDR left' } } },
  });
  assert.ok(r.ok && r.object.kind === 'CiliumNode');
  assert.deepEqual(r.object.spec.ipam?.podCIDRs, ['172.16.2.0/24']);
  assert.equal(r.object.metadata.namespace, undefined);
  assert.deepEqual(validateObject({ ...node({}), metadata: { name: 'n' } }).ok, true);
});

test('CiliumNode: an unknown field, a bad CIDR and a bad address type are named by path', () => {
  assert.deepEqual(errorsOf(node({ ipam: { podCIDR: '10.0.0.0/24' } })), [
    { path: 'spec.ipam.podCIDR', message: 'unknown field' },
  ]);
  assert.deepEqual(errorsOf(node({ ipam: { podCIDRs: ['10.0.0.0/33'] } })), [
    { path: 'spec.ipam.podCIDRs[0]', message: '"10.0.0.0/33": prefix length 33 > 32' },
  ]);
  assert.deepEqual(errorsOf(node({ health: { ipv4: '10.0.0.300' } })), [
    { path: 'spec.health.ipv4', message: '"10.0.0.300" is not an IP address' },
  ]);
  const [bad] = errorsOf(node({ addresses: [{ type: 'Internal', ip: '10.0.0.1' }] }));
  assert.equal(bad?.path, 'spec.addresses[0].type');
  assert.match(bad?.message ?? '', /"Internal" is not one of InternalIP, .*CiliumInternalIP/);
});

const cep = (status: Record<string, unknown>) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumEndpoint',
  metadata: { name: 'webpod1', namespace: 'default' },
  status,
});

test('CiliumEndpoint: the status Cilium writes parses; state is the CRD enum', () => {
  const r = validateObject(
    cep({
      id: 663,
      identity: { id: 19520, labels: ['k8s:app=webpod', 'k8s:io.kubernetes.pod.namespace=default'] },
      networking: { addressing: [{ ipv4: '172.16.2.139' }], node: '192.168.10.101' },
      state: 'ready',
      encryption: {},
      'external-identifiers': { 'cni-attachment-id': 'abc:eth0', 'pod-name': 'default/webpod1' },
    }),
  );
  assert.ok(r.ok && r.object.kind === 'CiliumEndpoint');
  assert.equal(r.object.status?.identity?.id, 19520);
  assert.deepEqual(specOf(r.object), r.object.status, 'a CEP is its status (no status subresource)');
  const [bad] = errorsOf(cep({ state: 'running' }));
  assert.equal(bad?.path, 'status.state');
  assert.deepEqual(errorsOf(cep({ networking: { addressing: [{ ipv4: '1.2.3' }] } })), [
    { path: 'status.networking.addressing[0].ipv4', message: '"1.2.3" is not an IP address' },
  ]);
  assert.deepEqual(errorsOf(cep({ identity: { id: 5, label: [] } })), [
    { path: 'status.identity.label', message: 'unknown field' },
  ]);
});

const identity = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumIdentity',
  metadata: { name },
  'security-labels': { 'k8s:app': 'web', 'k8s:io.kubernetes.pod.namespace': 'default' },
  ...extra,
});

test('CiliumIdentity: named by its number, security-labels required, no stray fields', () => {
  const r = validateObject(identity('19520'));
  assert.ok(r.ok && r.object.kind === 'CiliumIdentity');
  assert.deepEqual(specOf(r.object), { 'k8s:app': 'web', 'k8s:io.kubernetes.pod.namespace': 'default' });
  assert.deepEqual(errorsOf(identity('web')), [
    { path: 'metadata.name', message: 'must be the numeric identity, e.g. "19520"' },
  ]);
  assert.deepEqual(
    errorsOf(identity('0256')).map((e) => e.path),
    ['metadata.name'],
  );
  assert.deepEqual(errorsOf(identity('300', { spec: {} })), [{ path: 'spec', message: 'unknown field' }]);
  const { 'security-labels': _gone, ...bare } = identity('300');
  assert.deepEqual(
    errorsOf(bare).map((e) => e.path),
    ['security-labels'],
  );
});

test('kubectl names of the three kinds resolve, short names included', () => {
  for (const n of ['cn', 'ciliumn', 'ciliumnodes', 'ciliumnode.cilium.io'])
    assert.equal(resolveKind(n), 'CiliumNode');
  for (const n of ['cep', 'ciliumep', 'ciliumendpoints']) assert.equal(resolveKind(n), 'CiliumEndpoint');
  for (const n of ['ciliumid', 'ciliumidentities', 'CiliumIdentity'])
    assert.equal(resolveKind(n), 'CiliumIdentity');
});
