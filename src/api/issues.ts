// Turns zod issues into the one-line `path: message` form users see, e.g.
// `spec.nodeSelector.matchExpressions[0].operator: "Exists2" is not one of In, NotIn, Exists, DoesNotExist`.
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** One issue may stand for several fields (unknown keys); each becomes its own FieldError. */
export function fieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown field' }));
    case 'invalid_value':
      return [
        {
          path,
          message: `${show(issue.input)} is not one of ${issue.values.map((v) => String(v)).join(', ')}`,
        },
      ];
    case 'invalid_type':
      return [
        {
          path,
          message:
            issue.input === undefined ? 'required' : `expected ${issue.expected}, got ${show(issue.input)}`,
        },
      ];
    case 'invalid_union':
      return [{ path, message: `${show(issue.input)} is not valid here` }];
    default:
      return [{ path, message: issue.message }];
  }
}

export function joinFieldError(e: FieldError): string {
  return e.path ? `${e.path}: ${e.message}` : e.message;
}
