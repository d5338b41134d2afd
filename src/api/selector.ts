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
    // Messages as Kubernetes' LabelSelectorAsSelector words them.
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(req.operator)) {
      return new SelectorError(`${where}: "${req.operator}" is not a valid label selector operator`);
    }
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
      return new SelectorError(`${where}: values: for 'In', 'NotIn' operators, values set can't be empty`);
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
      return new SelectorError(`${where}: values: values set must be empty for 'Exists', 'DoesNotExist'`);
    }
    const valueProblem = values.map(labelValueError).find((p) => p !== undefined);
    if (valueProblem) return new SelectorError(`${where}: ${valueProblem}`);
  }
  return undefined;
}

export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

/**
 * Validates a selector once and returns a matcher, or the SelectorError. Controllers compile on
 * object change and match on every event, so validation stays off the hot path. An undefined
 * selector matches everything, which is what Cilium's pools and policies mean by an omitted one.
 */
export function compileLabelSelector(
  selector: LabelSelector | null | undefined,
): LabelMatcher | SelectorError {
  if (!selector) return () => true;
  const problem = selectorError(selector);
  if (problem) return problem;
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const requirements = (selector.matchExpressions ?? []).map((req) => ({
    ...req,
    values: new Set(req.values ?? []),
  }));
  return (labels) => {
    for (const [key, value] of matchLabels) {
      if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
    }
    for (const req of requirements) {
      const present = Object.hasOwn(labels, req.key);
      const inValues = present && req.values.has(labels[req.key] as string);
      const ok =
        req.operator === 'Exists'
          ? present
          : req.operator === 'DoesNotExist'
            ? !present
            : req.operator === 'In'
              ? inValues
              : !inValues; // NotIn: an absent key matches, as in Kubernetes
      if (!ok) return false;
    }
    return true;
  };
}

/** Whether `labels` satisfy `selector` (one-off form of compileLabelSelector). */
export function labelSelectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean | SelectorError {
  const matcher = compileLabelSelector(selector);
  return matcher instanceof SelectorError ? matcher : matcher(labels ?? {});
}
