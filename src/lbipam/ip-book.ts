// Who holds which LB IP. One sharing cluster per held IP (the services sharing it, in insertion
// order), an index of clusters by sharing key, and the rule that keeps every range's free space
// honest: a held IP is taken out of *every* live range that contains it, so overlapping pools
// (conflicts) can never hand the same address out twice.
import { type Addr, formatAddr } from './addr.js';
import type { LbRange } from './pool.js';
import type { ServiceView } from './service-view.js';

export interface Cluster {
  ip: string;
  addr: Addr;
  range: LbRange;
  members: Map<string, ServiceView>;
  sharingKey: string;
}

function containsAddr(r: LbRange, a: Addr): boolean {
  return !r.removed && r.family === a.family && r.from <= a.value && a.value <= r.to;
}

export class IpBook {
  readonly clusters = new Map<string, Cluster>();
  private readonly byKey = new Map<string, Cluster[]>();
  /** Set whenever an IP goes back to the free space; the engine then retries unsatisfied services. */
  freedSomething = false;

  constructor(private readonly liveRanges: () => readonly LbRange[]) {}

  get(ip: string): Cluster | undefined {
    return this.clusters.get(ip);
  }

  shared(key: string): readonly Cluster[] {
    return this.byKey.get(key) ?? [];
  }

  /** Holds addr for sv. The caller has already taken it from `range` when `taken` is true. */
  create(addr: Addr, range: LbRange, sv: ServiceView, taken = false): Cluster {
    for (const r of this.liveRanges()) {
      if ((r !== range || !taken) && containsAddr(r, addr)) r.free.alloc(addr.value);
    }
    const c: Cluster = {
      ip: formatAddr(addr.family, addr.value),
      addr,
      range,
      members: new Map([[sv.key, sv]]),
      sharingKey: sv.sharingKey,
    };
    this.clusters.set(c.ip, c);
    if (sv.sharingKey !== '') {
      const list = this.byKey.get(sv.sharingKey) ?? [];
      list.push(c);
      this.byKey.set(sv.sharingKey, list);
    }
    return c;
  }

  join(c: Cluster, sv: ServiceView): void {
    c.members.set(sv.key, sv);
  }

  /** Removes a service from a cluster; the IP is freed when the cluster becomes empty. */
  leave(c: Cluster, svcKey: string): void {
    c.members.delete(svcKey);
    if (c.members.size === 0) this.drop(c);
  }

  /** Forgets a cluster and returns its IP to every live range that contains it. */
  drop(c: Cluster): void {
    if (this.clusters.get(c.ip) !== c) return;
    this.clusters.delete(c.ip);
    const list = this.byKey.get(c.sharingKey);
    if (list) {
      const rest = list.filter((x) => x !== c);
      if (rest.length > 0) this.byKey.set(c.sharingKey, rest);
      else this.byKey.delete(c.sharingKey);
    }
    for (const r of this.liveRanges()) {
      if (containsAddr(r, c.addr) && !r.reserved.has(c.addr.value)) r.free.release(c.addr.value);
    }
    this.freedSomething = true;
  }

  /** A range that just appeared must not offer IPs that are already held through another one. */
  takeHeldIn(range: LbRange): void {
    for (const c of this.clusters.values()) if (containsAddr(range, c.addr)) range.free.alloc(c.addr.value);
  }
}
