// Node routes for native routing, as desired state (pure): with --auto-direct-node-routes every
// other node's IPv4 PodCIDRs are routed via its InternalIP on the device the kernel uses to reach
// it (Cilium's pkg/datapath/linux/node.go, autoDirectNodeRoutes). That only works when the node
// is on this node's L2 segment — the kernel's route to it has no gateway — so a node that is not
// is skipped with a reason, as Cilium's direct-routing-skip-unreachable does, and never fails
// the rest. Also the difference between these routes and the kernel's routes of our protocol.
import type { CiliumNode } from '../api/index.js';
import { formatPrefix, parseAddr, parsePrefix } from '../lib/ip.js';

/**
 * The protocol number node routes carry. Endpoint and PodCIDR routes use 194 (src/endpoints):
 * each owner lists and removes only its own number, so neither removes the other's routes.
 */
export const NODE_ROUTE_PROTO = 195;

export interface NodeRoute {
  cidr: string;
  via: string;
  dev: string;
}

/** The kernel's answer to `ip route get <node IP>`; null when it has no route at all. */
export interface PathToNode {
  dev: string;
  gateway?: string;
  /** The address is this host's own. */
  local?: boolean;
}

export interface SkippedNode {
  node: string;
  reason: string;
}

export interface NodeHop {
  node: string;
  via: string;
  cidrs: string[];
}

const isIpv4 = (ip: string) => parseAddr(ip)?.family === 4;

/** A PodCIDR as the kernel prints it back (network address, explicit length); undefined if not IPv4. */
export function canonicalIpv4Cidr(text: string): string | undefined {
  const p = parsePrefix(text.includes('/') ? text : `${text}/32`);
  return p.ok && p.prefix.family === 4 ? formatPrefix(p.prefix) : undefined;
}

/**
 * Every other node's next hop (its IPv4 InternalIP) and IPv4 PodCIDRs, sorted by node name so a
 * PodCIDR claimed twice always goes to the same node. IPv6 addresses and CIDRs are ignored.
 */
export function nodeHops(
  self: string,
  nodes: readonly CiliumNode[],
): { hops: NodeHop[]; skipped: SkippedNode[] } {
  const hops: NodeHop[] = [];
  const skipped: SkippedNode[] = [];
  const claimedBy = new Map<string, string>();
  const cidrsOf = (n: CiliumNode) =>
    (n.spec.ipam?.podCIDRs ?? []).map(canonicalIpv4Cidr).filter((c): c is string => c !== undefined);
  const sorted = [...nodes].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  // This node's own PodCIDRs are never routed to another node, whatever the objects say.
  for (const n of sorted) if (n.metadata.name === self) for (const c of cidrsOf(n)) claimedBy.set(c, self);
  for (const n of sorted) {
    const node = n.metadata.name;
    if (node === self) continue;
    const via = n.spec.addresses?.find((a) => a.type === 'InternalIP' && isIpv4(a.ip))?.ip;
    if (!via) {
      skipped.push({ node, reason: 'no IPv4 InternalIP in spec.addresses' });
      continue;
    }
    const cidrs: string[] = [];
    for (const c of cidrsOf(n)) {
      const owner = claimedBy.get(c);
      if (owner !== undefined) skipped.push({ node, reason: `PodCIDR ${c} is also node ${owner}'s` });
      else {
        claimedBy.set(c, node);
        cidrs.push(c);
      }
    }
    if (cidrs.length > 0) hops.push({ node, via, cidrs });
    else if (cidrsOf(n).length === 0) skipped.push({ node, reason: 'no IPv4 PodCIDR in spec.ipam.podCIDRs' });
  }
  return { hops, skipped };
}

/** The routes for the hops, given the kernel's path to each next hop (missing = no route). */
export function desiredNodeRoutes(
  hops: readonly NodeHop[],
  paths: ReadonlyMap<string, PathToNode | null>,
): { routes: NodeRoute[]; skipped: SkippedNode[] } {
  const routes: NodeRoute[] = [];
  const skipped: SkippedNode[] = [];
  for (const h of hops) {
    const path = paths.get(h.via) ?? null;
    const reason =
      path === null
        ? `no route to its InternalIP ${h.via}`
        : path.local
          ? `its InternalIP ${h.via} is an address of this host`
          : path.gateway !== undefined
            ? `not on this node's L2 segment: ${h.via} is reached via gateway ${path.gateway} dev ${path.dev}`
            : undefined;
    if (path === null || reason !== undefined) {
      skipped.push({ node: h.node, reason: reason ?? `no route to its InternalIP ${h.via}` });
      continue;
    }
    for (const cidr of h.cidrs) routes.push({ cidr, via: h.via, dev: path.dev });
  }
  return { routes, skipped };
}

/** A route of our protocol found in the kernel (`via` absent for a route without a gateway). */
export interface KernelRoute {
  cidr: string;
  via?: string;
  dev?: string;
}

export interface RouteDiff {
  add: NodeRoute[];
  /** Our route for the prefix exists with another next hop or device. */
  replace: NodeRoute[];
  remove: KernelRoute[];
}

/** What turns `existing` (our protocol's routes only) into `desired`. */
export function diffNodeRoutes(desired: readonly NodeRoute[], existing: readonly KernelRoute[]): RouteDiff {
  const have = new Map<string, KernelRoute>();
  const extra: KernelRoute[] = [];
  for (const r of existing) {
    // Two of ours for one prefix (different metrics, by hand): the first is kept, the rest go.
    if (have.has(r.cidr)) extra.push(r);
    else have.set(r.cidr, r);
  }
  const want = new Set(desired.map((r) => r.cidr));
  const out: RouteDiff = { add: [], replace: [], remove: extra };
  for (const r of desired) {
    const cur = have.get(r.cidr);
    if (!cur) out.add.push(r);
    else if (cur.via !== r.via || cur.dev !== r.dev) out.replace.push(r);
  }
  for (const r of have.values()) if (!want.has(r.cidr)) out.remove.push(r);
  return out;
}
