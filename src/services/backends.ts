// Which endpoints of a Service port receive new connections, from its EndpointSlices, as
// kube-proxy decides (pkg/proxy/endpointslicecache.go, pkg/proxy/topology.go): an endpoint with
// no `ready` condition counts as ready, one with no `serving` condition counts as serving
// (discovery.k8s.io/v1 EndpointConditions); the ready ones are used; when none is ready, the
// serving and terminating ones are (KEP-1669, ProxyTerminatingEndpoints), so a Deployment whose
// pods are all shutting down keeps answering until they stop serving.
import type { EndpointSlice, SliceEndpoint } from '../api/endpoint-slice.js';
import { parseAddr } from '../lib/ip.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface DesiredBackend {
  address: string;
  port: number;
  proto: Protocol;
  /** active: ready; terminating: used only as the KEP-1669 fallback, or kept for its old connections. */
  state: 'active' | 'terminating';
  /** true: one of the frontend's slots (takes new connections). */
  slot: boolean;
  /** The pod's node, when the slice says (for `service list` and, later, traffic policies). */
  nodeName?: string;
}

const isReady = (e: SliceEndpoint) => e.conditions.ready !== false;
const isServing = (e: SliceEndpoint) => e.conditions.serving !== false;
const isTerminating = (e: SliceEndpoint) => e.conditions.terminating === true;

/**
 * The backends of one Service port (`portName` as the Service names it, '' when unnamed) across
 * the Service's IPv4 slices. The backend port is the slice port of the same name and protocol:
 * the EndpointSlice controller has already resolved a named targetPort per pod there. Sorted by
 * address and port, so slots stay put when an unrelated backend comes or goes.
 */
export function backendsFor(
  slices: readonly EndpointSlice[],
  portName: string,
  proto: Protocol,
): DesiredBackend[] {
  const byAddr = new Map<string, { e: SliceEndpoint; port: number }>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && p.protocol === proto);
    if (!sp || sp.port === undefined) continue; // this slice carries no such port
    for (const e of slice.endpoints) {
      const address = e.addresses[0];
      if (!address) continue;
      const key = `${address}:${sp.port}`;
      const seen = byAddr.get(key);
      // The same address in two slices (a slice being replaced): the readier record wins.
      if (!seen || (isReady(e) && !isReady(seen.e))) byAddr.set(key, { e, port: sp.port });
    }
  }
  const all = [...byAddr.entries()].sort(([a], [b]) => compareAddrPort(a, b)).map(([, v]) => v);
  const ready = all.filter(({ e }) => isReady(e) && !isTerminating(e));
  const fallback = ready.length === 0;
  const out: DesiredBackend[] = [];
  for (const { e, port } of all) {
    const address = e.addresses[0] as string;
    const active = isReady(e) && !isTerminating(e);
    const slot = active || (fallback && isServing(e) && isTerminating(e));
    // Not ready and not terminating: a pod starting up — not a backend at all yet.
    if (!active && !isTerminating(e)) continue;
    out.push({
      address,
      port,
      proto,
      state: active ? 'active' : 'terminating',
      slot,
      ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    });
  }
  return out;
}

function compareAddrPort(a: string, b: string): number {
  const [ia = '', pa = '0'] = a.split(':');
  const [ib = '', pb = '0'] = b.split(':');
  const va = parseAddr(ia)?.value ?? 0n;
  const vb = parseAddr(ib)?.value ?? 0n;
  if (va !== vb) return va < vb ? -1 : 1;
  return Number(pa) - Number(pb);
}
