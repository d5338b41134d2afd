// LB-IPAM's pure allocator: pools and services in, desired Service and pool status out. No store,
// no clock, no randomness — the same sequence of calls always gives the same assignment.
//
// Pool choice when several pools match a service (Cilium iterates a Go map, i.e. randomly): the
// oldest pool by creationTimestamp first, then by name; within a pool, blocks in spec order; within
// a block, the lowest address of the smallest free block.
import { formatAddr, rangeSize } from './addr.js';
import { type PoolCounts, poolConditions } from './conditions.js';
import { FreeBlocks } from './free-blocks.js';
import { IpBook } from './ip-book.js';
import { comparePools, type LbRange, PoolState, parseBlocks, reservesEnds, settleConflicts } from './pool.js';
import { isSatisfied, type ReconcileContext, type ServiceRecord, satisfy, validate } from './reconcile.js';
import { namespacedName, type NamespacedName } from '../api/object-key.js';
import { buildServiceView, type FamilySupport, type ServiceView, serviceKey } from './service-view.js';
import type { DesiredServiceStatus, PoolCondition, PoolLike, ServiceLike } from './types.js';

export type PoolResult = { ok: true; changed: boolean } | { ok: false; error: string };

export class LbIpam {
  private readonly pools = new Map<string, PoolState>();
  private readonly poolSpecs = new Map<string, string>();
  private ordered: PoolState[] = [];
  private ranges: LbRange[] = [];
  private readonly book = new IpBook(() => this.ranges);
  private readonly records = new Map<string, ServiceRecord>();
  private readonly desired = new Map<string, DesiredServiceStatus>();
  private readonly logLines: string[] = [];
  /** Services whose desired status changed since the last takeDirty(). */
  private readonly dirty = new Map<string, NamespacedName>();
  /** Owned services not satisfied yet, so that freeing an IP retries only them. */
  private readonly waiting = new Set<string>();
  private readonly ctx: ReconcileContext;

  constructor(private readonly families: FamilySupport = { ipv4: true, ipv6: true }) {
    const self = this;
    this.ctx = {
      book: this.book,
      pools: this.pools,
      get ranges() {
        return self.ranges;
      },
      log: (line) => this.logLines.push(line),
    };
  }

  // ---- pools -------------------------------------------------------------------------------

  /** Adds or changes a pool. Bad input changes nothing and returns a one-line error. */
  upsertPool(obj: PoolLike): PoolResult {
    const parsed = parseBlocks(obj);
    if (!parsed.ok) return parsed;
    const name = obj.metadata.name;
    const specText = JSON.stringify([obj.metadata.creationTimestamp ?? '', obj.spec]);
    if (this.poolSpecs.get(name) === specText) return { ok: true, changed: false };
    this.poolSpecs.set(name, specText);
    let pool = this.pools.get(name);
    const fresh = !pool;
    if (!pool) {
      pool = new PoolState(name, '', undefined, false, undefined);
      this.pools.set(name, pool);
    }
    pool.created = obj.metadata.creationTimestamp ?? '';
    pool.selector = obj.spec.serviceSelector;
    pool.disabled = obj.spec.disabled === true;
    pool.allowFirstLast = obj.spec.allowFirstLastIPs;
    const keep: LbRange[] = [];
    const added: LbRange[] = [];
    for (const b of parsed.blocks) {
      const same = pool.ranges.find((r) => r.family === b.family && r.from === b.from && r.to === b.to);
      const r: LbRange = same ?? {
        family: b.family,
        from: b.from,
        to: b.to,
        pool: name,
        fromCidr: b.fromCidr,
        free: new FreeBlocks(b.from, b.to),
        reserved: new Set(),
        removed: false,
      };
      if (!same) added.push(r);
      else if (keep.includes(same)) continue; // a duplicated block is one range
      r.fromCidr = b.fromCidr;
      keep.push(r);
    }
    for (const r of pool.ranges) if (!keep.includes(r)) r.removed = true;
    pool.ranges = keep;
    this.reorder();
    for (const r of added) this.book.takeHeldIn(r);
    for (const r of keep) this.applyReservation(r, reservesEnds(r, pool.allowFirstLast));
    this.rehomeOrphans();
    this.logLines.push(`pool "${name}": ${fresh ? 'added' : 'changed'}, ${keep.length} range(s)`);
    this.revalidateAll();
    return { ok: true, changed: true };
  }

