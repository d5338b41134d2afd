// NodePort allocation, as kube-apiserver does it (kubernetes pkg/registry/core/service/portallocator):
// one range (default 30000-32767, --service-node-port-range) shared by every protocol, so a
// number held by one Service is refused to every other whatever its protocol.
//
// Random, not lowest-free, as Kubernetes picks: a dynamic port is drawn at random from the upper
// part of the range, and the lowest `offset` ports (KEP-3668, calculateRangeOffset:
// min(max(16, size/32), 128); 86 ports for the default range) are used only once the upper
// part is full. Users who choose a port by hand are told to choose it in that static band, so
// their choice rarely collides with one the allocator made first; lowest-free would fill the
// static band first and defeat it. The random source is injected so tests are exact.
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

export interface PortRange {
  base: number;
  size: number;
}

export const rangeText = (r: PortRange) => `${r.base}-${r.base + r.size - 1}`;

/** `30000-32767`, `30000+2767` or `30000`, as Kubernetes' net.ParsePortRange reads them. */
export function parsePortRange(text: string): { ok: true; range: PortRange } | { ok: false; error: string } {
  const m = /^(\d+)(?:([-+])(\d+))?$/.exec(text.trim());
  if (!m) return { ok: false, error: 'expected <low>-<high>, e.g. 30000-32767' };
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : m[2] === '-' ? Number(m[3]) : low + Number(m[3]);
  if (low < 1 || high > 65535) return { ok: false, error: 'ports must be 1..65535' };
  if (high < low) return { ok: false, error: `${high} is below ${low}` };
  return { ok: true, range: { base: low, size: high - low + 1 } };
}

/** Kubernetes' calculateRangeOffset: the size of the static band at the bottom of the range. */
export function staticBandSize(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

export type ClaimResult = { ok: true } | { ok: false; reason: 'range' | 'allocated'; owner?: string };

export class NodePortAllocator {
  readonly range: PortRange;
  private readonly owners = new Map<number, string>();
  private readonly offset: number;

  /** random() returns [0, 1) like Math.random. */
  constructor(
    range: string | PortRange = DEFAULT_NODE_PORT_RANGE,
    private readonly random: () => number = Math.random,
  ) {
    if (typeof range === 'string') {
      const r = parsePortRange(range);
      if (!r.ok) throw new Error(`--service-node-port-range "${range}": ${r.error}`);
      this.range = r.range;
    } else this.range = range;
    this.offset = staticBandSize(this.range.size);
  }

  contains(port: number): boolean {
    return port >= this.range.base && port < this.range.base + this.range.size;
  }

  ownerOf(port: number): string | undefined {
    return this.owners.get(port);
  }

  /** Reserves a given port for `owner`; holding it already is fine. */
  claim(port: number, owner: string): ClaimResult {
    if (!this.contains(port)) return { ok: false, reason: 'range' };
    const held = this.owners.get(port);
    if (held !== undefined && held !== owner) return { ok: false, reason: 'allocated', owner: held };
    this.owners.set(port, owner);
    return { ok: true };
  }

  /** A free port for `owner`: random in the dynamic band, else in the static band; undefined when full. */
  next(owner: string): number | undefined {
    const pick = this.scan(this.offset, this.range.size) ?? this.scan(0, this.offset);
    if (pick !== undefined) this.owners.set(pick, owner);
    return pick;
  }

  release(port: number): void {
    this.owners.delete(port);
  }

  used(): number {
    return this.owners.size;
  }

  /** Kubernetes' random scan: a random start in [from, to), then forward with wrap-around. */
  private scan(from: number, to: number): number | undefined {
    const n = to - from;
    if (n <= 0) return undefined;
    const start = Math.min(n - 1, Math.floor(this.random() * n));
    for (let i = 0; i < n; i++) {
      const port = this.range.base + from + ((start + i) % n);
      if (!this.owners.has(port)) return port;
    }
    return undefined;
  }
}
