// The write rules both backends share, so that memory and etcd agree on identity, defaults,
// generation and the status subresource. Each function returns the object to store without a
// resourceVersion (the backend assigns it) or throws a typed error; none touches storage.
import { randomUUID } from 'node:crypto';
import {
  type AnyObject,
  type Kind,
  joinFieldError,
  kinds,
  rfc3339Seconds,
  specOf,
  validateObject,
} from '../api/index.js';
import { InvalidObjectError } from './errors.js';

/** kubectl's plural resource name used in messages: `services`, `leases.coordination.k8s.io`. */
export function resourceOf(kind: Kind): string {
  const info = kinds[kind];
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}

export function namespaceFor(kind: Kind, namespace: string | undefined): string | undefined {
  return kinds[kind].namespaced ? (namespace ?? 'default') : undefined;
}

/** JSON with sorted keys: equal objects give equal strings whatever order their keys were in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function validated<T extends AnyObject>(object: T): T {
  const result = validateObject(structuredClone(object));
  if (!result.ok) {
    const who = `${result.kind ?? 'object'}/${result.name ?? '?'}`;
    throw new InvalidObjectError(`${who}: ${result.errors.map(joinFieldError).join('; ')}`);
  }
  return result.object as T;
}

function withoutVersion<T extends AnyObject>(object: T): T {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return { ...object, metadata } as T;
}

export function prepareCreate<T extends AnyObject>(object: T, now = new Date()): T {
  if (object.metadata?.resourceVersion) {
    throw new InvalidObjectError(
      `${object.kind}/${object.metadata.name}: metadata.resourceVersion must not be set on create`,
    );
  }
  const valid = validated(object);
  valid.metadata.uid = randomUUID();
  valid.metadata.generation = 1;
  valid.metadata.creationTimestamp = rfc3339Seconds(now);
  return withoutVersion(valid);
}

/** A full update: identity from the stored object, status kept where it is a subresource. */
export function prepareUpdate<T extends AnyObject>(stored: T, incoming: T): T {
  const valid = validated(incoming) as AnyObject;
  const old = stored as AnyObject;
  const next = { ...valid, metadata: { ...valid.metadata } } as AnyObject;
  next.metadata.uid = old.metadata.uid;
  next.metadata.creationTimestamp = old.metadata.creationTimestamp;
  // Once marked for deletion an object stays marked (the API server never clears it).
  if (old.metadata.deletionTimestamp) {
    next.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
    if (old.metadata.deletionGracePeriodSeconds !== undefined)
      next.metadata.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  }
  const oldGeneration = old.metadata.generation ?? 1;
  const specChanged = canonicalJson(specOf(old)) !== canonicalJson(specOf(valid));
  next.metadata.generation = specChanged ? oldGeneration + 1 : oldGeneration;
  if (kinds[old.kind].hasStatus) {
    const status = (old as { status?: unknown }).status;
    if (status === undefined) delete (next as { status?: unknown }).status;
    else (next as { status?: unknown }).status = status;
  }
  return withoutVersion(next as T);
}

/** A status update: everything but status comes from the stored object. */
export function prepareStatus<T extends AnyObject>(stored: T, incoming: T): T {
  if (!kinds[stored.kind].hasStatus) {
    throw new InvalidObjectError(`${stored.kind}/${stored.metadata.name}: ${stored.kind} has no status`);
  }
  const status = (incoming as { status?: unknown }).status;
  const merged = { ...stored, ...(status === undefined ? {} : { status }) } as T;
  if (status === undefined) delete (merged as { status?: unknown }).status;
  validated(merged);
  return withoutVersion(merged);
}

export function withVersion<T extends AnyObject>(object: T, revision: string | number): T {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } } as T;
}
