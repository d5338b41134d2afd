// Services × EndpointSlices → the frontends this node serves, each with its backends (pure: no
// store, maps or clock). A frontend is one address:port/protocol of a Service port: its
// ClusterIP, each IPv4 LoadBalancer ingress IP, each externalIP — as Cilium makes one frontend
// per address (pkg/loadbalancer) — and, for each port with a nodePort, one NodePort frontend at
// 0.0.0.0:<nodePort>: Cilium's "surrogate" frontend (pkg/loadbalancer), which the datapath
// looks up for a packet to any of the node's own addresses, so node addresses added at runtime
// need no new rows.
import { SLICE_SERVICE_LABEL, type EndpointSlice } from '../api/endpoint-slice.js';
import type { Service } from '../api/service.js';
import { parseAddr } from '../lib/ip.js';
import { backendsFor, type DesiredBackend, type Protocol } from './backends.js';

/** Cilium's service types as `service list` prints them. */
export type FrontendType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalIPs';

/** The address of the surrogate NodePort frontend (Cilium's zero address). */
export const NODEPORT_SURROGATE = '0.0.0.0';

export interface DesiredFrontend {
  /** "<namespace>/<name>" of the Service. */
  service: string;
  /** The Service port's name ('' when unnamed). */
  portName: string;
  type: FrontendType;
  address: string;
  port: number;
  proto: Protocol;
  backends: DesiredBackend[];
  /** externalTrafficPolicy=Local (traffic-policy.ts): one of the two row sets, scope 0 or 1. */
  extLocal?: boolean;
  scope?: 0 | 1;
  /** loadBalancerSourceRanges, IPv4 CIDRs: only these clients from outside. */
  sourceRanges?: string[];
  /** sessionAffinity ClientIP: a client's new connections go to its last backend for this long. */
  affinityTimeoutS?: number;
}

/** `addr:port/PROTO`: a frontend's or backend's identity (IDs are allocated per this string). */
export const l3n4 = (a: { address: string; port: number; proto: string }) =>
  `${a.address}:${a.port}/${a.proto}`;

const isIpv4 = (s: string | undefined): s is string => s !== undefined && parseAddr(s)?.family === 4;

type ServicePort = NonNullable<Service['spec']['ports']>[number];

function frontendAddresses(
  svc: Service,
  p: ServicePort,
): Array<{ type: FrontendType; address: string; port: number }> {
  const spec = svc.spec;
  if (spec.type === 'ExternalName') return [];
  const out: Array<{ type: FrontendType; address: string; port: number }> = [];
  const at = (type: FrontendType, address: string) => out.push({ type, address, port: p.port });
  const cluster = new Set([spec.clusterIP, ...(spec.clusterIPs ?? [])].filter(isIpv4));
  for (const address of cluster) at('ClusterIP', address);
  // Only the types that have nodePorts: a stale one left on a ClusterIP Service opens nothing.
  const nodePortType = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (nodePortType && p.nodePort !== undefined)
    out.push({ type: 'NodePort', address: NODEPORT_SURROGATE, port: p.nodePort });
  if (spec.type === 'LoadBalancer')
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (isIpv4(ing.ip)) at('LoadBalancer', ing.ip);
  for (const address of spec.externalIPs ?? []) if (isIpv4(address)) at('ExternalIPs', address);
  return out;
}

/** The slices of each Service, by "<namespace>/<service name>" (their kubernetes.io/service-name label). */
export function slicesByService(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const name = s.metadata.labels?.[SLICE_SERVICE_LABEL];
    if (!name) continue;
    const key = `${s.metadata.namespace ?? 'default'}/${name}`;
    const mine = out.get(key);
    if (mine) mine.push(s);
    else out.set(key, [s]);
  }
  return out;
}

/**
 * Every frontend of every Service, sorted by frontend. Two Services claiming the same
 * address:port/protocol: the older one (then the one first by name) keeps it and the other is
 * reported, as an API server would never allow it but a hand-written store can.
 */
export function desiredFrontends(
  services: readonly Service[],
  slices: readonly EndpointSlice[],
): { frontends: DesiredFrontend[]; conflicts: string[] } {
  const bySvc = slicesByService(slices);
  const byFrontend = new Map<string, DesiredFrontend>();
  const conflicts: string[] = [];
  // Each key computed once, not once per comparison (30k Services: ~450k comparisons).
  const ordered = services
    .map((svc) => ({ svc, key: svcKey(svc), at: svc.metadata.creationTimestamp ?? '' }))
    .sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
  for (const { svc, key } of ordered) {
    const mine = bySvc.get(key) ?? [];
    for (const p of svc.spec.ports ?? []) {
      const portName = p.name ?? '';
      const backends = backendsFor(mine, portName, p.protocol);
      for (const { type, address, port } of frontendAddresses(svc, p)) {
        const fe: DesiredFrontend = {
          service: key,
          portName,
          type,
          address,
          port,
          proto: p.protocol,
          backends,
        };
        const id = l3n4(fe);
        const held = byFrontend.get(id);
        if (held) {
          conflicts.push(`service "${key}": frontend ${id} is already service "${held.service}"'s; ignored`);
          continue;
        }
        byFrontend.set(id, fe);
      }
    }
  }
  const frontends = [...byFrontend.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, fe]) => fe);
  return { frontends, conflicts };
}

const svcKey = (s: Service) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
