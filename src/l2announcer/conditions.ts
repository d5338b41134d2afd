// Policy status conditions (Cilium's pkg/l2announcer/l2announcer.go, upsertPolicy): True/"error"/message on a failed
// check, False/"" once it passes again, and no write at all for a check that passes with no
// condition recorded. Unlike Cilium we also skip writes that would change nothing, because the
// agent watches policies and an identical write would only wake every agent up again.
//
// This is Cilium's updatePolicyStatus (pkg/l2announcer/l2announcer.go), not SetStatusCondition
// (src/lib/conditions.ts), on purpose: Cilium stamps lastTransitionTime on every write, so a
// changed error message with the status still True moves it too, and reason is "error" even on
// a False condition. waggle writes what Cilium writes; only the lookup is shared.
import { findCondition, rfc3339Seconds } from '../lib/conditions.js';
import type { PolicyConditionType } from './selection.js';
import type { ConditionLike } from './types.js';

export function nextConditions(
  existing: ConditionLike[] | undefined,
  checks: Map<PolicyConditionType, string | null>,
  generation: number | undefined,
  now: Date,
): ConditionLike[] | undefined {
  const out = [...(existing ?? [])];
  let changed = false;
  for (const [type, error] of checks) {
    const prev = findCondition(out, type);
    if (!prev && error === null) continue;
    const status = error === null ? 'False' : 'True';
    const message = error ?? '';
    if (prev && prev.status === status && (prev.message ?? '') === message) continue;
    const cond: ConditionLike = {
      type,
      status,
      reason: 'error',
      message,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime: rfc3339Seconds(now),
    };
    // Replaced where it was, so the order of conditions stays as written.
    if (prev) out[out.indexOf(prev)] = cond;
    else out.push(cond);
    changed = true;
  }
  return changed ? out : undefined;
}
