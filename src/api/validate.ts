// Validating one decoded document into a typed object: apiVersion and kind first (so the message
// says what is wrong with them), then the kind's strict schema with its defaults, then scope
// (namespaced kinds get "default"; cluster-scoped kinds must not carry a namespace).
import { type FieldError, fieldErrors } from './issues.js';
import { isKind, type Kind, kindNames, kinds } from './kinds.js';
import type { AnyObject } from './objects.js';

export type Validated =
  | { ok: true; object: AnyObject }
  | { ok: false; kind?: string; name?: string; errors: FieldError[] };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validateObject(doc: unknown): Validated {
  if (!isRecord(doc)) return { ok: false, errors: [{ path: '', message: 'document is not a mapping' }] };
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const who = { ...(typeof doc.kind === 'string' ? { kind: doc.kind } : {}), ...(name ? { name } : {}) };
  const fail = (path: string, message: string): Validated => ({
    ok: false,
    ...who,
    errors: [{ path, message }],
  });

  if (doc.kind === undefined) return fail('kind', 'required');
  if (typeof doc.kind !== 'string' || !isKind(doc.kind)) {
    return fail('kind', `${JSON.stringify(doc.kind)} is not a known kind (${kindNames.join(', ')})`);
  }
  const info = kinds[doc.kind as Kind];
  if (doc.apiVersion === undefined) return fail('apiVersion', 'required');
  if (typeof doc.apiVersion !== 'string' || !info.apiVersions.includes(doc.apiVersion as never)) {
    const served = info.apiVersions.join(' or ');
    return fail(
      'apiVersion',
      `${JSON.stringify(doc.apiVersion)} is not served for ${info.kind} (use ${served})`,
    );
  }
  const parsed = info.schema.safeParse(doc, { reportInput: true });
  if (!parsed.success) return { ok: false, ...who, errors: parsed.error.issues.flatMap(fieldErrors) };
  const object = parsed.data as AnyObject;
  if (info.namespaced) {
    object.metadata.namespace ??= 'default';
  } else if (object.metadata.namespace !== undefined) {
    return fail('metadata.namespace', `${info.kind} is cluster-scoped and has no namespace`);
  }
  return { ok: true, object };
}
