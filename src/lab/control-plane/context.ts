// What every controller of the lab's control plane is given: the store, the process's shared
// informers (one per kind, client-go's SharedInformerFactory), a clock and a log.
import type { Kind, ObjectOf } from '../../api/index.js';
import { keyOfObject, type NamespacedName } from '../../api/object-key.js';
import type { Informer, Informers } from '../../store/informer.js';
import type { Store } from '../../store/types.js';

export interface ControllerContext {
  store: Store;
  informers: Informers;
  log: (line: string) => void;
  /** Full resync period of every work queue. */
  resyncMs: number;
  now: () => number;
}

/** After a lost compare-and-swap: the stored copy into the cache, so the retry starts from it. */
export async function refresh<K extends Kind>(
  store: Store,
  informer: Informer<K>,
  key: NamespacedName,
): Promise<void> {
  const fresh = await store.tryGet(informer.kind, key.name, key.namespace || undefined);
  if (fresh) informer.noteWrite(fresh as ObjectOf<K>);
}

/**
 * Objects this process deleted that the watch may not have reported yet: a controller skips them
 * so a stale cache does not make it count a deleted pod or delete a slice twice (the role of
 * client-go's expectations). An entry goes when the informer reports the deletion.
 */
export class Tombstones<K extends Kind> {
  readonly #uids = new Set<string>();

  constructor(informer: Informer<K>) {
    informer.subscribe((ev) => {
      if (ev.type === 'delete' && ev.object.metadata.uid) this.#uids.delete(ev.object.metadata.uid);
    });
  }

  add(o: { metadata: { uid?: string | undefined } }): void {
    if (o.metadata.uid) this.#uids.add(o.metadata.uid);
  }

  live<T extends { metadata: { uid?: string | undefined } }>(o: T): boolean {
    return !o.metadata.uid || !this.#uids.has(o.metadata.uid);
  }
}

export const nsOf = (o: { metadata: { namespace?: string | undefined } }) =>
  o.metadata.namespace ?? 'default';
export const keyOf = (o: { metadata: { namespace?: string | undefined; name: string } }) => keyOfObject(o);
