// Pod labels → Cilium's security label set; reserved identity names.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isSecurityRelevant, podSecurityLabels, securityLabelsOf } from './labels.js';
import { reservedIdentityLabel, reservedIdentityOf } from '../api/reserved-identities.js';

test('pod labels become k8s: labels plus namespace, cluster and service account, sorted', () => {
  const l = podSecurityLabels({
    namespace: 'default',
    labels: { app: 'webpod', 'pod-template-hash': '7d8f9', 'app.kubernetes.io/name': 'web' },
  });
  assert.deepEqual(l.list, [
    'k8s:app=webpod',
    'k8s:app.kubernetes.io/name=web',
    'k8s:io.cilium.k8s.policy.cluster=default',
    'k8s:io.cilium.k8s.policy.serviceaccount=default',
    'k8s:io.kubernetes.pod.namespace=default',
  ]);
  assert.equal(l.map['k8s:app'], 'webpod');
  assert.equal(l.key, `${l.list.join(';')};`);
  assert.equal(l.sha256, createHash('sha256').update(l.key).digest('hex'));
});

test('labels Cilium filters out by default do not split an identity', () => {
  for (const k of [
    'pod-template-hash',
    'controller-revision-hash',
    'pod-template-generation',
    'statefulset.kubernetes.io/pod-name',
    'apps.kubernetes.io/pod-index',
    'batch.kubernetes.io/job-completion-index',
    'io.kubernetes.pod.name',
    'kubernetes.io/hostname',
    'failure-domain.beta.kubernetes.io/zone',
    'io.cilium.k8s.policy.serviceaccount',
  ])
    assert.equal(isSecurityRelevant(k), false, k);
  for (const k of ['app', 'tier', 'app.kubernetes.io/name', 'k8s-app'])
    assert.equal(isSecurityRelevant(k), true, k);
  const a = podSecurityLabels({
    namespace: 'db',
    labels: { app: 'pg', 'statefulset.kubernetes.io/pod-name': 'pg-0' },
  });
  const b = podSecurityLabels({
    namespace: 'db',
    labels: { app: 'pg', 'statefulset.kubernetes.io/pod-name': 'pg-1' },
  });
  assert.equal(a.key, b.key);
  const other = podSecurityLabels({ namespace: 'db', labels: { app: 'pg' }, serviceAccount: 'pg' });
  assert.notEqual(other.sha256, a.sha256, 'the service account is part of the identity');
  const spoof = podSecurityLabels({
    namespace: 'db',
    labels: { 'io.kubernetes.pod.namespace': 'kube-system' },
  });
  assert.equal(spoof.map['k8s:io.kubernetes.pod.namespace'], 'db', 'a pod cannot claim another namespace');
});

test('key order does not matter; an empty value prints without "="', () => {
  const x = securityLabelsOf({ 'k8s:b': '2', 'k8s:a': '' });
  const y = securityLabelsOf({ 'k8s:a': '', 'k8s:b': '2' });
  assert.deepEqual(x, y);
  assert.deepEqual(x.list, ['k8s:a', 'k8s:b=2']);
  assert.equal(x.key, 'k8s:a=;k8s:b=2;');
});

test("reserved identities carry Cilium's numbers and names", () => {
  assert.equal(reservedIdentityLabel(1), 'reserved:host');
  assert.equal(reservedIdentityLabel(4), 'reserved:health');
  assert.equal(reservedIdentityLabel(6), 'reserved:remote-node');
  assert.equal(reservedIdentityLabel(10), 'reserved:world-ipv6');
  assert.equal(reservedIdentityLabel(256), undefined);
  assert.equal(reservedIdentityOf('kube-apiserver'), 7);
  assert.equal(reservedIdentityOf('world'), 2);
});
