// The ReplicaSet controller's decisions, pure (pkg/controller/replicaset/replica_set.go): how
// many pods to create or which to delete so that the active pods number spec.replicas, the pod a
// new replica is made from, and the status to write.
import type { Pod, ReplicaSet } from '../../api/index.js';
import { controllerRef } from './owners.js';
import { isActive, isAvailable, isReady, msUntilAvailable } from './pod-state.js';

/** At most this many creations or deletions per pass (the controller's burstReplicas). */
export const BURST_REPLICAS = 500;

export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

export interface ReplicaSetPlan {
  create: number;
  /** Pods to delete, most deletable first. */
  delete: Pod[];
  status: ReplicaSetStatus;
  /** A ready pod becomes available after minReadySeconds: look again then (ms). */
  recheckMs: number | undefined;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);

/**
 * controller.ActivePods' order, the pods to delete first: unscheduled before scheduled; Pending
 * before Unknown before Running; not ready before ready; more restarts first; newest first.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod) => p.metadata.creationTimestamp ?? '';
  if (created(a) !== created(b)) return created(a) < created(b) ? 1 : -1;
  return a.metadata.name < b.metadata.name ? 1 : -1;
}

function fullyLabeled(pod: Pod, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/** `pods`: the pods this ReplicaSet controls (any state); terminating ones are not replicas. */
export function planReplicaSet(rs: ReplicaSet, pods: Pod[], nowMs: number): ReplicaSetPlan {
  const active = pods.filter(isActive);
  const diff = active.length - rs.spec.replicas;
  const minReady = rs.spec.minReadySeconds ?? 0;
  const create = diff < 0 ? Math.min(-diff, BURST_REPLICAS) : 0;
  const remove = diff > 0 ? [...active].sort(deletionOrder).slice(0, Math.min(diff, BURST_REPLICAS)) : [];
  const templateLabels = rs.spec.template.metadata.labels ?? {};
  const waits = active.map((p) => msUntilAvailable(p, minReady, nowMs)).filter((x) => x !== undefined);
  return {
    create,
    delete: remove,
    status: {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => fullyLabeled(p, templateLabels)).length,
      readyReplicas: active.filter(isReady).length,
      availableReplicas: active.filter((p) => isAvailable(p, minReady, nowMs)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    },
    recheckMs: waits.length > 0 ? Math.min(...waits) : undefined,
  };
}

/** A new replica: the template's labels, annotations and spec, controlled by the ReplicaSet. */
export function podFromTemplate(rs: ReplicaSet, name: string): Pod {
  const t = rs.spec.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: rs.metadata.namespace ?? 'default',
      ...(t.metadata.labels ? { labels: { ...t.metadata.labels } } : {}),
      ...(t.metadata.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(rs)],
    },
    spec: structuredClone(t.spec),
  };
}

export function sameStatus(a: ReplicaSet['status'], b: ReplicaSetStatus): boolean {
  return (
    (a?.replicas ?? 0) === b.replicas &&
    (a?.fullyLabeledReplicas ?? 0) === b.fullyLabeledReplicas &&
    (a?.readyReplicas ?? 0) === b.readyReplicas &&
    (a?.availableReplicas ?? 0) === b.availableReplicas &&
    a?.observedGeneration === b.observedGeneration
  );
}
