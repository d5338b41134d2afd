// The Deployment controller's decisions on plain objects: the new ReplicaSet's name, labels and
// revision; a template change (and `rollout restart`'s restartedAt) starting a new ReplicaSet;
// Recreate waiting for the old pods; history kept to revisionHistoryLimit; status conditions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplicaSet } from '../../api/index.js';
import {
  type DeploymentStep,
  newReplicaSetFor,
  planDeployment,
  REVISION_ANNOTATION,
} from './deployment-plan.js';
import { deployment, replicaSet, T0, template } from './fixtures.test-helper.js';
import { podTemplateHash } from './names.js';

const created = (steps: DeploymentStep[]) =>
  steps.filter((s) => s.kind === 'create').map((s) => s.replicaSet);
const scaled = (steps: DeploymentStep[]) =>
  steps
    .filter((s) => s.kind === 'scale')
    .map((s) => `${s.replicaSet.metadata.name}=${s.kind === 'scale' ? s.replicas : ''}`);

describe('deployment plan', () => {
  test('a new Deployment gets <name>-<hash> with pod-template-hash on selector and template, revision 1', () => {
    const d = deployment('nginx', 2);
    const plan = planDeployment({ deployment: d, replicaSets: [], oldPods: 0, nowMs: T0 });
    const [rs] = created(plan.steps) as [ReplicaSet];
    const hash = podTemplateHash(d.spec.template);
    assert.equal(rs.metadata.name, `nginx-${hash}`);
    assert.equal(rs.spec.replicas, 2);
    assert.equal(rs.spec.selector.matchLabels?.['pod-template-hash'], hash);
    assert.equal(rs.spec.template.metadata.labels?.['pod-template-hash'], hash);
    assert.equal(rs.spec.template.metadata.labels?.app, 'nginx');
    assert.equal(rs.metadata.annotations?.[REVISION_ANNOTATION], '1');
    assert.deepEqual(rs.metadata.ownerReferences?.[0], {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'nginx',
      uid: 'uid-nginx',
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.equal(plan.revision, '1');
    const progressing = plan.status.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.reason, 'NewReplicaSetCreated');
    assert.equal(progressing?.message, `Created new replica set "nginx-${hash}"`);
  });

  test('complete: NewReplicaSetAvailable and MinimumReplicasAvailable, counts summed', () => {
    const d = deployment('nginx', 3);
    const rs = replicaSet(newReplicaSetFor(d, 3, '1'), { replicas: 3, available: 3 }, '2026-01-01T00:00:00Z');
    const plan = planDeployment({ deployment: d, replicaSets: [rs], oldPods: 0, nowMs: T0 });
    assert.deepEqual(plan.steps, []);
    const { conditions, ...counts } = plan.status;
    assert.deepEqual(counts, {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 0,
    });
    assert.deepEqual(
      conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
        [
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
        ],
      ],
    );
  });

  test('scaling 2 → 5 → 1 scales the one ReplicaSet', () => {
    const d2 = deployment('nginx', 2);
    const rs = replicaSet(
      newReplicaSetFor(d2, 2, '1'),
      { replicas: 2, available: 2 },
      '2026-01-01T00:00:00Z',
    );
    assert.deepEqual(
      scaled(
        planDeployment({ deployment: deployment('nginx', 5), replicaSets: [rs], oldPods: 0, nowMs: T0 })
          .steps,
      ),
      [`${rs.metadata.name}=5`],
    );
    assert.deepEqual(
      scaled(
        planDeployment({ deployment: deployment('nginx', 1), replicaSets: [rs], oldPods: 0, nowMs: T0 })
          .steps,
      ),
      [`${rs.metadata.name}=1`],
    );
  });

  test('rollout restart: a restartedAt annotation makes a new ReplicaSet, revision 2, surge first', () => {
    const d1 = deployment('nginx', 4);
    const old = replicaSet(
      newReplicaSetFor(d1, 4, '1'),
      { replicas: 4, available: 4 },
      '2026-01-01T00:00:00Z',
    );
    const t = template();
    const d2 = deployment('nginx', 4, {
      template: {
        ...t,
        metadata: {
          ...t.metadata,
          annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:05:00Z' },
        },
      },
    });
    const plan = planDeployment({ deployment: d2, replicaSets: [old], oldPods: 4, nowMs: T0 });
    const [next] = created(plan.steps) as [ReplicaSet];
    assert.notEqual(next.metadata.name, old.metadata.name);
    assert.equal(next.spec.replicas, 1, '25% of 4 = 1 surge pod');
    assert.equal(next.metadata.annotations?.[REVISION_ANNOTATION], '2');
    assert.equal(plan.revision, '2');
    // Once the surge pod is available, one old replica goes (25% of 4 = 1 unavailable).
    const nextRs = replicaSet(next, { replicas: 1, available: 1 }, '2026-01-01T00:06:00Z');
    const step2 = planDeployment({ deployment: d2, replicaSets: [old, nextRs], oldPods: 4, nowMs: T0 });
    assert.deepEqual(scaled(step2.steps), [`${old.metadata.name}=2`]);
    assert.equal(step2.status.conditions?.find((c) => c.type === 'Progressing')?.reason, 'ReplicaSetUpdated');
  });

  test('going back to an old template reuses its ReplicaSet and gives it the next revision', () => {
    const d1 = deployment('nginx', 2);
    const d2 = deployment('nginx', 2, { template: template('nginx:1.28') });
    const rs1 = replicaSet(
      newReplicaSetFor(d1, 0, '1'),
      { replicas: 0, available: 0 },
      '2026-01-01T00:00:00Z',
    );
    const rs2 = replicaSet(
      newReplicaSetFor(d2, 2, '2'),
      { replicas: 2, available: 2 },
      '2026-01-01T00:01:00Z',
    );
    const plan = planDeployment({ deployment: d1, replicaSets: [rs1, rs2], oldPods: 2, nowMs: T0 });
    assert.deepEqual(
      plan.steps.map((s) => [s.kind, s.replicaSet.metadata.name, s.kind === 'scale' ? s.revision : '']),
      [['scale', rs1.metadata.name, '3']],
    );
    assert.equal(plan.revision, '3');
  });

  test('Recreate: old scaled to 0, nothing new until the old pods are gone', () => {
    const d1 = deployment('nginx', 2, { strategy: { type: 'Recreate' } });
    const d2 = deployment('nginx', 2, { strategy: { type: 'Recreate' }, template: template('nginx:1.28') });
    const old = replicaSet(
      newReplicaSetFor(d1, 2, '1'),
      { replicas: 2, available: 2 },
      '2026-01-01T00:00:00Z',
    );
    assert.deepEqual(
      scaled(planDeployment({ deployment: d2, replicaSets: [old], oldPods: 2, nowMs: T0 }).steps),
      [`${old.metadata.name}=0`],
    );
    const drained = replicaSet(
      { ...old, spec: { ...old.spec, replicas: 0 } },
      { replicas: 0, available: 0 },
      '2026-01-01T00:00:00Z',
    );
    assert.deepEqual(
      planDeployment({ deployment: d2, replicaSets: [drained], oldPods: 1, nowMs: T0 }).steps,
      [],
    );
    const [next] = created(
      planDeployment({ deployment: d2, replicaSets: [drained], oldPods: 0, nowMs: T0 }).steps,
    ) as [ReplicaSet];
    assert.equal(next.spec.replicas, 2);
  });

  test('old empty ReplicaSets beyond revisionHistoryLimit are deleted, oldest revision first', () => {
    const d = deployment('nginx', 1, { revisionHistoryLimit: 1, template: template('nginx:4') });
    const olds = ['1', '2', '3'].map((rev) =>
      replicaSet(
        newReplicaSetFor(deployment('nginx', 1, { template: template(`nginx:${rev}`) }), 0, rev),
        { replicas: 0, available: 0 },
        `2026-01-01T00:0${rev}:00Z`,
      ),
    );
    const cur = replicaSet(
      newReplicaSetFor(d, 1, '4'),
      { replicas: 1, available: 1 },
      '2026-01-01T00:09:00Z',
    );
    const plan = planDeployment({ deployment: d, replicaSets: [...olds, cur], oldPods: 0, nowMs: T0 });
    assert.deepEqual(
      plan.steps.map((s) => [s.kind, s.replicaSet.metadata.annotations?.[REVISION_ANNOTATION]]),
      [
        ['delete', '1'],
        ['delete', '2'],
      ],
    );
  });

  test('no progress for progressDeadlineSeconds: Progressing False ProgressDeadlineExceeded', () => {
    const d = deployment('nginx', 2, { progressDeadlineSeconds: 60 });
    const rs = replicaSet(newReplicaSetFor(d, 2, '1'), { replicas: 2, available: 0 }, '2026-01-01T00:00:00Z');
    const first = planDeployment({ deployment: d, replicaSets: [rs], oldPods: 0, nowMs: T0 });
    const stuck = { ...d, status: first.status };
    assert.equal(
      planDeployment({
        deployment: stuck,
        replicaSets: [rs],
        oldPods: 0,
        nowMs: T0 + 30_000,
      }).status.conditions?.find((c) => c.type === 'Progressing')?.status,
      'True',
    );
    const late = planDeployment({ deployment: stuck, replicaSets: [rs], oldPods: 0, nowMs: T0 + 61_000 });
    const p = late.status.conditions?.find((c) => c.type === 'Progressing');
    assert.deepEqual(
      [p?.status, p?.reason, p?.message],
      ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs.metadata.name}" has timed out progressing.`],
    );
    const a = late.status.conditions?.find((c) => c.type === 'Available');
    assert.deepEqual([a?.status, a?.reason], ['False', 'MinimumReplicasUnavailable']);
  });
});
