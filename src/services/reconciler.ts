// Desired rows → the three service maps, in an order that never lets a socket (or, later, a
// packet) see a half-written service, as Cilium's writer does (pkg/loadbalancer/reconciler):
//   add/update: backends, then the reverse-NAT entry, then the slot rows, then the master row
//               with the new count — and slots beyond a shrunk count only after that;
//   remove:     the master row first (the frontend stops matching), then its slots, then its
//               reverse-NAT entry, then backends no frontend uses any more.
// A slot is never written pointing at a backend whose write failed, and a master row never
// counts a slot whose write failed: a map-full error leaves the old, consistent rows and is
// retried on the next pass. The reconciler keeps what it believes the maps hold; load() reads
// them (at start and on every periodic resync), so drift is repaired.
import { errorMessage } from '../lib/errors.js';
import type { Lb4Backend, Lb4ReverseNat } from '../datapath/maps/lb4-backends.js';
import type { Lb4Key, Lb4Service } from '../datapath/maps/lb4-services.js';
import type { DesiredRows } from './rows.js';

/** The slice of a TypedMap the reconciler uses. */
export interface RowMap<K, V> {
  set(key: K, value: V): void;
  delete(key: K): boolean;
  entries(): Array<[K, V]>;
}

export interface ServiceMaps {
  services: RowMap<Lb4Key, Lb4Service>;
  backends: RowMap<number, Lb4Backend>;
  revNat: RowMap<number, Lb4ReverseNat>;
}

export interface PassResult {
  written: number;
  deleted: number;
  errors: string[];
}

const fkey = (k: Lb4Key) => `${k.address}:${k.port}/${k.proto}/${k.scope ?? 0}`;
const same = (a: object | undefined, b: object) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

export class ServiceReconciler {
  readonly #maps: ServiceMaps;
  /** Frontend (fkey) → slot → [key, value] as in the map. */
  #services = new Map<string, Map<number, [Lb4Key, Lb4Service]>>();
  #backends = new Map<number, Lb4Backend>();
  #revNat = new Map<number, Lb4ReverseNat>();

  constructor(maps: ServiceMaps) {
    this.#maps = maps;
  }

  /** Reads the maps' real contents (a pinned map from an earlier run, or a resync). */
  load(): void {
    this.#services = new Map();
    for (const [k, v] of this.#maps.services.entries()) {
      const rows = this.#services.get(fkey(k)) ?? new Map<number, [Lb4Key, Lb4Service]>();
      rows.set(k.backendSlot, [{ ...k, scope: k.scope ?? 0 }, normService(v)]);
      this.#services.set(fkey(k), rows);
    }
    this.#backends = new Map(this.#maps.backends.entries().map(([id, b]) => [id, normBackend(b)]));
    this.#revNat = new Map(this.#maps.revNat.entries());
  }

  /** What the maps hold, as last read or written: master rows with their frontend and ID. */
  masters(): Array<{ key: Lb4Key; value: Lb4Service }> {
    const out: Array<{ key: Lb4Key; value: Lb4Service }> = [];
    for (const rows of this.#services.values()) {
      const m = rows.get(0);
      if (m) out.push({ key: m[0], value: m[1] });
    }
    return out;
  }

  backends(): Map<number, Lb4Backend> {
    return this.#backends;
  }

