// One CiliumLoadBalancerIPPool as LB-IPAM sees it: its blocks parsed into inclusive ranges, each
// with its own free-space index, and the conflict rule between pools (Cilium's operator/pkg/lbipam/lbipam.go).
import { formatAddr, overlaps, parseAddr, parseCidr, type Range, rangeText } from './addr.js';
import type { FreeBlocks } from './free-blocks.js';
import type { LabelSelector } from '../api/index.js';
import type { PoolLike } from './types.js';

export interface LbRange extends Range {
  pool: string;
  fromCidr: boolean;
  free: FreeBlocks;
  /** First and last address held back by allowFirstLastIPs "No" (only while nobody holds them). */
  reserved: Set<bigint>;
  removed: boolean;
}

export interface ParsedBlock extends Range {
  fromCidr: boolean;
}

export type ParseResult = { ok: true; blocks: ParsedBlock[] } | { ok: false; error: string };

/** Parses spec.blocks; the error names the pool and the field, e.g. `spec.blocks[1].cidr`. */
export function parseBlocks(pool: PoolLike): ParseResult {
  const name = pool.metadata.name;
  const fail = (field: string, why: string): ParseResult => ({
    ok: false,
    error: `pool "${name}": ${field}: ${why}`,
  });
  const blocks = pool.spec.blocks ?? [];
  const out: ParsedBlock[] = [];
  for (const [i, b] of blocks.entries()) {
    const at = `spec.blocks[${i}]`;
    if (b.cidr) {
      if (b.start || b.stop) return fail(at, 'set either cidr or start/stop, not both');
      const r = parseCidr(b.cidr);
      if (!r.ok) return fail(`${at}.cidr "${b.cidr}"`, r.error);
      out.push({ ...r.range, fromCidr: true });
      continue;
    }
    if (!b.start) return fail(at, b.stop ? 'stop without start' : 'needs cidr or start');
    const start = parseAddr(b.start);
    if (!start) return fail(`${at}.start "${b.start}"`, 'not an IP address');
    const stop = b.stop ? parseAddr(b.stop) : start; // an omitted stop is a single IP
    if (!stop) return fail(`${at}.stop "${b.stop}"`, 'not an IP address');
    if (stop.family !== start.family) return fail(`${at}.stop "${b.stop}"`, 'not the family of start');
    if (stop.value < start.value) {
      return fail(`${at}.stop "${b.stop}"`, `before start "${formatAddr(start.family, start.value)}"`);
    }
    out.push({ family: start.family, from: start.value, to: stop.value, fromCidr: false });
  }
  return { ok: true, blocks: out };
}

/** Whether "No" reserves this block's ends: cidr blocks of four or more addresses (/30, /126). */
export function reservesEnds(b: ParsedBlock, allowFirstLast: string | undefined): boolean {
  return b.fromCidr && allowFirstLast === 'No' && b.to - b.from >= 3n;
}

export class PoolState {
  ranges: LbRange[] = [];
  conflict: string | undefined;

  constructor(
    public name: string,
    public created: string,
    public selector: LabelSelector | undefined,
    public disabled: boolean,
    public allowFirstLast: string | undefined,
  ) {}

  /** Conflict-marked pools and spec.disabled pools allocate nothing new. */
  get allocating(): boolean {
    return !this.disabled && this.conflict === undefined;
  }
}

/** Deterministic pool order: oldest creationTimestamp first, then name. Cilium's is random. */
export function comparePools(a: PoolState, b: PoolState): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function conflictMessage(mine: Range, theirs: Range, other: string): string {
  return `Pool conflicts since range '${rangeText(mine)}' overlaps range '${rangeText(theirs)}' from IP Pool '${other}'`;
}

/**
 * settleConflicts: a pool whose own blocks overlap, or that overlaps any older pool, is marked
 * with the first overlap found (blocks in spec order, older pools oldest first). Pools must be
 * given in comparePools order.
 */
export function settleConflicts(ordered: PoolState[]): void {
  for (const [i, pool] of ordered.entries()) {
    pool.conflict = undefined;
    const own = pool.ranges;
    for (let k = 1; k < own.length && !pool.conflict; k++) {
      for (let j = 0; j < k && !pool.conflict; j++) {
        const a = own[k] as LbRange;
        const b = own[j] as LbRange;
        if (overlaps(a, b)) pool.conflict = conflictMessage(a, b, pool.name);
      }
    }
    for (const older of ordered.slice(0, i)) {
      if (pool.conflict) break;
      for (const mine of own) {
        const theirs = older.ranges.find((r) => overlaps(mine, r));
        if (theirs) {
          pool.conflict = conflictMessage(mine, theirs, older.name);
          break;
        }
      }
    }
  }
}
