// The ReplicaSet controller's decisions: how many to create, which to delete (unscheduled,
// pending, not ready, then newest), terminating pods not counted, and the status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplicaSetSchema } from '../../api/index.js';
import { newReplicaSetFor } from './deployment-plan.js';
import { deployment, pod, T0 } from './fixtures.test-helper.js';
import { planReplicaSet, podFromTemplate } from './replicaset-plan.js';

function rs(replicas: number, minReadySeconds?: number) {
  const d = deployment('nginx', replicas, minReadySeconds ? { minReadySeconds } : {});
  const base = newReplicaSetFor(d, replicas, '1');
  return ReplicaSetSchema.parse({ ...base, metadata: { ...base.metadata, uid: 'uid-rs', generation: 3 } });
}

test('too few active pods: create the difference; terminating and finished pods do not count', () => {
  const pods = [
    pod('a', { node: 'n1', ready: true }),
    pod('b', { node: 'n1', deleting: true }),
    pod('c', { node: 'n1', phase: 'Failed' }),
  ];
  const plan = planReplicaSet(rs(3), pods, T0);
  assert.equal(plan.create, 2);
  assert.equal(plan.status.replicas, 1);
});

test('too many: unscheduled first, then Pending, not ready, more restarts, newest', () => {
  const pods = [
    pod('ready-old', { node: 'n1', ready: true, created: '2026-01-01T00:00:00Z' }),
    pod('ready-new', { node: 'n1', ready: true, created: '2026-01-01T00:05:00Z' }),
    pod('ready-restarts', { node: 'n1', ready: true, restarts: 3, created: '2026-01-01T00:00:00Z' }),
    pod('running-not-ready', { node: 'n1', ready: false }),
    pod('pending', { node: 'n1', phase: 'Pending' }),
    pod('unscheduled'),
  ];
  const names = (n: number) => planReplicaSet(rs(6 - n), pods, T0).delete.map((p) => p.metadata.name);
  assert.deepEqual(names(6), [
    'unscheduled',
    'pending',
    'running-not-ready',
    'ready-restarts',
    'ready-new',
    'ready-old',
  ]);
  assert.deepEqual(names(2), ['unscheduled', 'pending']);
});

test('status: replicas, fully labeled, ready, available after minReadySeconds, observedGeneration', () => {
  const labels = rs(3).spec.template.metadata.labels ?? {};
  const pods = [
    pod('a', { node: 'n1', ready: true, labels }),
    pod('b', { node: 'n1', ready: true, labels: { app: 'nginx' } }),
    pod('c', { node: 'n1', ready: false, labels }),
  ];
  // Ready since T0; minReadySeconds 10: not available at T0 + 5 s, available at T0 + 10 s.
  const early = planReplicaSet(rs(3, 10), pods, T0 + 5000);
  assert.deepEqual(early.status, {
    replicas: 3,
    fullyLabeledReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 0,
    observedGeneration: 3,
  });
  assert.equal(early.recheckMs, 5000);
  assert.equal(planReplicaSet(rs(3, 10), pods, T0 + 10_000).status.availableReplicas, 2);
});

test('a new replica: template labels (with the hash), spec, and a controller reference', () => {
  const r = rs(1);
  const p = podFromTemplate(r, `${r.metadata.name}-25swg`);
  assert.equal(p.metadata.labels?.['pod-template-hash'], r.spec.selector.matchLabels?.['pod-template-hash']);
  assert.deepEqual(p.metadata.ownerReferences, [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: r.metadata.name,
      uid: 'uid-rs',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.deepEqual(p.spec, r.spec.template.spec);
});
