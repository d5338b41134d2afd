// Typed object keys. Objects are known by (namespace, name) — Kubernetes' types.NamespacedName —
// and a cluster-scoped object by its name alone. `keyString` gives the one string form, for use
// as a Map key or in a log line; code never parses it back: a KeyedMap keeps the typed key
// beside each value, so iteration yields keys, not strings to split.

export interface NamespacedName {
  /** "" for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
}

export function namespacedName(namespace: string, name: string): NamespacedName {
  return { namespace, name };
}

/** The key of a stored object; a namespaced object without a namespace is in "default". */
export function keyOfObject(o: {
  metadata: { namespace?: string | undefined; name: string };
}): NamespacedName {
  return { namespace: o.metadata.namespace ?? '', name: o.metadata.name };
}

/** "<namespace>/<name>", or "<name>" for a cluster-scoped object. */
export function keyString(k: NamespacedName): string {
  return k.namespace ? `${k.namespace}/${k.name}` : k.name;
}

/** A Map by object key that hands back typed keys when iterated. */
export class KeyedMap<V> {
  readonly #m = new Map<string, { key: NamespacedName; value: V }>();

  get size(): number {
    return this.#m.size;
  }

  get(k: NamespacedName): V | undefined {
    return this.#m.get(keyString(k))?.value;
  }

  has(k: NamespacedName): boolean {
    return this.#m.has(keyString(k));
  }

  set(k: NamespacedName, value: V): this {
    this.#m.set(keyString(k), { key: k, value });
    return this;
  }

  delete(k: NamespacedName): boolean {
    return this.#m.delete(keyString(k));
  }

  clear(): void {
    this.#m.clear();
  }

  *keys(): IterableIterator<NamespacedName> {
    for (const e of this.#m.values()) yield e.key;
  }

  *values(): IterableIterator<V> {
    for (const e of this.#m.values()) yield e.value;
  }

  *entries(): IterableIterator<[NamespacedName, V]> {
    for (const e of this.#m.values()) yield [e.key, e.value];
  }

  [Symbol.iterator](): IterableIterator<[NamespacedName, V]> {
    return this.entries();
  }
}
