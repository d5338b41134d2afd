// kubectl's `-l` syntax parsed into a LabelSelector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
// `a notin (x)`, `a` (exists) and `!a` (does not exist), joined by commas.
import type { LabelSelector } from './meta.js';
import { SelectorError, selectorError } from './selector.js';

type Requirement = NonNullable<LabelSelector['matchExpressions']>[number];

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim());
}

function parseTerm(term: string): Requirement | SelectorError {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = (set[3] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return { key: set[1] ?? '', operator: set[2] === 'in' ? 'In' : 'NotIn', values };
  }
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (eq) return { key: eq[1] ?? '', operator: eq[2] === '!=' ? 'NotIn' : 'In', values: [eq[3] ?? ''] };
  const notExists = /^!\s*(\S+)$/.exec(term);
  if (notExists) return { key: notExists[1] ?? '', operator: 'DoesNotExist' };
  if (/^[^\s=!(),]+$/.test(term)) return { key: term, operator: 'Exists' };
  return new SelectorError(`cannot parse "${term}"`);
}

/** Parses a `-l` selector; returns a SelectorError naming the bad term. */
export function parseLabelSelector(text: string): LabelSelector | SelectorError {
  const matchExpressions: Requirement[] = [];
  if (text.trim() === '') return {};
  for (const term of splitTerms(text)) {
    const req = parseTerm(term);
    if (req instanceof SelectorError) return new SelectorError(`selector "${text}": ${req.message}`);
    matchExpressions.push(req);
  }
  const selector = { matchExpressions };
  const problem = selectorError(selector);
  return problem ? new SelectorError(`selector "${text}": ${problem.message}`) : selector;
}
