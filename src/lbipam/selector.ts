// Pool serviceSelector matching. Kubernetes semantics come from src/api; an invalid selector
// (which the schema lets through, as Cilium's CRD does) selects nothing rather than everything.
import { type LabelSelector, labelSelectorMatches } from '../api/index.js';

export function selects(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  return labelSelectorMatches(sel, labels) === true;
}