  /** One pass towards `want`. With prune false (before the first complete sync) nothing is deleted. */
  apply(want: DesiredRows, opts: { prune: boolean }): PassResult {
    const r: PassResult = { written: 0, deleted: 0, errors: [] };
    const failedBackends = new Set<number>();
    for (const [id, b] of want.backends) {
      if (same(this.#backends.get(id), b)) continue;
      if (this.#try(r, `backend ${id}`, () => this.#maps.backends.set(id, b))) this.#backends.set(id, b);
      else failedBackends.add(id);
    }
    const wanted = new Set<string>();
    for (const fe of want.frontends) {
      const [mkey, mval] = fe.master;
      wanted.add(fkey(mkey));
      const rn = want.revNat.get(mval.revNatIndex);
      if (rn && !same(this.#revNat.get(mval.revNatIndex), rn)) {
        if (
          this.#try(r, `reverse NAT ${mval.revNatIndex}`, () => this.#maps.revNat.set(mval.revNatIndex, rn))
        )
          this.#revNat.set(mval.revNatIndex, rn);
      }
      this.#applyFrontend(r, fe.master, fe.slots, failedBackends);
    }
    if (!opts.prune) return r;
    for (const [f, rows] of [...this.#services]) if (!wanted.has(f)) this.#removeFrontend(r, f, rows);
    for (const id of [...this.#revNat.keys()])
      if (!want.revNat.has(id) && this.#try(r, `reverse NAT ${id}`, () => this.#maps.revNat.delete(id))) {
        this.#revNat.delete(id);
        r.deleted++;
      }
    for (const id of [...this.#backends.keys()])
      if (!want.backends.has(id) && this.#try(r, `backend ${id}`, () => this.#maps.backends.delete(id))) {
        this.#backends.delete(id);
        r.deleted++;
      }
    return r;
  }

  /**
   * Removes these frontends (master first, then slots), then these reverse-NAT entries and
   * backends: an incremental pass's removals, in the order apply() prunes. The caller names only
   * what no remaining frontend uses.
   */
  remove(masters: readonly Lb4Key[], revNats: readonly number[], backends: readonly number[]): PassResult {
    const r: PassResult = { written: 0, deleted: 0, errors: [] };
    for (const k of masters) {
      const f = fkey({ ...k, scope: k.scope ?? 0 });
      const rows = this.#services.get(f);
      if (rows) this.#removeFrontend(r, f, rows);
    }
    for (const id of revNats)
      if (this.#revNat.has(id) && this.#try(r, `reverse NAT ${id}`, () => this.#maps.revNat.delete(id))) {
        this.#revNat.delete(id);
        r.deleted++;
      }
    for (const id of backends)
      if (this.#backends.has(id) && this.#try(r, `backend ${id}`, () => this.#maps.backends.delete(id))) {
        this.#backends.delete(id);
        r.deleted++;
      }
    return r;
  }

  #applyFrontend(
    r: PassResult,
    master: [Lb4Key, Lb4Service],
    slots: Array<[Lb4Key, Lb4Service]>,
    failedBackends: Set<number>,
  ): void {
    const f = fkey(master[0]);
    const rows = this.#services.get(f) ?? new Map<number, [Lb4Key, Lb4Service]>();
    this.#services.set(f, rows);
    // Slots first; the count covers only the prefix of slots that are really in place.
    let ready = 0;
    for (const [k, raw] of slots) {
      const v = normService(raw);
      if (failedBackends.has(v.backendId)) break;
      const have = rows.get(k.backendSlot);
      if (!same(have?.[1], v)) {
        if (!this.#try(r, `frontend ${f} slot ${k.backendSlot}`, () => this.#maps.services.set(k, v))) break;
        rows.set(k.backendSlot, [k, v]);
      }
      ready++;
    }
    const m: Lb4Service = normService({ ...master[1], count: ready });
    if (
      !same(rows.get(0)?.[1], m) &&
      this.#try(r, `frontend ${f} master`, () => this.#maps.services.set(master[0], m))
    )
      rows.set(0, [master[0], m]);
    // Slots past the count the master now has are unreachable: only now may they go.
    const count = rows.get(0)?.[1].count ?? 0;
    for (const [slot, [k]] of [...rows])
      if (slot > count && this.#try(r, `frontend ${f} slot ${slot}`, () => this.#maps.services.delete(k))) {
        rows.delete(slot);
        r.deleted++;
      }
  }

  #removeFrontend(r: PassResult, f: string, rows: Map<number, [Lb4Key, Lb4Service]>): void {
    const master = rows.get(0);
    if (master) {
      if (!this.#try(r, `frontend ${f} master`, () => this.#maps.services.delete(master[0]))) return;
      rows.delete(0);
      r.deleted++;
    }
    for (const [slot, [k]] of [...rows])
      if (this.#try(r, `frontend ${f} slot ${slot}`, () => this.#maps.services.delete(k))) {
        rows.delete(slot);
        r.deleted++;
      }
    if (rows.size === 0) this.#services.delete(f);
  }

  /** Runs one map operation; a failure is recorded (the row is retried next pass). */
  #try(r: PassResult, what: string, op: () => unknown): boolean {
    try {
      // set() returns nothing, delete() a boolean: count each as what it is.
      if (op() === undefined) r.written += 1;
      return true;
    } catch (err) {
      r.errors.push(`${what}: ${errorMessage(err)}`);
      return false;
    }
  }
}

function normService(v: Lb4Service): Lb4Service {
  return {
    backendId: v.backendId,
    count: v.count,
    revNatIndex: v.revNatIndex,
    flags: v.flags,
    flags2: v.flags2 ?? 0,
  };
}

function normBackend(b: Lb4Backend): Lb4Backend {
  return { address: b.address, port: b.port, proto: b.proto, state: b.state };
}
