// The per-service steps of LB-IPAM (Cilium's operator/pkg/lbipam/lbipam.go, handleUpsertService and revalidateAllServices): drop allocations that became invalid, import
// ingress IPs the allocator does not know yet (restart, pool edits), then satisfy what is missing.
import { type Addr, type Family, formatAddr, parseAddr } from './addr.js';
import {
  alreadyAllocated,
  type Failure,
  incompatibleService,
  noPoolGeneric,
  noPoolSpecific,
  outOfIps,
  selectorMismatch,
} from './conditions.js';
import type { Cluster, IpBook } from './ip-book.js';
import type { LbRange, PoolState } from './pool.js';
import { selects } from './selector.js';
import type { ServiceView } from './service-view.js';
import { incompatibilityWithAll } from './sharing.js';

export interface ServiceRecord {
  view: ServiceView;
  allocs: Cluster[]; // in ingress order
}

export interface ReconcileContext {
  book: IpBook;
  pools: ReadonlyMap<string, PoolState>;
  ranges: readonly LbRange[]; // every live range, pools in comparePools order, blocks in spec order
  log(line: string): void;
}

const sameAddr = (a: Addr, b: Addr) => a.family === b.family && a.value === b.value;

function poolSelects(ctx: ReconcileContext, r: LbRange, sv: ServiceView): boolean {
  const pool = ctx.pools.get(r.pool);
  return pool !== undefined && selects(pool.selector, sv.labels);
}

function inRange(r: LbRange, a: Addr): boolean {
  return r.family === a.family && r.from <= a.value && a.value <= r.to;
}

function invalidReason(ctx: ReconcileContext, sv: ServiceView, c: Cluster): string | undefined {
  if (c.range.removed || !ctx.pools.has(c.range.pool)) return 'its pool range is gone';
  if (!poolSelects(ctx, c.range, sv)) return `pool "${c.range.pool}" no longer selects the service`;
  const why = incompatibilityWithAll(sv, c.members.values());
  if (why) return `no longer compatible with the services sharing it: ${why}`;
  if (sv.requested.length > 0 && !sv.requested.some((a) => sameAddr(a, c.addr))) return 'no longer requested';
  if (sv.requested.length === 0 && !sv.families[c.addr.family]) return 'its family is no longer requested';
  return undefined;
}

/**
 * Adopts an IP found in the service's status. Unlike Cilium, a range of a *disabled* pool is
 * accepted (after enabled ones): the docs promise that disabling a pool keeps existing
 * allocations, and waggle keeps that promise across an operator restart too.
 */
function tryImport(ctx: ReconcileContext, sv: ServiceView, ip: string): Cluster | undefined {
  const a = parseAddr(ip);
  if (!a || !sv.families[a.family]) return undefined;
  if (sv.requested.length > 0 && !sv.requested.some((r) => sameAddr(r, a))) return undefined;
  const held = ctx.book.get(ip);
  if (held) {
    if (sv.sharingKey === '' || !poolSelects(ctx, held.range, sv)) return undefined;
    if (incompatibilityWithAll(sv, held.members.values())) return undefined;
    ctx.book.join(held, sv);
    return held;
  }
  const candidates = ctx.ranges.filter((r) => inRange(r, a) && poolSelects(ctx, r, sv));
  const enabled = (r: LbRange) => ctx.pools.get(r.pool)?.allocating === true;
  const range = candidates.find(enabled) ?? candidates[0];
  if (!range?.free.isFree(a.value)) return undefined; // e.g. a reserved first/last IP
  return ctx.book.create(a, range, sv);
}

/** Steps 2 and 3 of §4.3: strip invalid allocations, then strip or import status ingress. */
export function validate(ctx: ReconcileContext, rec: ServiceRecord): void {
  const sv = rec.view;
  for (const c of rec.allocs) c.members.set(sv.key, sv); // members see the newest view
  const kept: Cluster[] = [];
  for (const c of rec.allocs) {
    const why = invalidReason(ctx, sv, c);
    if (why) {
      ctx.book.leave(c, sv.key);
      ctx.log(`service ${sv.key}: released ${c.ip}: ${why}`);
    } else kept.push(c);
  }
  const ordered: Cluster[] = [];
  for (const ip of sv.ingress) {
    const mine = kept.find((c) => c.ip === ip);
    if (mine) {
      ordered.push(mine);
      continue;
    }
    const imported = tryImport(ctx, sv, ip);
    if (imported) {
      ordered.push(imported);
      ctx.log(`service ${sv.key}: kept ${ip} from pool "${imported.range.pool}" (imported from status)`);
    } else ctx.log(`service ${sv.key}: removing ingress IP ${ip}: not valid for this service any more`);
  }
  for (const c of kept) if (!ordered.includes(c)) ordered.push(c);
  rec.allocs = ordered;
}