  deletePool(name: string): void {
    const pool = this.pools.get(name);
    if (!pool) return;
    for (const r of pool.ranges) r.removed = true;
    this.pools.delete(name);
    this.poolSpecs.delete(name);
    this.reorder();
    this.rehomeOrphans();
    this.logLines.push(`pool "${name}": deleted`);
    this.revalidateAll();
  }

  poolNames(): string[] {
    return this.ordered.map((p) => p.name);
  }

  poolCounts(name: string): PoolCounts | undefined {
    const pool = this.pools.get(name);
    if (!pool) return undefined;
    let total = 0n;
    let available = 0n;
    for (const r of pool.ranges) {
      total += rangeSize(r);
      available += r.free.freeCount;
    }
    // Like Cilium, reserved first/last IPs count as used: total = used + available.
    return { total, available, used: total - available };
  }

  poolConflict(name: string): string | undefined {
    return this.pools.get(name)?.conflict;
  }

  poolConditions(name: string): PoolCondition[] | undefined {
    const counts = this.poolCounts(name);
    return counts && poolConditions(counts, this.pools.get(name)?.conflict);
  }

  // ---- services ----------------------------------------------------------------------------

  /** Reconciles one service from its stored object (spec and current status). */
  upsertService(obj: ServiceLike): void {
    const view = buildServiceView(obj, this.families);
    for (const bad of view.invalidRequests)
      this.logLines.push(`service ${view.key}: skipping invalid requested IP "${bad}"`);
    const rec = this.records.get(view.key);
    if (!view.owned) {
      this.forget(view.key);
      // Only a service LB-IPAM served (it carries our condition) gets its status cleared.
      if (rec || view.hasCondition) this.setDesired(view, { ingress: [], condition: null });
      else this.desired.delete(view.key);
      this.retryIfFreed();
      return;
    }
    const r = rec ?? { view, allocs: [] };
    r.view = view;
    this.records.set(view.key, r);
    validate(this.ctx, r);
    this.settle(r);
    this.retryIfFreed();
  }

  deleteService(namespace: string, name: string): void {
    const key = serviceKey(namespace, name);
    this.forget(key);
    this.desired.delete(key);
    this.dirty.delete(key);
    this.retryIfFreed();
  }

  /**
   * Start-up import (also the periodic resync): every service at once, satisfied ones first so
   * they re-adopt their current IPs before unsatisfied ones get fresh ones.
   */
  syncServices(objs: ServiceLike[]): void {
    const seen = new Set<string>();
    for (const obj of objs) {
      const view = buildServiceView(obj, this.families);
      seen.add(view.key);
      if (!view.owned) {
        this.upsertService(obj);
        continue;
      }
      const rec = this.records.get(view.key) ?? { view, allocs: [] };
      rec.view = view;
      this.records.set(view.key, rec);
    }
    for (const [key, rec] of [...this.records.entries()]) {
      if (!seen.has(key)) this.deleteService(rec.view.namespace, rec.view.name);
    }
    this.revalidateAll();
  }

  desiredFor(namespace: string, name: string): DesiredServiceStatus | undefined {
    return this.desired.get(serviceKey(namespace, name));
  }

  /** Services whose desired status changed since the last call. */
  takeDirty(): NamespacedName[] {
    const out = [...this.dirty.values()];
    this.dirty.clear();
    return out;
  }

  /** Decision log lines since the last call (one per allocation, release or failure). */
  takeLog(): string[] {
    return this.logLines.splice(0);
  }

  unsatisfiedCount(): number {
    let n = 0;
    for (const d of this.desired.values()) if (d.condition?.status === 'False') n++;
    return n;
  }

