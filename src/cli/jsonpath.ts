// Evaluating kubectl's JSONPath templates (parsed in jsonpath-parse.ts) the way `kubectl get
// -o jsonpath=…` prints them (client-go util/jsonpath JSONPath.PrintResults): the results of one
// action are joined by single spaces, strings print raw, maps and lists as compact JSON, and a
// missing key prints nothing (kubectl's --allow-missing-template-keys defaults to true).
import { type Node, parseJsonPath, type Path, type Step } from './jsonpath-parse.js';

export { JsonPathError } from './jsonpath-parse.js';

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.values(v);
  return [];
}

function descendants(v: unknown, out: unknown[] = []): unknown[] {
  out.push(v);
  for (const c of children(v)) descendants(c, out);
  return out;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default: {
      if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
      const [x, y] = [a as number | string, b as number | string];
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
  }
}

function applyStep(values: unknown[], step: Step, root: unknown): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (step.kind) {
      case 'field':
        if (isMap(v) && Object.hasOwn(v, step.name)) out.push(v[step.name]);
        break;
      case 'wildcard':
        out.push(...children(v));
        break;
      case 'recursive':
        for (const d of descendants(v)) {
          if (step.name === undefined) out.push(...children(d));
          else if (isMap(d) && Object.hasOwn(d, step.name)) out.push(d[step.name]);
        }
        break;
      case 'index': {
        if (!Array.isArray(v)) break;
        const i = step.index < 0 ? v.length + step.index : step.index;
        if (i >= 0 && i < v.length) out.push(v[i]);
        break;
      }
      case 'slice': {
        if (!Array.isArray(v)) break;
        const norm = (n: number | undefined, dflt: number) =>
          n === undefined ? dflt : Math.min(Math.max(n < 0 ? v.length + n : n, 0), v.length);
        for (let i = norm(step.start, 0); i < norm(step.end, v.length); i += step.step) out.push(v[i]);
        break;
      }
      case 'filter':
        for (const item of children(v)) {
          const found = evalPath(step.path, item, root);
          if (step.op === undefined ? found.length > 0 : found.some((f) => compare(f, step.op!, step.value)))
            out.push(item);
        }
        break;
    }
  }
  return out;
}

function evalPath(path: Path, current: unknown, root: unknown): unknown[] {
  let values = [path.fromRoot ? root : current];
  for (const step of path.steps) values = applyStep(values, step, root);
  return values;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function render(nodes: Node[], current: unknown, root: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'paths')
      out += n.paths
        .flatMap((p) => evalPath(p, current, root))
        .map(text)
        .join(' ');
    else
      for (const item of evalPath(n.path, current, root).flatMap(rangeItems))
        out += render(n.body, item, root);
  }
  return out;
}

/** `{range .items[*]}` walks the list's items; `{range .items}` does too, as in kubectl. */
function rangeItems(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** A compiled template: parse once (errors name the template), print any number of objects. */
export function compileJsonPath(template: string): (value: unknown) => string {
  const nodes = parseJsonPath(template);
  return (value) => render(nodes, value, value);
}
