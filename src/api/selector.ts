// Label selector matching with Kubernetes semantics (matchLabels AND matchExpressions; NotIn
// and DoesNotExist match an absent key). An invalid selector is returned as a SelectorError
// value, not thrown, so callers can turn it into a condition (io.cilium/bad-node-selector).
import type { LabelSelector } from './meta.js';

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid, or undefined when it is valid (`[prefix/]name`). */
export function labelKeyError(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomain.test(prefix))) {
    return `label key "${key}": prefix must be a DNS subdomain`;
  }
  if (name.length > 63 || !labelName.test(name)) {
    return `label key "${key}": name must be 1-63 characters [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}

export function labelValueError(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && labelName.test(value))) return undefined;
  return `label value "${value}" must be at most 63 characters [A-Za-z0-9-_.], starting and ending alphanumeric`;
}

/** The first problem with a selector, or undefined when it is valid. */
export function selectorError(selector: LabelSelector): SelectorError | undefined {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const problem = labelKeyError(key) ?? labelValueError(value);
    if (problem) return new SelectorError(`matchLabels: ${problem}`);
  }
  for (const [i, req] of (selector.matchExpressions ?? []).entries()) {
    const where = `matchExpressions[${i}]`;
    const keyProblem = labelKeyError(req.key);
    if (keyProblem) return new SelectorError(`${where}: ${keyProblem}`);
    const values = req.values ?? [];
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
      return new SelectorError(`${where}: operator ${req.operator} needs at least one value`);
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
      return new SelectorError(`${where}: operator ${req.operator} takes no values`);
    }
    const valueProblem = values.map(labelValueError).find((p) => p !== undefined);
    if (valueProblem) return new SelectorError(`${where}: ${valueProblem}`);
  }
  return undefined;
}

/**
 * Whether `labels` satisfy `selector`. An undefined or empty selector matches everything, which
 * is what Cilium's pools and policies mean by an omitted selector.
 */
export function labelSelectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean | SelectorError {
  if (!selector) return true;
  const problem = selectorError(selector);
  if (problem) return problem;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(have, key) || have[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, req.key);
    const value = have[req.key];
    const values = req.values ?? [];
    const ok =
      req.operator === 'Exists'
        ? present
        : req.operator === 'DoesNotExist'
          ? !present
          : req.operator === 'In'
            ? present && values.includes(value as string)
            : !present || !values.includes(value as string);
    if (!ok) return false;
  }
  return true;
}
