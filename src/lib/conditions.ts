// Status conditions with the semantics of Kubernetes' meta.SetStatusCondition
// (k8s.io/apimachinery/pkg/api/meta/conditions.go): one condition per type; lastTransitionTime
// moves only when status changes; reason, message and observedGeneration are updated in place;
// the setter says whether anything changed, so a controller can skip a write that changes
// nothing. Timestamps are RFC 3339 with whole seconds (`2026-12-01T22:30:00Z`), as
// metav1.Time serialises.

/** The fields a condition has; Kubernetes' metav1.Condition and waggle's schemas fit it. */
export interface StatusCondition {
  type: string;
  status: string;
  reason?: string | undefined;
  message?: string | undefined;
  observedGeneration?: number | undefined;
  lastTransitionTime?: string | undefined;
}

/** An RFC 3339 timestamp with whole seconds, as Kubernetes writes creationTimestamp. */
export function rfc3339Seconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function findCondition<C extends StatusCondition>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isStatusConditionTrue(
  conditions: readonly StatusCondition[] | undefined,
  type: string,
): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Removes the condition of this type; returns whether there was one. */
export function removeCondition(conditions: StatusCondition[], type: string): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  if (i < 0) return false;
  conditions.splice(i, 1);
  return true;
}

/** A condition to set: lastTransitionTime is optional (the setter fills it in). */
export type ConditionInput<C extends StatusCondition> = Omit<C, 'lastTransitionTime'> & {
  lastTransitionTime?: string | undefined;
};

/**
 * Sets `next` in `conditions` (by type) and returns whether anything changed. The array is
 * changed; its elements are replaced, never mutated, so a caller may pass a shallow copy of a
 * stored list without touching the stored objects. A given lastTransitionTime is used when the
 * status changes (or the condition is new); otherwise `now`.
 *
 * One difference from SetStatusCondition: a changed condition whose stored lastTransitionTime
 * is missing gets `now` rather than staying empty, since the schema requires the field.
 */
export function setStatusCondition<C extends StatusCondition>(
  conditions: C[],
  next: ConditionInput<C>,
  now: Date,
): boolean {
  const i = conditions.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? conditions[i] : undefined;
  const time = next.lastTransitionTime || rfc3339Seconds(now);
  if (!old) {
    conditions.push({ ...next, lastTransitionTime: time } as C);
    return true;
  }
  if (old.status !== next.status) {
    conditions[i] = { ...next, lastTransitionTime: time } as C;
    return true;
  }
  // A missing reason/message equals "" and a missing observedGeneration equals 0, as in Go,
  // where those are the zero values of the fields.
  const same =
    (old.reason ?? '') === (next.reason ?? '') &&
    (old.message ?? '') === (next.message ?? '') &&
    (old.observedGeneration ?? 0) === (next.observedGeneration ?? 0);
  if (same) return false;
  conditions[i] = { ...next, lastTransitionTime: old.lastTransitionTime || time } as C;
  return true;
}
