// Cluster-pool IPAM, the operator's half (Cilium's pkg/ipam/allocator/clusterpool): the cluster
// CIDRs (--cluster-pool-ipv4-cidr, several allowed) are cut into per-node blocks of
// --cluster-pool-ipv4-mask-size bits (default 24) and each node gets one. Pure: the controller
// feeds it what the store holds and writes what it decides.
//
// Order follows Kubernetes' cidrset (which Cilium's cluster-pool uses): the next block after the
// last one handed out, wrapping, so a block just released is not given to the next node at once
// (other nodes may still route it to the old one). After a restart the pointer starts at the
// first block; import() comes first, so no node's block moves.
import { formatAddr, type Prefix, parsePrefix, prefixRange } from '../lib/ip.js';

export const DEFAULT_CLUSTER_POOL_MASK_SIZE = 24;

export type EngineResult<T> = { ok: true; value: T } | { ok: false; error: string };

interface Block {
  cidr: Prefix;
  /** Blocks in this CIDR: 2^(mask - prefix). */
  count: number;
  /** Index of this CIDR's first block among all blocks. */
  offset: number;
}

export class ClusterPool {
  readonly cidrs: readonly string[];
  readonly maskSize: number;
  readonly total: number;
  readonly #blocks: Block[];
  readonly #byIndex = new Map<number, string>(); // block index → node
  readonly #byNode = new Map<string, number>();
  #next = 0;

  private constructor(cidrs: string[], maskSize: number, blocks: Block[], total: number) {
    this.cidrs = cidrs;
    this.maskSize = maskSize;
    this.#blocks = blocks;
    this.total = total;
  }

  /** The error names the flag value that is wrong. */
  static create(
    cidrs: readonly string[],
    maskSize = DEFAULT_CLUSTER_POOL_MASK_SIZE,
  ): EngineResult<ClusterPool> {
    if (cidrs.length === 0) return { ok: false, error: '--cluster-pool-ipv4-cidr: no CIDR given' };
    if (!Number.isInteger(maskSize) || maskSize > 30)
      return {
        ok: false,
        error: `--cluster-pool-ipv4-mask-size ${maskSize}: must be a whole number up to 30`,
      };
    const blocks: Block[] = [];
    let total = 0;
    for (const text of cidrs) {
      const p = parsePrefix(text);
      if (!p.ok) return { ok: false, error: `--cluster-pool-ipv4-cidr "${text}": ${p.error}` };
      if (p.prefix.family !== 4)
        return { ok: false, error: `--cluster-pool-ipv4-cidr "${text}": only IPv4 is supported` };
      if (p.prefix.prefix > maskSize)
        return {
          ok: false,
          error: `--cluster-pool-ipv4-cidr "${text}": smaller than the /${maskSize} mask size`,
        };
      const cidr = { ...p.prefix, base: prefixRange(p.prefix).from };
      for (const b of blocks) {
        const [x, y] = [prefixRange(b.cidr), prefixRange(cidr)];
        if (x.from <= y.to && y.from <= x.to)
          return { ok: false, error: `--cluster-pool-ipv4-cidr "${text}" overlaps ${formatBlock(b.cidr)}` };
      }
      const count = 2 ** (maskSize - cidr.prefix);
      blocks.push({ cidr, count, offset: total });
      total += count;
    }
    return { ok: true, value: new ClusterPool([...cidrs], maskSize, blocks, total) };
  }

  get used(): number {
    return this.#byIndex.size;
  }

  cidrOf(node: string): string | undefined {
    const i = this.#byNode.get(node);
    return i === undefined ? undefined : this.#text(i);
  }

  ownerOf(cidr: string): string | undefined {
    const i = this.#index(cidr);
    return i.ok ? this.#byIndex.get(i.value) : undefined;
  }

  /** Records a block the store says a node has; refused when it is not ours or someone else's. */
  import(node: string, cidr: string): EngineResult<string> {
    const i = this.#index(cidr);
    if (!i.ok) return i;
    const holder = this.#byIndex.get(i.value);
    if (holder !== undefined && holder !== node)
      return { ok: false, error: `node ${node}: ${cidr} is already allocated to node ${holder}` };
    const had = this.#byNode.get(node);
    if (had !== undefined && had !== i.value) this.#byIndex.delete(had);
    this.#byIndex.set(i.value, node);
    this.#byNode.set(node, i.value);
    return { ok: true, value: this.#text(i.value) };
  }

  /** The node's block; a new one when it has none. */
  allocate(node: string): EngineResult<string> {
    const had = this.#byNode.get(node);
    if (had !== undefined) return { ok: true, value: this.#text(had) };
    if (this.#byIndex.size >= this.total)
      return {
        ok: false,
        error: `cluster pool ${this.cidrs.join(',')}: no free /${this.maskSize} left for node ${node} (${this.used}/${this.total} allocated)`,
      };
    for (let k = 0; k < this.total; k++) {
      const i = (this.#next + k) % this.total;
      if (this.#byIndex.has(i)) continue;
      this.#byIndex.set(i, node);
      this.#byNode.set(node, i);
      this.#next = (i + 1) % this.total;
      return { ok: true, value: this.#text(i) };
    }
    return { ok: false, error: `cluster pool: no free block found for node ${node}` };
  }

  /** Frees the node's block; the CIDR it had. */
  release(node: string): string | undefined {
    const i = this.#byNode.get(node);
    if (i === undefined) return undefined;
    this.#byNode.delete(node);
    this.#byIndex.delete(i);
    return this.#text(i);
  }

  nodes(): string[] {
    return [...this.#byNode.keys()];
  }

  #text(index: number): string {
    const b = this.#blocks.find((x) => index >= x.offset && index < x.offset + x.count) as Block;
    const size = 2n ** BigInt(32 - this.maskSize);
    return `${formatAddr(4, b.cidr.base + BigInt(index - b.offset) * size)}/${this.maskSize}`;
  }

  #index(cidr: string): EngineResult<number> {
    const p = parsePrefix(cidr);
    if (!p.ok) return { ok: false, error: `"${cidr}": ${p.error}` };
    if (p.prefix.family !== 4 || p.prefix.prefix !== this.maskSize)
      return { ok: false, error: `${cidr} is not a /${this.maskSize} IPv4 block` };
    if (prefixRange(p.prefix).from !== p.prefix.base)
      return { ok: false, error: `${cidr} has host bits set` };
    const size = 2n ** BigInt(32 - this.maskSize);
    for (const b of this.#blocks) {
      const r = prefixRange(b.cidr);
      if (p.prefix.base >= r.from && p.prefix.base <= r.to)
        return { ok: true, value: b.offset + Number((p.prefix.base - r.from) / size) };
    }
    return { ok: false, error: `${cidr} is not in the cluster pool ${this.cidrs.join(',')}` };
  }
}

function formatBlock(p: Prefix): string {
  return `${formatAddr(4, p.base)}/${p.prefix}`;
}
