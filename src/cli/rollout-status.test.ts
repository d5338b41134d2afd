// kubectl rollout status's decision on each stage of a Deployment's status, message for message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Deployment, DeploymentSchema } from '../api/index.js';
import { deploymentRolloutStatus } from './rollout-status.js';

function deployment(generation: number, replicas: number, status: Deployment['status']): Deployment {
  return DeploymentSchema.parse({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', generation },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
      },
    },
    ...(status ? { status } : {}),
  });
}

test('each stage of a rollout gives kubectl’s message', () => {
  const cases: [Deployment, string, boolean][] = [
    [
      deployment(2, 3, { observedGeneration: 1 }),
      'Waiting for deployment spec update to be observed...',
      false,
    ],
    [deployment(1, 3, undefined), 'Waiting for deployment spec update to be observed...', false],
    [
      deployment(2, 3, { observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3 }),
      'Waiting for deployment "nginx" rollout to finish: 1 out of 3 new replicas have been updated...',
      false,
    ],
    [
      deployment(2, 3, { observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }),
      'Waiting for deployment "nginx" rollout to finish: 1 old replicas are pending termination...',
      false,
    ],
    [
      deployment(2, 3, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 1 }),
      'Waiting for deployment "nginx" rollout to finish: 1 of 3 updated replicas are available...',
      false,
    ],
    [
      deployment(2, 3, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      'deployment "nginx" successfully rolled out',
      true,
    ],
    [deployment(3, 0, { observedGeneration: 3 }), 'deployment "nginx" successfully rolled out', true],
  ];
  for (const [d, message, done] of cases) assert.deepEqual(deploymentRolloutStatus(d), { done, message });
});

test('a Progressing condition with ProgressDeadlineExceeded is an error, not a wait', () => {
  const d = deployment(2, 3, {
    observedGeneration: 2,
    replicas: 3,
    updatedReplicas: 1,
    conditions: [
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "nginx-96b9d695" has timed out progressing.',
        lastTransitionTime: '2025-01-01T00:00:00Z',
      },
    ],
  });
  assert.deepEqual(deploymentRolloutStatus(d), {
    done: false,
    error: 'deployment "nginx" exceeded its progress deadline',
  });
});
