// `get -o FORMAT`: which formats are accepted and how the structured ones print. A named object
// prints itself, anything else a `List`, as kubectl does: `-o jsonpath='{.status.podIP}'` on
// `get pod netpod`, `'{.items[*].metadata.name}'` on `get pods`. `-o name` prints `pod/netpod`.
import { stringify } from 'yaml';
import { type AnyObject, resourceName } from '../api/index.js';
import { redactSecret } from './format-ingress-columns.js';
import { compileJsonPath } from './jsonpath.js';

export type Output =
  | { kind: 'table'; wide: boolean }
  | { kind: 'json' | 'yaml' | 'name' }
  | { kind: 'jsonpath'; print: (value: unknown) => string };

const formats = 'wide, yaml, json, name, jsonpath=TEMPLATE';

/** Parses -o; a bad format or template throws naming it. */
export function parseOutput(typed: string | undefined): Output {
  if (typed === undefined || typed === 'wide') return { kind: 'table', wide: typed === 'wide' };
  if (typed === 'json' || typed === 'yaml' || typed === 'name') return { kind: typed };
  const m = /^jsonpath=(.*)$/s.exec(typed);
  if (m) {
    if (m[1] === '') throw new Error('get: -o jsonpath= needs a template, e.g. jsonpath={.status.podIP}');
    return { kind: 'jsonpath', print: compileJsonPath(m[1] as string) };
  }
  throw new Error(`get: --output "${typed}" is not one of ${formats}`);
}

/** The text to print for a structured format, or undefined for tables. */
export function renderStructured(output: Output, all: AnyObject[], named: boolean): string | undefined {
  if (output.kind === 'table') return undefined;
  // Secret values never reach the terminal (nor a log that captures it).
  const items = all.map(redactSecret);
  if (output.kind === 'name')
    return items.map((o) => `${resourceName(o.kind)}/${o.metadata.name}\n`).join('');
  const value = named
    ? items[0]
    : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
  if (output.kind === 'json') return `${JSON.stringify(value, null, 4)}\n`;
  if (output.kind === 'yaml') return stringify(value);
  return output.kind === 'jsonpath' ? output.print(value) : undefined;
}
