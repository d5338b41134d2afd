// Where objects live in etcd: one key per object,
//   <prefix><group or "core">/<plural>/<namespace or "_cluster">/<name>
// e.g. /waggle/core/services/default/nginx, /waggle/cilium.io/ciliumloadbalancerippools/_cluster/lb-pool.
// The value is the object's JSON without metadata.resourceVersion: that is the key's mod revision.
import type { AnyObject, Kind } from '../api/index.js';
import { kinds } from '../api/index.js';
import { namespaceFor } from './prepare.js';

export const defaultPrefix = '/waggle/';

export function kindPrefix(prefix: string, kind: Kind, namespace?: string): string {
  const info = kinds[kind];
  const base = `${prefix}${info.group || 'core'}/${info.plural}/`;
  if (!info.namespaced) return `${base}_cluster/`;
  return namespace === undefined ? base : `${base}${namespace}/`;
}

export function objectKey(prefix: string, kind: Kind, name: string, namespace?: string): string {
  return `${kindPrefix(prefix, kind, namespaceFor(kind, namespace))}${name}`;
}

export function keyOfObject(prefix: string, object: AnyObject): string {
  return objectKey(prefix, object.kind, object.metadata.name, object.metadata.namespace);
}

export interface RawKv {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
  create_revision: string;
}

/** Decodes a stored value; resourceVersion comes from the key's mod revision. */
export function decodeKv<T extends AnyObject>(kv: RawKv): T {
  let object: T;
  try {
    object = JSON.parse(kv.value.toString('utf8')) as T;
  } catch {
    throw new Error(`etcd key ${kv.key.toString('utf8')}: value is not JSON`);
  }
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(kv.mod_revision) } } as T;
}

export function encodeObject(object: AnyObject): string {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}
