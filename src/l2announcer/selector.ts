// Label selectors compiled once, the way Kubernetes' LabelSelectorAsSelector does: an invalid
// selector is an error (which becomes a policy condition), a valid one a matcher. A null or
// undefined selector matches everything, as in Cilium's policies.
import type { LabelSelectorLike } from './types.js';

export type LabelMatcher = (labels: Record<string, string>) => boolean;

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `key "${key}": prefix must be a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !NAME.test(name))
    return `key "${key}": name part must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric`;
  return undefined;
}

function valueProblem(key: string, value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) return `key "${key}": invalid label value "${value}"`;
  return undefined;
}

/** Compiles a selector; throws an Error whose message says which requirement is wrong. */
export function compileSelector(sel: LabelSelectorLike | null | undefined): LabelMatcher {
  if (!sel) return () => true;
  const checks: LabelMatcher[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    const problem = keyProblem(key) ?? valueProblem(key, value);
    if (problem) throw new Error(`matchLabels: ${problem}`);
    checks.push((l) => l[key] === value);
  }
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const where = `matchExpressions[${i}]`;
    const kp = keyProblem(req.key);
    if (kp) throw new Error(`${where}: ${kp}`);
    const values = req.values ?? [];
    for (const v of values) {
      const vp = valueProblem(req.key, v);
      if (vp) throw new Error(`${where}: ${vp}`);
    }
    switch (req.operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0)
          throw new Error(`${where}: values: for 'In', 'NotIn' operators, values set can't be empty`);
        const set = new Set(values);
        const inSet = (l: Record<string, string>) => req.key in l && set.has(l[req.key] as string);
        checks.push(req.operator === 'In' ? inSet : (l) => !inSet(l));
        break;
      }
      case 'Exists':
      case 'DoesNotExist': {
        if (values.length > 0)
          throw new Error(`${where}: values: values set must be empty for 'Exists', 'DoesNotExist'`);
        checks.push(req.operator === 'Exists' ? (l) => req.key in l : (l) => !(req.key in l));
        break;
      }
      default:
        throw new Error(`${where}: "${req.operator}" is not a valid label selector operator`);
    }
  });
  return (labels) => checks.every((c) => c(labels));
}
