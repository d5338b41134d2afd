// One node's pod IPv4 range, allocated as Cilium's host-scope IPAM does (pkg/ipam/hostscope.go
// over pkg/ipam/service/ipallocator): the network and broadcast addresses are never handed out,
// so a /24 holds 254; "next" is a random scan (a random start offset, then the first free address
// at or after it, wrapping), so the router and health IPs are not .1 and .2. Owners are strings:
// `router`, `health`, `<ns>/<pod>`, or a container attachment id. Pure: no store, no clock; the
// random source is injectable so tests can pin it.
import { formatAddr, formatPrefix, parseAddr, parsePrefix, prefixRange } from '../lib/ip.js';

export type PoolResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface PoolOptions {
  /** Uniform in [0, 1); Math.random by default. */
  random?: () => number;
}

export interface PoolEntry {
  ip: string;
  owner: string;
  /** Set for addresses taken out of the range by exclude() (the node's own IP). */
  excluded?: true;
}

const MIN_PREFIX = 8; // a /8 is 16M addresses, the largest range one node could sensibly hold
const MAX_PREFIX = 30; // a /30 leaves 2 usable addresses; /31 and /32 leave none

export class HostScopePool {
  /** The canonical CIDR, e.g. `10.200.1.0/24`. */
  readonly cidr: string;
  /** 2^(32-len) - 2: the range without its network and broadcast addresses. */
  readonly capacity: number;
  readonly #first: bigint; // the first usable address (network + 1)
  readonly #random: () => number;
  /** Offset from #first → owner. Map iteration is not used for allocation, only has(). */
  readonly #owners = new Map<number, string>();
  readonly #excluded = new Set<number>();

  private constructor(cidr: string, first: bigint, capacity: number, opts: PoolOptions) {
    this.cidr = cidr;
    this.#first = first;
    this.capacity = capacity;
    this.#random = opts.random ?? Math.random;
  }

  /** A pool over an IPv4 CIDR between /8 and /30; the error names the CIDR and why not. */
  static create(cidr: string, opts: PoolOptions = {}): PoolResult<HostScopePool> {
    const parsed = parsePrefix(cidr);
    if (!parsed.ok) return { ok: false, error: `pod CIDR "${cidr}": ${parsed.error}` };
    const p = parsed.prefix;
    if (p.family !== 4) return { ok: false, error: `pod CIDR "${cidr}": only IPv4 is supported` };
    if (p.prefix < MIN_PREFIX || p.prefix > MAX_PREFIX)
      return {
        ok: false,
        error: `pod CIDR "${cidr}": prefix length must be /${MIN_PREFIX} to /${MAX_PREFIX}`,
      };
    const range = prefixRange(p);
    const capacity = Number(range.to - range.from) - 1;
    return { ok: true, value: new HostScopePool(formatPrefix(p), range.from + 1n, capacity, opts) };
  }

  /** The next free address for `owner`, by random scan. */
  allocate(owner: string): PoolResult<string> {
    if (this.#owners.size >= this.capacity)
      return {
        ok: false,
        error: `${this.cidr}: no free address (${this.#owners.size}/${this.capacity} allocated)`,
      };
    const start = Math.min(this.capacity - 1, Math.floor(this.#random() * this.capacity));
    for (let i = 0; i < this.capacity; i++) {
      const offset = (start + i) % this.capacity;
      if (this.#owners.has(offset)) continue;
      this.#owners.set(offset, owner);
      return { ok: true, value: this.#text(offset) };
    }
    // Unreachable while size < capacity; kept so the loop is bounded and the result honest.
    return { ok: false, error: `${this.cidr}: no free address found` };
  }

  /**
   * Takes a given address for `owner` (restoring state after a restart). Taking an address the
   * same owner already holds succeeds; one held by another owner is refused, naming both.
   */
  allocateSpecific(ip: string, owner: string): PoolResult<string> {
    const at = this.#offset(ip);
    if (!at.ok) return at;
    const holder = this.#owners.get(at.value);
    if (holder === owner && !this.#excluded.has(at.value)) return { ok: true, value: ip };
    if (holder !== undefined)
      return { ok: false, error: `${this.cidr}: ${ip} is owned by "${holder}", not "${owner}"` };
    this.#owners.set(at.value, owner);
    return { ok: true, value: ip };
  }

  /**
   * Keeps an address out of allocation (the node's own IP when it falls inside the range). It
   * counts as allocated, as Cilium's bitmap holds it. `false` when the address is outside the
   * range, so there was nothing to exclude.
   */
  exclude(ip: string, reason: string): PoolResult<boolean> {
    const at = this.#offset(ip);
    if (!at.ok) return parseAddr(ip) ? { ok: true, value: false } : at;
    const holder = this.#owners.get(at.value);
    if (holder !== undefined && !(this.#excluded.has(at.value) && holder === reason))
      return { ok: false, error: `${this.cidr}: cannot exclude ${ip} (${reason}): owned by "${holder}"` };
    this.#owners.set(at.value, reason);
    this.#excluded.add(at.value);
    return { ok: true, value: true };
  }

  /** Frees an address; the owner it had, or undefined when it was free (or excluded). */
  release(ip: string): string | undefined {
    const at = this.#offset(ip);
    if (!at.ok || this.#excluded.has(at.value)) return undefined;
    const holder = this.#owners.get(at.value);
    this.#owners.delete(at.value);
    return holder;
  }

  owner(ip: string): string | undefined {
    const at = this.#offset(ip);
    return at.ok ? this.#owners.get(at.value) : undefined;
  }

  /** Every held address in address order. */
  list(): PoolEntry[] {
    return [...this.#owners.entries()]
      .sort(([a], [b]) => a - b)
      .map(([offset, owner]) => ({
        ip: this.#text(offset),
        owner,
        ...(this.#excluded.has(offset) ? { excluded: true as const } : {}),
      }));
  }

  get allocated(): number {
    return this.#owners.size;
  }

  /** Cilium's IPAM status line: `5/254 allocated from 10.244.1.0/24`. */
  statusString(): string {
    return `${this.#owners.size}/${this.capacity} allocated from ${this.cidr}`;
  }

  #text(offset: number): string {
    return formatAddr(4, this.#first + BigInt(offset));
  }

  #offset(ip: string): PoolResult<number> {
    const a = parseAddr(ip);
    if (a?.family !== 4) return { ok: false, error: `${this.cidr}: "${ip}" is not an IPv4 address` };
    const offset = a.value - this.#first;
    if (offset === -1n) return { ok: false, error: `${this.cidr}: ${ip} is the network address` };
    if (offset === BigInt(this.capacity))
      return { ok: false, error: `${this.cidr}: ${ip} is the broadcast address` };
    if (offset < 0n || offset > BigInt(this.capacity))
      return { ok: false, error: `${this.cidr}: ${ip} is outside the range` };
    return { ok: true, value: Number(offset) };
  }
}