export function isSatisfied(rec: ServiceRecord): boolean {
  const sv = rec.view;
  if (sv.requested.length > 0) return sv.requested.every((a) => rec.allocs.some((c) => sameAddr(c.addr, a)));
  return ([4, 6] as Family[]).every((f) => !sv.families[f] || rec.allocs.some((c) => c.addr.family === f));
}

function satisfySpecific(ctx: ReconcileContext, rec: ServiceRecord): Failure | undefined {
  const sv = rec.view;
  let failure: Failure | undefined; // like Cilium, the last failure is the one reported
  for (const want of sv.requested) {
    if (rec.allocs.some((c) => sameAddr(c.addr, want))) continue;
    const ip = formatAddr(want.family, want.value);
    let foundPool = false;
    let range: LbRange | undefined;
    for (const r of ctx.ranges) {
      if (!ctx.pools.get(r.pool)?.allocating || !inRange(r, want)) continue;
      foundPool = true;
      if (poolSelects(ctx, r, sv)) {
        range = r;
        break;
      }
    }
    if (!range) {
      failure = foundPool ? selectorMismatch(ip) : noPoolSpecific(ip);
      continue;
    }
    const held = ctx.book.get(ip);
    if (held) {
      if (sv.sharingKey === '') {
        failure = alreadyAllocated(ip);
        continue;
      }
      const why = incompatibilityWithAll(sv, held.members.values());
      if (why) {
        failure = incompatibleService(ip, why);
        continue;
      }
      ctx.book.join(held, sv);
      rec.allocs.push(held);
      ctx.log(`service ${sv.key}: shares requested ${ip} (sharing key "${sv.sharingKey}")`);
    } else if (!range.free.isFree(want.value)) {
      failure = alreadyAllocated(ip); // a first/last IP reserved by allowFirstLastIPs "No"
    } else {
      rec.allocs.push(ctx.book.create(want, range, sv));
      ctx.log(`service ${sv.key}: allocated requested ${ip} from pool "${range.pool}"`);
    }
  }
  return failure;
}

function satisfyFamily(ctx: ReconcileContext, rec: ServiceRecord, family: Family): Failure | undefined {
  const sv = rec.view;
  if (sv.sharingKey !== '') {
    for (const c of ctx.book.shared(sv.sharingKey)) {
      if (c.addr.family !== family || incompatibilityWithAll(sv, c.members.values())) continue;
      ctx.book.join(c, sv);
      rec.allocs.push(c);
      ctx.log(`service ${sv.key}: shares ${c.ip} (sharing key "${sv.sharingKey}")`);
      return undefined;
    }
  }
  let full = false;
  for (const r of ctx.ranges) {
    if (r.family !== family || !ctx.pools.get(r.pool)?.allocating || !poolSelects(ctx, r, sv)) continue;
    const value = r.free.allocAny();
    if (value === undefined) {
      full = true;
      continue;
    }
    const c = ctx.book.create({ family, value }, r, sv, true);
    rec.allocs.push(c);
    ctx.log(`service ${sv.key}: allocated ${c.ip} from pool "${r.pool}"`);
    return undefined;
  }
  return full ? outOfIps() : noPoolGeneric();
}

/** Step 4 of §4.3: allocate what is missing; returns the failure to report, if any. */
export function satisfy(ctx: ReconcileContext, rec: ServiceRecord): Failure | undefined {
  if (isSatisfied(rec)) return undefined;
  if (rec.view.requested.length > 0) return satisfySpecific(ctx, rec);
  let failure: Failure | undefined;
  for (const f of [4, 6] as Family[]) {
    if (!rec.view.families[f] || rec.allocs.some((c) => c.addr.family === f)) continue;
    failure = satisfyFamily(ctx, rec, f) ?? failure;
  }
  return failure;
}
