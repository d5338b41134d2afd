// A pass over the touched Services only: their frontends again from the Service and its slices,
// written in the full pass's order (backends, reverse NAT, slots, master; then removals master
// first), and the IDs nothing uses any more released. It declines — the module then runs a full
// pass — whenever its answer could differ from a full pass's: a frontend another Service holds
// (the older Service wins, which only the full sort decides), source ranges (their reconciler
// prunes against the whole set), two-scope frontends (both row sets share one service ID), an ID
// range exhausted, or more touched Services than a full pass would cost.
import type { NamespacedName } from '../api/object-key.js';
import { L4Proto } from '../datapath/maps/lb4-services.js';
import type { Service } from '../api/service.js';
import { type DesiredFrontend, desiredFrontends, l3n4 } from './desired.js';
import type { IdAllocator } from './ids.js';
import type { PassResult, ServiceReconciler } from './reconciler.js';
import { desiredRows } from './rows.js';
import { frontendId, type ServiceIndex, serviceKey } from './service-index.js';
import { applyTrafficPolicies } from './traffic-policy.js';

/** Above this many touched Services, one full pass is cheaper than per-Service work. */
export const INCREMENTAL_MAX = 256;

export interface IncrementalInput {
  dirty: readonly NamespacedName[];
  service(k: NamespacedName): Service | undefined;
  index: ServiceIndex;
  ids: { services: IdAllocator; backends: IdAllocator };
  rec: ServiceReconciler;
  node: string;
}

const plain = (fe: DesiredFrontend) => !fe.sourceRanges && !fe.extLocal && (fe.scope ?? 0) === 0;

/** The backend IDs a Service's frontends use (slot or not), as desiredRows acquired them. */
export function backendIdsOf(frontends: readonly DesiredFrontend[], backends: IdAllocator): Set<number> {
  const out = new Set<number>();
  for (const fe of frontends)
    for (const b of fe.backends) {
      const id = backends.get(l3n4(b));
      if (id !== undefined) out.add(id);
    }
  return out;
}

/** Runs the pass, or returns undefined (nothing written) when a full pass must run instead. */
export function incrementalPass(o: IncrementalInput): PassResult | undefined {
  if (o.dirty.length > INCREMENTAL_MAX) return undefined;
  const next = new Map<string, DesiredFrontend[]>();
  const claimed = new Set<string>();
  for (const k of o.dirty) {
    const key = serviceKey(k);
    const svc = o.service(k);
    let fes: DesiredFrontend[] = [];
    if (svc) {
      const d = desiredFrontends([svc], o.index.slicesOf(k));
      const p = applyTrafficPolicies(d.frontends, [svc], o.node);
      if (d.conflicts.length || p.problems.length) return undefined;
      fes = p.frontends;
    }
    if (!o.index.frontendsOf(key).every(plain) || !fes.every(plain)) return undefined;
    for (const fe of fes) {
      const id = frontendId(fe);
      const owner = o.index.ownerOf(id);
      if ((owner !== undefined && owner !== key) || claimed.has(id)) return undefined;
      claimed.add(id);
    }
    next.set(key, fes);
  }
  const changed = [...next.values()].flat().sort((a, b) => l3n4(a).localeCompare(l3n4(b)));
  const want = desiredRows(changed, o.ids);
  if (want.problems.length) return undefined;
  const r = o.rec.apply(want, { prune: false });
  const gone: DesiredFrontend[] = [];
  const freed: number[] = [];
  for (const [key, fes] of next) {
    const now = new Set(fes.map(frontendId));
    gone.push(...o.index.frontendsOf(key).filter((fe) => !now.has(frontendId(fe))));
    freed.push(...o.index.record(key, fes, backendIdsOf(fes, o.ids.backends)));
  }
  const revNats = gone.map((fe) => o.ids.services.get(l3n4(fe))).filter((id) => id !== undefined);
  const masters = gone.map((fe) => ({
    address: fe.address,
    port: fe.port,
    backendSlot: 0,
    proto: L4Proto[fe.proto],
    scope: 0,
  }));
  // A backend one touched Service dropped may be one another touched Service now uses.
  const unused = [...new Set(freed)].filter((id) => !o.index.inUse(id));
  const removed = o.rec.remove(masters, revNats, unused);
  // IDs go back only once their rows are gone; a failed delete keeps its ID for the retry.
  const stillBackends = o.rec.backends();
  for (const id of unused) {
    const k = o.ids.backends.keyOf(id);
    if (k !== undefined && !stillBackends.has(id)) o.ids.backends.release(k);
  }
  for (const fe of gone) if (!removed.errors.length) o.ids.services.release(l3n4(fe));
  return {
    written: r.written + removed.written,
    deleted: r.deleted + removed.deleted,
    errors: [...r.errors, ...removed.errors],
  };
}
