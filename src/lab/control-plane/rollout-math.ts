// The rolling update's arithmetic, as pkg/controller/deployment/util/deployment_util.go and
// rolling.go compute it. All pure: the numbers for one step, given the ReplicaSets as they are.
//
//   maxSurge        how many pods above spec.replicas may exist (percentages round up)
//   maxUnavailable  how many below spec.replicas may be unavailable (percentages round down)
// Both zero after rounding would stall a rollout, so unavailability becomes 1 (ResolveFenceposts).

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.slice(0, -1));
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function resolveFenceposts(
  maxSurge: number | string,
  maxUnavailable: number | string,
  replicas: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  const unavailable = scaledValue(maxUnavailable, replicas, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

/** The part of a ReplicaSet the arithmetic reads: spec.replicas and status.availableReplicas. */
export interface RsCounts {
  replicas: number;
  available: number;
}

const sum = (list: RsCounts[], f: (r: RsCounts) => number) => list.reduce((n, r) => n + f(r), 0);

/** NewRSNewReplicas for RollingUpdate: scale the new ReplicaSet up as far as the surge allows. */
export function newReplicaSetReplicas(
  desired: number,
  surge: number,
  all: RsCounts[],
  next: RsCounts,
): number {
  if (next.replicas >= desired) return desired; // scaled down to desired, never above it
  const current = sum(all, (r) => r.replicas);
  const maxTotal = desired + surge;
  if (current >= maxTotal) return next.replicas;
  return next.replicas + Math.min(maxTotal - current, desired - next.replicas);
}

/**
 * reconcileOldReplicaSets: how far each old ReplicaSet (oldest first) may be scaled down now.
 * First the unhealthy part of each (replicas not available), which costs no availability, then
 * available ones down to desired - maxUnavailable. Returns the new replica count of each.
 */
export function scaleDownOld(
  desired: number,
  unavailable: number,
  old: RsCounts[],
  next: RsCounts | undefined,
): number[] {
  const result = old.map((r) => r.replicas);
  if (sum(old, (r) => r.replicas) === 0) return result;
  const all = next ? [...old, next] : old;
  const minAvailable = desired - unavailable;
  const newUnavailable = next ? Math.max(0, next.replicas - next.available) : 0;
  let budget = sum(all, (r) => r.replicas) - minAvailable - newUnavailable;
  if (budget <= 0) return result;
  // cleanupUnhealthyReplicas
  for (const [i, r] of old.entries()) {
    if (budget <= 0) break;
    const unhealthy = Math.max(0, (result[i] as number) - r.available);
    const cut = Math.min(unhealthy, budget);
    result[i] = (result[i] as number) - cut;
    budget -= cut;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: counted again after the cleanup above.
  const available = sum(all, (r) => r.available);
  let toCut = available - minAvailable;
  for (const i of old.keys()) {
    if (toCut <= 0) break;
    const cut = Math.min(result[i] as number, toCut);
    result[i] = (result[i] as number) - cut;
    toCut -= cut;
  }
  return result;
}
