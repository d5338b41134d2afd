// The Cilium kinds' columns, checked against `kubectl get ciliumnodes` / `ciliumendpoints -A`
// output from a real cluster (Cilium 1.16, kubectl 1.30).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CiliumEndpoint, CiliumIdentity, CiliumNode } from '../api/index.js';
import { columnsFor } from './format-columns.js';
import { formatTable } from './format-table.js';

const now = Date.parse('2025-01-01T01:14:00Z');
const created = '2025-01-01T00:00:00Z';

test('ciliumnodes: NAME CILIUMINTERNALIP INTERNALIP AGE', () => {
  const n: CiliumNode = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNode',
    metadata: { name: 'k8s-w1', creationTimestamp: created },
    spec: {
      addresses: [
        { type: 'InternalIP', ip: '192.168.10.101' },
        { type: 'CiliumInternalIP', ip: '172.16.2.107' },
      ],
    },
  };
  const cols = columnsFor('CiliumNode');
  assert.equal(
    formatTable(cols.headers, [cols.row(n, now)]),
    'NAME     CILIUMINTERNALIP   INTERNALIP       AGE\nk8s-w1   172.16.2.107       192.168.10.101   74m\n',
  );
});

const cep = (name: string, id: number, ipv4: string): CiliumEndpoint => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumEndpoint',
  metadata: { name, namespace: 'default' },
  status: {
    identity: { id },
    state: 'ready',
    networking: { addressing: [{ ipv4 }] },
    policy: { ingress: { enforcing: false, state: '<status disabled>' }, egress: { enforcing: false } },
  },
});

test('ciliumendpoints: identity, state, IPv4, an empty IPv6; -o wide inserts enforcement', () => {
  const cols = columnsFor('CiliumEndpoint');
  const items = [cep('netpod', 11370, '172.16.0.251'), cep('webpod1', 19520, '172.16.2.139')];
  assert.equal(
    formatTable(
      cols.headers,
      items.map((e) => cols.row(e, now)),
    ),
    [
      'NAME      SECURITY IDENTITY   ENDPOINT STATE   IPV4           IPV6',
      'netpod    11370               ready            172.16.0.251',
      'webpod1   19520               ready            172.16.2.139',
      '',
    ].join('\n'),
  );
  assert.ok(cols.wideTable);
  assert.deepEqual(cols.wideTable.headers.slice(1, 5), [
    'SECURITY IDENTITY',
    'INGRESS ENFORCEMENT',
    'EGRESS ENFORCEMENT',
    'ENDPOINT STATE',
  ]);
  assert.deepEqual(cols.wideTable.row(items[0] as CiliumEndpoint, now).slice(1, 5), [
    '11370',
    '<status disabled>',
    '',
    'ready',
  ]);
});

test('ciliumidentities: NAMESPACE from the metadata label, else from the security label', () => {
  const id = (name: string, labels?: Record<string, string>): CiliumIdentity => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumIdentity',
    metadata: { name, creationTimestamp: created, ...(labels ? { labels } : {}) },
    'security-labels': { 'k8s:io.kubernetes.pod.namespace': 'kube-system' },
  });
  const cols = columnsFor('CiliumIdentity');
  assert.deepEqual(cols.headers, ['NAME', 'NAMESPACE', 'AGE']);
  assert.deepEqual(cols.row(id('29265', { 'io.kubernetes.pod.namespace': 'default' }), now), [
    '29265',
    'default',
    '74m',
  ]);
  assert.deepEqual(cols.row(id('9167'), now), ['9167', 'kube-system', '74m']);
});
