// Label selectors compiled once, the way Kubernetes' LabelSelectorAsSelector does. The semantics
// live in src/api; here an invalid selector becomes a thrown Error, which selection turns into a
// policy condition (io.cilium/bad-node-selector, bad-service-selector).
import { compileLabelSelector, type LabelMatcher, type LabelSelector, SelectorError } from '../api/index.js';
import type { LabelSelectorLike } from './types.js';

export type { LabelMatcher };

/** Compiles a selector; throws an Error whose message says which requirement is wrong. */
export function compileSelector(sel: LabelSelectorLike | null | undefined): LabelMatcher {
  const matcher = compileLabelSelector(sel as LabelSelector | null | undefined);
  if (matcher instanceof SelectorError) throw new Error(matcher.message);
  return matcher;
}
