// The Deployment controller's decisions, pure (pkg/controller/deployment: sync.go, rolling.go,
// recreate.go): which ReplicaSet carries the current template (creating it if none does), the
// next scaling step of the rollout, the revision annotations, the old ReplicaSets past
// revisionHistoryLimit, and the status. One step per pass: each write changes a ReplicaSet, whose
// event brings the Deployment back, so the rollout advances as the pods become available.
import type { Deployment, ReplicaSet } from '../../api/index.js';
import { canonicalJson } from '../../store/prepare.js';
import {
  deploymentStatus,
  type DeploymentStatus,
  isComplete,
  countReplicas,
} from './deployment-conditions.js';
import { POD_TEMPLATE_HASH_LABEL, podTemplateHash } from './names.js';
import { controllerRef } from './owners.js';
import { newReplicaSetReplicas, type RsCounts, resolveFenceposts, scaleDownOld } from './rollout-math.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export type DeploymentStep =
  | { kind: 'create'; replicaSet: ReplicaSet }
  /** Update the stored ReplicaSet to these replicas and (when set) this revision. */
  | { kind: 'scale'; replicaSet: ReplicaSet; replicas: number; revision?: string }
  | { kind: 'delete'; replicaSet: ReplicaSet };

export interface DeploymentPlan {
  steps: DeploymentStep[];
  /** The Deployment's own deployment.kubernetes.io/revision. */
  revision: string;
  status: DeploymentStatus;
}

export interface DeploymentView {
  deployment: Deployment;
  /** The ReplicaSets this Deployment controls. */
  replicaSets: ReplicaSet[];
  /** Pods of old ReplicaSets that still exist, terminating included (Recreate waits for 0). */
  oldPods: number;
  nowMs: number;
}

const revisionOf = (rs: ReplicaSet) => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
const countsOf = (rs: ReplicaSet): RsCounts => ({
  replicas: rs.spec.replicas,
  available: rs.status?.availableReplicas ?? 0,
});

function withoutHash(t: ReplicaSet['spec']['template']): unknown {
  const { [POD_TEMPLATE_HASH_LABEL]: _h, ...labels } = t.metadata.labels ?? {};
  const metadata = { ...t.metadata, labels };
  if (Object.keys(labels).length === 0) delete (metadata as { labels?: unknown }).labels;
  return { ...t, metadata };
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's, hash aside. */
export function findNewReplicaSet(d: Deployment, sorted: ReplicaSet[]): ReplicaSet | undefined {
  const want = canonicalJson(withoutHash(d.spec.template));
  return sorted.find((rs) => canonicalJson(withoutHash(rs.spec.template)) === want);
}

/** The ReplicaSet for the Deployment's current template: `<deployment>-<pod-template-hash>`. */
export function newReplicaSetFor(d: Deployment, replicas: number, revision: string): ReplicaSet {
  const hash = podTemplateHash(d.spec.template);
  const labels = { ...d.spec.template.metadata.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace ?? 'default',
      labels,
      annotations: { [REVISION_ANNOTATION]: revision },
      ownerReferences: [controllerRef(d)],
    },
    spec: {
      replicas,
      ...(d.spec.minReadySeconds !== undefined ? { minReadySeconds: d.spec.minReadySeconds } : {}),
      selector: {
        ...d.spec.selector,
        matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash },
      },
      template: { ...structuredClone(d.spec.template), metadata: { ...d.spec.template.metadata, labels } },
    },
  };
}

const byAge = (a: ReplicaSet, b: ReplicaSet) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  a.metadata.name.localeCompare(b.metadata.name);

export function planDeployment(v: DeploymentView): DeploymentPlan {
  const d = v.deployment;
  const desired = d.spec.replicas;
  const sorted = [...v.replicaSets].sort(byAge);
  const found = findNewReplicaSet(d, sorted);
  const old = sorted.filter((rs) => rs !== found);
  const maxOld = Math.max(0, ...old.map(revisionOf));
  const revision = found && revisionOf(found) > maxOld ? String(revisionOf(found)) : String(maxOld + 1);
  const ru = d.spec.strategy.rollingUpdate;
  const recreate = d.spec.strategy.type === 'Recreate';
  const { surge, unavailable } = recreate
    ? { surge: 0, unavailable: 0 } // MaxUnavailable is 0 for Recreate (deployment_util.go)
    : resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desired);
  const steps: DeploymentStep[] = [];
  const nextName = found?.metadata.name ?? `${d.metadata.name}-${podTemplateHash(d.spec.template)}`;
  const status = (created: boolean) =>
    deploymentStatus({
      deployment: d,
      all: sorted,
      next: found,
      nextName,
      created,
      maxUnavailable: unavailable,
      nowMs: v.nowMs,
    });

  if (d.spec.paused) return { steps, revision, status: status(false) };
  const scale = (rs: ReplicaSet, replicas: number) => {
    const bump = rs === found && revisionOf(rs) !== Number(revision);
    if (replicas !== rs.spec.replicas || bump)
      steps.push({ kind: 'scale', replicaSet: rs, replicas, ...(bump ? { revision } : {}) });
  };

  if (recreate) {
    for (const rs of old) scale(rs, 0);
    if (steps.length > 0 || v.oldPods > 0) return { steps, revision, status: status(false) };
    if (!found) {
      steps.push({ kind: 'create', replicaSet: newReplicaSetFor(d, desired, revision) });
      return { steps, revision, status: status(true) };
    }
    scale(found, desired);
  } else {
    const all = sorted.map(countsOf);
    if (!found) {
      const replicas = newReplicaSetReplicas(desired, surge, all, { replicas: 0, available: 0 });
      steps.push({ kind: 'create', replicaSet: newReplicaSetFor(d, replicas, revision) });
      return { steps, revision, status: status(true) };
    }
    scale(found, newReplicaSetReplicas(desired, surge, all, countsOf(found)));
    if (steps.length === 0) {
      const next = scaleDownOld(desired, unavailable, old.map(countsOf), countsOf(found));
      for (const [i, rs] of old.entries()) scale(rs, next[i] as number);
    }
  }
  if (steps.length === 0 && isComplete(desired, countReplicas(desired, sorted, found)))
    steps.push(...historyToDelete(d, old).map((rs) => ({ kind: 'delete' as const, replicaSet: rs })));
  return { steps, revision, status: status(false) };
}

/** cleanupDeployment: old ReplicaSets with no pods, oldest first, beyond revisionHistoryLimit. */
export function historyToDelete(d: Deployment, oldSorted: ReplicaSet[]): ReplicaSet[] {
  const empty = oldSorted.filter((rs) => rs.spec.replicas === 0 && (rs.status?.replicas ?? 0) === 0);
  const excess = empty.length - d.spec.revisionHistoryLimit;
  return excess > 0
    ? [...empty].sort((a, b) => revisionOf(a) - revisionOf(b) || byAge(a, b)).slice(0, excess)
    : [];
}
