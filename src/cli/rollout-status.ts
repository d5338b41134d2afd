// What `kubectl rollout status` says about a Deployment, decided from the object alone
// (DeploymentStatusViewer.Status in k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go):
// first the controller must have observed the latest generation, then every replica must be
// updated, the old ones gone, and the updated ones available.
import type { Deployment } from '../api/index.js';

export type RolloutStatus =
  | { done: true; message: string }
  | { done: false; message: string }
  | { done: false; error: string };

export function deploymentRolloutStatus(d: Deployment): RolloutStatus {
  const name = JSON.stringify(d.metadata.name);
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0))
    return { done: false, message: 'Waiting for deployment spec update to be observed...' };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { done: false, error: `deployment ${name} exceeded its progress deadline` };
  const updated = s.updatedReplicas ?? 0;
  const replicas = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (updated < d.spec.replicas)
    return {
      done: false,
      message: `Waiting for deployment ${name} rollout to finish: ${updated} out of ${d.spec.replicas} new replicas have been updated...`,
    };
  if (replicas > updated)
    return {
      done: false,
      message: `Waiting for deployment ${name} rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    };
  if (available < updated)
    return {
      done: false,
      message: `Waiting for deployment ${name} rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  return { done: true, message: `deployment ${name} successfully rolled out` };
}
