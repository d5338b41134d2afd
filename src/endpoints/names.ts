// Names of the interfaces and files the endpoint manager owns, in one place: Cilium's names with
// our prefix where two datapaths could share a host (cilium_host → waggle_host).
import { createHash } from 'node:crypto';

/** The node's router device; the router IP lives here as a /32 (Cilium's cilium_host). */
export const HOST_DEVICE = 'waggle_host';
/** Its veth peer (Cilium's cilium_net). */
export const NET_DEVICE = 'waggle_net';
/** The host side of the health endpoint's veth. */
export const HEALTH_DEVICE = 'lxc_health';
/** The TCP port of the health responder (Cilium's ClusterHealthPort). */
export const HEALTH_PORT = 4240;

/**
 * Host-side veth of a pod attachment: "lxc" + the first 12 hex digits of
 * sha256("<containerID>:<ifname>"), as Cilium's connector names it
 * (pkg/datapath/connector/add.go) — stable, so a retried ADD or a DEL finds the same device.
 */
export function lxcName(containerId: string, ifname: string): string {
  return `lxc${createHash('sha256').update(`${containerId}:${ifname}`).digest('hex').slice(0, 12)}`;
}

/** A temporary name for the pod side before it is moved into the pod and renamed. */
export function tmpPeerName(hostIfname: string): string {
  return `tmp${hostIfname.slice(3, 15)}`;
}

/**
 * Routes the agent installs carry this protocol number (unassigned in iproute2's rt_protos),
 * so a route of ours is told from a route somebody else made and only ours are ever removed.
 */
export const ROUTE_PROTO = 194;

/** A MAC for a device we create: locally administered, unicast, derived from a seed string. */
export function macFor(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  const bytes = [((h[0] ?? 0) & 0xfc) | 0x02, h[1], h[2], h[3], h[4], h[5]];
  return bytes.map((b) => (b ?? 0).toString(16).padStart(2, '0')).join(':');
}
