// Policy status conditions (Cilium's pkg/l2announcer/l2announcer.go, upsertPolicy): True/"error"/message on a failed
// check, False/"" once it passes again, and no write at all for a check that passes with no
// condition recorded. Unlike Cilium we also skip writes that would change nothing, because the
// agent watches policies and an identical write would only wake every agent up again.
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
    const idx = out.findIndex((c) => c.type === type);
    const prev = idx >= 0 ? out[idx] : undefined;
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
      lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    if (idx >= 0) out[idx] = cond;
    else out.push(cond);
    changed = true;
  }
  return changed ? out : undefined;
}
