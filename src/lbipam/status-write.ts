// Turning desired LB-IPAM status into stored status: merge with what is there through
// setStatusCondition (lastTransitionTime kept while a condition's status does not change) and
// say whether anything changed at all (the controller writes only then).
import type { CiliumLoadBalancerIPPool, Condition, Service } from '../api/index.js';
import { findCondition, removeCondition, setStatusCondition } from '../lib/conditions.js';
import { type DesiredServiceStatus, type PoolCondition, SATISFIED_CONDITION } from './types.js';

/** The service status to write, or undefined when the stored one already matches. */
export function nextServiceStatus(
  svc: Service,
  want: DesiredServiceStatus,
  now = new Date(),
): Service['status'] | undefined {
  const status = svc.status ?? {};
  const ingressNow = (status.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
  const sameIngress =
    ingressNow.length === want.ingress.length && ingressNow.every((ip, i) => ip === want.ingress[i]);
  const others = (status.conditions ?? []).filter((c) => c.type !== SATISFIED_CONDITION);
  // The satisfied condition is merged on its own and written last, after any other condition,
  // as waggle has always written it.
  const old = findCondition(status.conditions, SATISFIED_CONDITION);
  const satisfied: Condition[] = old ? [old] : [];
  const conditionChanged = want.condition
    ? setStatusCondition(satisfied, { type: SATISFIED_CONDITION, ...want.condition }, now)
    : removeCondition(satisfied, SATISFIED_CONDITION);
  if (sameIngress && !conditionChanged) return undefined;
  const conditions = [...others, ...satisfied];
  const next: NonNullable<Service['status']> = { ...status };
  next.loadBalancer = want.ingress.length > 0 ? { ingress: want.ingress.map((ip) => ({ ip })) } : {};
  if (conditions.length > 0) next.conditions = conditions;
  else delete next.conditions;
  return next;
}

/** The pool status to write, or undefined when the stored conditions already match. */
export function nextPoolStatus(
  pool: CiliumLoadBalancerIPPool,
  want: PoolCondition[],
  now = new Date(),
): CiliumLoadBalancerIPPool['status'] | undefined {
  const merged = [...(pool.status?.conditions ?? [])];
  const observedGeneration = pool.metadata.generation ?? 0;
  let changed = false;
  for (const w of want) {
    if (setStatusCondition(merged, { ...w, observedGeneration }, now)) changed = true;
  }
  return changed ? { ...(pool.status ?? {}), conditions: merged } : undefined;
}
