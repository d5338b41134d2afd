// The EndpointSlice controller: each Service with a selector gets the slices slice-plan.ts
// describes, written only where they differ; slices of a deleted Service, of one without a
// selector, or of an earlier Service of the same name are deleted. Level-triggered over the
// Service, Pod and EndpointSlice informers (a pod's change brings back every Service in its
// namespace that selects it, before or after the change).
import type { EndpointSlice, Service } from '../../api/index.js';
import { SLICE_MANAGED_BY_LABEL, SLICE_SERVICE_LABEL } from '../../api/index.js';
import { namespacedName, type NamespacedName } from '../../api/object-key.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../store/index.js';
import type { Informer } from '../../store/informer.js';
import { type ControllerContext, keyOf, nsOf, refresh, Tombstones } from './context.js';
import { generatedName } from './names.js';
import { controllerRef } from './owners.js';
import {
  desiredSlices,
  hasManagedSlices,
  MANAGED_BY,
  type SliceContent,
  type SliceWrite,
  selects,
  sliceLabels,
  sliceWrites,
} from './slice-plan.js';
import { WorkQueue } from './work-queue.js';

const managed = (s: EndpointSlice) => s.metadata.labels?.[SLICE_MANAGED_BY_LABEL] === MANAGED_BY;
const serviceKeyOf = (s: EndpointSlice) => {
  const name = s.metadata.labels?.[SLICE_SERVICE_LABEL];
  return name ? namespacedName(nsOf(s), name) : undefined;
};

export class EndpointSliceController {
  readonly queue: WorkQueue;
  readonly #c: ControllerContext;
  readonly #svcs: Informer<'Service'>;
  readonly #pods: Informer<'Pod'>;
  readonly #slices: Informer<'EndpointSlice'>;
  readonly #gone: Tombstones<'EndpointSlice'>;

  constructor(c: ControllerContext) {
    this.#c = c;
    this.#svcs = c.informers.for('Service');
    this.#pods = c.informers.for('Pod');
    this.#slices = c.informers.for('EndpointSlice');
    this.#gone = new Tombstones(this.#slices);
    this.queue = new WorkQueue({
      name: 'endpointslice',
      reconcile: (k) => this.#reconcile(k),
      keys: () => [
        ...this.#svcs.list().map(keyOf),
        ...this.#slices
          .list()
          .filter(managed)
          .map(serviceKeyOf)
          .filter((k) => k !== undefined),
      ],
      resyncMs: c.resyncMs,
      log: c.log,
    });
    this.#svcs.subscribe((ev) => {
      if (ev.type !== 'sync') this.queue.add(keyOf(ev.object));
    });
    this.#slices.subscribe((ev) => {
      const k = ev.type !== 'sync' && managed(ev.object) ? serviceKeyOf(ev.object) : undefined;
      if (k) this.queue.add(k);
    });
    this.#pods.subscribe((ev) => {
      if (ev.type === 'sync') return;
      const versions = ev.type === 'upsert' && ev.old ? [ev.object, ev.old] : [ev.object];
      for (const svc of this.#svcs.list())
        if (versions.some((p) => selects(svc, p))) this.queue.add(keyOf(svc));
    });
  }

  async #reconcile(key: NamespacedName): Promise<void> {
    const svc = this.#svcs.get(key);
    const mine = this.#slices
      .list()
      .filter(
        (s) =>
          managed(s) && nsOf(s) === key.namespace && s.metadata.labels?.[SLICE_SERVICE_LABEL] === key.name,
      )
      .filter((s) => this.#gone.live(s));
    const owned = (s: EndpointSlice) =>
      svc !== undefined && (s.metadata.ownerReferences ?? []).some((r) => r.uid === svc.metadata.uid);
    const writes: SliceWrite[] = mine.filter((s) => !owned(s)).map((slice) => ({ kind: 'delete', slice }));
    if (svc && hasManagedSlices(svc)) {
      const pods = this.#pods.list().filter((p) => nsOf(p) === key.namespace);
      writes.push(...sliceWrites(mine.filter(owned), desiredSlices(svc, pods), svc));
    } else writes.push(...mine.filter(owned).map((slice) => ({ kind: 'delete' as const, slice })));
    for (const w of writes) await this.#write(key, svc, w);
  }

  async #write(key: NamespacedName, svc: Service | undefined, w: SliceWrite): Promise<void> {
    const store = this.#c.store;
    try {
      if (w.kind === 'delete') {
        const rv = w.slice.metadata.resourceVersion;
        await store.delete(
          'EndpointSlice',
          w.slice.metadata.name,
          key.namespace,
          rv ? { resourceVersion: rv } : {},
        );
        this.#gone.add(w.slice);
      } else if (w.kind === 'update' && svc) {
        const next = withContent(w.slice, w.content, sliceLabels(svc));
        this.#slices.noteWrite(await store.update(next));
      } else if (w.kind === 'create' && svc) {
        for (let attempt = 1; ; attempt++) {
          try {
            this.#slices.noteWrite(await store.create(newSlice(svc, w.content)));
            break;
          } catch (err) {
            if (!(err instanceof AlreadyExistsError) || attempt >= 5) throw err;
          }
        }
      }
    } catch (err) {
      if (err instanceof NotFoundError && w.kind !== 'create') this.#gone.add(w.slice);
      if (err instanceof ConflictError && w.kind !== 'create')
        await refresh(store, this.#slices, keyOf(w.slice));
      throw err;
    }
  }
}

function withContent(s: EndpointSlice, c: SliceContent, labels: Record<string, string>): EndpointSlice {
  return {
    ...s,
    metadata: { ...s.metadata, labels },
    addressType: c.addressType,
    endpoints: c.endpoints,
    ports: c.ports,
  };
}

function newSlice(svc: Service, c: SliceContent): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: generatedName(svc.metadata.name),
      namespace: nsOf(svc),
      labels: sliceLabels(svc),
      ownerReferences: [controllerRef(svc)],
    },
    addressType: c.addressType,
    endpoints: c.endpoints,
    ports: c.ports,
  };
}
