// Turning desired LB-IPAM status into stored status: merge with what is there, keep
// lastTransitionTime when a condition's status did not change, and say whether anything changed
// at all (the controller writes only then).
import { type CiliumLoadBalancerIPPool, type Condition, rfc3339Seconds, type Service } from '../api/index.js';
import { type DesiredServiceStatus, type PoolCondition, SATISFIED_CONDITION } from './types.js';

function mergeCondition(
  old: Condition | undefined,
  want: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Condition {
  const lastTransitionTime =
    old && old.status === want.status && old.lastTransitionTime
      ? old.lastTransitionTime
      : rfc3339Seconds(now);
  return { ...want, lastTransitionTime };
}

const sameCondition = (a: Condition | undefined, b: Omit<Condition, 'lastTransitionTime'> | undefined) =>
  a?.status === b?.status &&
  a?.reason === b?.reason &&
  a?.message === b?.message &&
  (a?.observedGeneration ?? 0) === (b?.observedGeneration ?? 0);

/** The service status to write, or undefined when the stored one already matches. */
export function nextServiceStatus(
  svc: Service,
  want: DesiredServiceStatus,
  now = new Date(),
): Service['status'] | undefined {
  const status = svc.status ?? {};
  const ingressNow = (status.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
  const old = status.conditions?.find((c) => c.type === SATISFIED_CONDITION);
  const wantCond = want.condition ? { type: SATISFIED_CONDITION, ...want.condition } : undefined;
  const sameIngress =
    ingressNow.length === want.ingress.length && ingressNow.every((ip, i) => ip === want.ingress[i]);
  if (sameIngress && sameCondition(old, wantCond)) return undefined;
  const others = (status.conditions ?? []).filter((c) => c.type !== SATISFIED_CONDITION);
  const conditions = wantCond ? [...others, mergeCondition(old, wantCond, now)] : others;
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
  const current = pool.status?.conditions ?? [];
  const generation = pool.metadata.generation ?? 0;
  let changed = false;
  const merged = [...current];
  for (const w of want) {
    const full = { ...w, observedGeneration: generation };
    const i = merged.findIndex((c) => c.type === w.type);
    const old = i >= 0 ? merged[i] : undefined;
    if (sameCondition(old, full)) continue;
    changed = true;
    const cond = mergeCondition(old, full, now);
    if (i >= 0) merged[i] = cond;
    else merged.push(cond);
  }
  return changed ? { ...(pool.status ?? {}), conditions: merged } : undefined;
}
