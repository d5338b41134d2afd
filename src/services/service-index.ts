// What the services module remembers between passes so that a change to one Service or
// EndpointSlice costs a pass over that Service only, as kube-proxy's and Cilium's writers work
// from per-service changes (kubernetes pkg/proxy/servicechangetracker.go; cilium
// pkg/loadbalancer/reconciler): the slices of each Service (from the informer's events, as the
// informer keeps no index by label), the Services touched since the last pass, and per Service
// the frontends that pass gave it and the backend IDs they use — with, per frontend, its owner
// and, per backend ID, how many Services use it, so the module knows what a removal frees.
// Pure bookkeeping: no maps, no store.
import type { NamespacedName } from '../api/object-key.js';
import { SLICE_SERVICE_LABEL, type EndpointSlice } from '../api/endpoint-slice.js';
import type { InformerEvent } from '../store/informer.js';
import { type DesiredFrontend, l3n4 } from './desired.js';

/** "<namespace>/<name>", the key desired.ts gives a Service (DesiredFrontend.service). */
export const serviceKey = (k: NamespacedName) => `${k.namespace || 'default'}/${k.name}`;
/** A frontend's identity in the maps: address, port, protocol and scope. */
export const frontendId = (fe: DesiredFrontend) => `${l3n4(fe)}/${fe.scope ?? 0}`;

function sliceOwner(s: EndpointSlice): NamespacedName | undefined {
  const name = s.metadata.labels?.[SLICE_SERVICE_LABEL];
  return name ? { namespace: s.metadata.namespace ?? 'default', name } : undefined;
}
const sliceKey = (s: EndpointSlice) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;

export class ServiceIndex {
  readonly #slices = new Map<string, Map<string, EndpointSlice>>();
  #dirty = new Map<string, NamespacedName>();
  readonly #last = new Map<string, { frontends: DesiredFrontend[]; backends: Set<number> }>();
  readonly #owner = new Map<string, string>();
  readonly #refs = new Map<number, number>();

  serviceEvent(ev: InformerEvent<{ metadata: { namespace?: string | undefined; name: string } }>): void {
    if (ev.type === 'sync') return;
    const m = ev.object.metadata;
    this.#touch({ namespace: m.namespace ?? 'default', name: m.name });
  }

  sliceEvent(ev: InformerEvent<EndpointSlice>): void {
    if (ev.type === 'sync') return;
    const was = ev.type === 'upsert' && ev.old ? sliceOwner(ev.old) : undefined;
    if (was) {
      this.#slices.get(serviceKey(was))?.delete(sliceKey(ev.object));
      this.#touch(was);
    }
    const owner = sliceOwner(ev.object);
    if (!owner) return;
    const k = serviceKey(owner);
    const mine = this.#slices.get(k) ?? new Map<string, EndpointSlice>();
    if (ev.type === 'delete') mine.delete(sliceKey(ev.object));
    else mine.set(sliceKey(ev.object), ev.object);
    if (mine.size > 0) this.#slices.set(k, mine);
    else this.#slices.delete(k);
    this.#touch(owner);
  }

  #touch(k: NamespacedName): void {
    this.#dirty.set(serviceKey(k), k);
  }

  slicesOf(k: NamespacedName): EndpointSlice[] {
    return [...(this.#slices.get(serviceKey(k))?.values() ?? [])];
  }

  /** The Services touched since the last call. */
  takeDirty(): NamespacedName[] {
    const out = [...this.#dirty.values()];
    this.#dirty = new Map();
    return out;
  }

  /** The frontends the last pass gave Service `key` ([] if none). */
  frontendsOf(key: string): DesiredFrontend[] {
    return this.#last.get(key)?.frontends ?? [];
  }

  /** The Service holding a frontend identity, if any. */
  ownerOf(id: string): string | undefined {
    return this.#owner.get(id);
  }

  /** Whether any Service's last frontends use backend `id`. */
  inUse(id: number): boolean {
    return this.#refs.has(id);
  }

  /** Every Service's frontends as of the last pass. */
  allFrontends(): DesiredFrontend[] {
    return [...this.#last.values()].flatMap((s) => s.frontends);
  }

  /** Forgets every Service's result (before a full pass records them all again). */
  clear(): void {
    this.#last.clear();
    this.#owner.clear();
    this.#refs.clear();
  }

  /**
   * Records what a pass gave Service `key`, replacing what it had; returns the backend IDs that
   * no Service uses any more because of it (another Service recorded later may take them again:
   * check inUse() once every touched Service is recorded).
   */
  record(key: string, frontends: DesiredFrontend[], backends: Set<number>): number[] {
    const old = this.#last.get(key);
    const freed: number[] = [];
    for (const fe of old?.frontends ?? [])
      if (this.#owner.get(frontendId(fe)) === key) this.#owner.delete(frontendId(fe));
    for (const id of old?.backends ?? []) {
      const n = (this.#refs.get(id) ?? 0) - 1;
      if (n > 0) this.#refs.set(id, n);
      else {
        this.#refs.delete(id);
        if (!backends.has(id)) freed.push(id);
      }
    }
    for (const id of backends) this.#refs.set(id, (this.#refs.get(id) ?? 0) + 1);
    for (const fe of frontends) this.#owner.set(frontendId(fe), key);
    if (frontends.length || backends.size) this.#last.set(key, { frontends, backends });
    else this.#last.delete(key);
    return freed.filter((id) => !this.#refs.has(id));
  }
}