  /** Every held IP and the services holding it (tests and the bench check invariants with it). */
  holdings(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const c of this.book.clusters.values()) out.set(c.ip, [...c.members.keys()]);
    return out;
  }

  // ---- internals ---------------------------------------------------------------------------

  private reorder(): void {
    this.ordered = [...this.pools.values()].sort(comparePools);
    settleConflicts(this.ordered);
    this.ranges = this.ordered.flatMap((p) => p.ranges);
  }

  /** allowFirstLastIPs "No" holds back the ends, but never takes an IP a service already has. */
  private applyReservation(r: LbRange, reserve: boolean): void {
    for (const end of [r.from, r.to]) {
      if (reserve && !r.reserved.has(end) && r.free.isFree(end)) {
        r.free.alloc(end);
        r.reserved.add(end);
      } else if (!reserve && r.reserved.has(end)) {
        r.reserved.delete(end);
        if (!this.book.get(formatAddr(r.family, end))) r.free.release(end);
      }
    }
  }

  /**
   * A held IP whose range went away stays held if another live range still contains it (a pool
   * widened, or a block rewritten as start/stop): editing a pool never moves such a service.
   */
  private rehomeOrphans(): void {
    for (const c of [...this.book.clusters.values()]) {
      if (!c.range.removed && this.pools.has(c.range.pool)) continue;
      const live = this.ranges.filter(
        (r) => r.family === c.addr.family && r.from <= c.addr.value && c.addr.value <= r.to,
      );
      const home = live.find((r) => r.pool === c.range.pool) ?? live[0];
      if (home) c.range = home;
    }
  }

  private revalidateAll(): void {
    const recs = [...this.records.values()].sort((a, b) => {
      const sa = isSatisfied(a) ? 0 : 1;
      const sb = isSatisfied(b) ? 0 : 1;
      return sa - sb || (a.view.key < b.view.key ? -1 : a.view.key > b.view.key ? 1 : 0);
    });
    for (const r of recs) validate(this.ctx, r);
    for (const r of recs) this.settle(r);
    this.book.freedSomething = false;
  }

  /** Freed IPs may satisfy services that were out of IPs or blocked by a held requested IP. */
  private retryIfFreed(): void {
    for (let round = 0; this.book.freedSomething && round < 3; round++) {
      this.book.freedSomething = false;
      for (const key of [...this.waiting].sort()) {
        const r = this.records.get(key);
        if (r) this.settle(r);
      }
    }
  }

  private settle(rec: ServiceRecord): void {
    const sv = rec.view;
    const failure = this.pools.size > 0 ? satisfy(this.ctx, rec) : undefined;
    const ingress = rec.allocs.map((c) => c.ip);
    let desired: DesiredServiceStatus;
    if (isSatisfied(rec)) {
      desired = {
        ingress,
        condition: { status: 'True', reason: 'satisfied', message: '', observedGeneration: sv.generation },
      };
    } else if (this.pools.size === 0 && !sv.hasCondition) {
      desired = { ingress, condition: null }; // dormant until the first pool exists
    } else {
      const f = failure ?? {
        reason: 'no_pool',
        message: 'There are no enabled CiliumLoadBalancerIPPools that match this service',
      };
      desired = {
        ingress,
        condition: {
          status: 'False',
          reason: f.reason,
          message: f.message,
          observedGeneration: sv.generation,
        },
      };
    }
    if (desired.condition?.status === 'True') this.waiting.delete(sv.key);
    else this.waiting.add(sv.key);
    const before = this.desired.get(sv.key);
    if (desired.condition?.status === 'False' && before?.condition?.message !== desired.condition.message) {
      this.logLines.push(
        `service ${sv.key}: unsatisfied: ${desired.condition.reason}: ${desired.condition.message}`,
      );
    }
    this.setDesired(sv, desired);
  }

  private setDesired(sv: ServiceView, d: DesiredServiceStatus): void {
    const before = this.desired.get(sv.key);
    if (!before || JSON.stringify(before) !== JSON.stringify(d))
      this.dirty.set(sv.key, namespacedName(sv.namespace, sv.name));
    this.desired.set(sv.key, d);
  }

  private forget(key: string): void {
    const rec = this.records.get(key);
    if (!rec) return;
    for (const c of rec.allocs) {
      this.book.leave(c, key);
      this.logLines.push(`service ${key}: released ${c.ip}`);
    }
    this.records.delete(key);
    this.waiting.delete(key);
  }
}
