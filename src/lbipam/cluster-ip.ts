// ClusterIP assignment for services created without one, as kube-apiserver does, from the
// configured service CIDR (default 10.96.0.0/12). The network and broadcast addresses are never
// handed out; IPs already in use by stored services are taken out before anything is assigned.
import { formatAddr, parseAddr, parseCidr, type Range } from './addr.js';
import { FreeBlocks } from './free-blocks.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

export class ClusterIpAllocator {
  private readonly range: Range;
  private readonly free: FreeBlocks;

  constructor(cidr: string = DEFAULT_SERVICE_CIDR) {
    const r = parseCidr(cidr);
    if (!r.ok) throw new Error(`--service-cidr "${cidr}": ${r.error}`);
    if (r.range.to - r.range.from < 3n)
      throw new Error(`--service-cidr "${cidr}": too small (needs at least a /30)`);
    this.range = r.range;
    this.free = new FreeBlocks(r.range.from, r.range.to);
    this.free.alloc(r.range.from);
    this.free.alloc(r.range.to);
  }

  /** Marks an existing clusterIP as used (ignored when outside the CIDR or not an IP). */
  observe(ip: string): void {
    const a = parseAddr(ip);
    if (a && a.family === this.range.family) this.free.alloc(a.value);
  }

  /** The next free clusterIP (lowest address first), or undefined when the CIDR is exhausted. */
  assign(): string | undefined {
    const v = this.free.allocAny();
    return v === undefined ? undefined : formatAddr(this.range.family, v);
  }

  release(ip: string): void {
    const a = parseAddr(ip);
    if (!a || a.family !== this.range.family || a.value === this.range.from || a.value === this.range.to)
      return;
    this.free.release(a.value);
  }
}

/** Services kube-apiserver gives a clusterIP: every type but ExternalName, unless headless. */
export function needsClusterIp(spec: { type?: string | undefined; clusterIP?: string | undefined }): boolean {
  return spec.type !== 'ExternalName' && (spec.clusterIP === undefined || spec.clusterIP === '');
}
