// The garbage collector, for the kinds the lab's control plane owns: a Pod, ReplicaSet or
// EndpointSlice whose owners (by ownerReferences uid) are all gone is deleted — a pod gracefully
// — as Kubernetes' garbage collector does in background propagation
// (pkg/controller/garbagecollector). Before deleting it asks the store for each owner by name,
// so a cache that has not seen a new owner yet never costs a live object. Objects with an owner
// of a kind not watched here are left alone.
import type { Kind, OwnerReference } from '../../api/index.js';
import { namespacedName } from '../../api/object-key.js';
import { requestPodDeletion } from '../../store/graceful-delete.js';
import { NotFoundError } from '../../store/index.js';
import { type ControllerContext, nsOf } from './context.js';
import { WorkQueue } from './work-queue.js';

const OWNER_KINDS = ['Deployment', 'ReplicaSet', 'Service'] as const;
const DEPENDENT_KINDS = ['Pod', 'ReplicaSet', 'EndpointSlice'] as const;
type OwnerKind = (typeof OWNER_KINDS)[number];
const isOwnerKind = (k: string): k is OwnerKind => (OWNER_KINDS as readonly string[]).includes(k);

/** The whole pass is one key: the set of live uids is what it reads. */
const PASS = namespacedName('', 'collect');

export class GarbageCollector {
  readonly queue: WorkQueue;
  readonly #c: ControllerContext;
  /** Objects deleted, for tests and logs. */
  collected = 0;

  constructor(c: ControllerContext) {
    this.#c = c;
    this.queue = new WorkQueue({
      name: 'garbage-collector',
      reconcile: () => this.#collect(),
      keys: () => [PASS],
      resyncMs: c.resyncMs,
      log: c.log,
    });
    for (const kind of OWNER_KINDS)
      c.informers.for(kind).subscribe((ev) => {
        if (ev.type === 'delete') this.queue.add(PASS);
      });
  }

  async #collect(): Promise<void> {
    const live = new Set<string>();
    for (const kind of OWNER_KINDS)
      for (const o of this.#c.informers.for(kind).list()) if (o.metadata.uid) live.add(o.metadata.uid);
    for (const kind of DEPENDENT_KINDS)
      for (const o of this.#c.informers.for(kind).list()) {
        const refs = o.metadata.ownerReferences ?? [];
        if (refs.length === 0 || !refs.every((r) => isOwnerKind(r.kind) && !live.has(r.uid))) continue;
        if (await this.#anyOwnerStored(refs, nsOf(o))) continue;
        await this.#delete(kind, nsOf(o), o.metadata);
      }
  }

  async #anyOwnerStored(refs: OwnerReference[], namespace: string): Promise<boolean> {
    for (const r of refs) {
      const found = await this.#c.store.tryGet(r.kind as OwnerKind, r.name, namespace);
      if (found?.metadata.uid === r.uid) return true;
    }
    return false;
  }

  async #delete(
    kind: Kind,
    namespace: string,
    meta: { name: string; uid?: string | undefined; resourceVersion?: string | undefined },
  ): Promise<void> {
    const { name, uid, resourceVersion: rv } = meta;
    const what = `garbage-collector: ${kind} ${namespace}/${name}: owner gone`;
    if (kind === 'Pod') {
      const r = await requestPodDeletion(
        this.#c.store,
        { metadata: { name, namespace } },
        undefined,
        uid ? { uid } : {},
      );
      if (r.action === 'deleted' || r.action === 'terminating') {
        this.collected++;
        this.#c.log(`${what}, ${r.action}`);
      }
      return;
    }
    try {
      // Compare-and-swap on the version seen, so a new object of the same name is never hit.
      await this.#c.store.delete(kind, name, namespace, rv ? { resourceVersion: rv } : {});
      this.collected++;
      this.#c.log(`${what}, deleted`);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}
