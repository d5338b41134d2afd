// The pure half of cluster health (Cilium's cilium-health): which addresses to probe for each
// CiliumNode, the shape of the results, and when a node counts as reachable. The prober
// (prober.ts) fills these in; the CLI (format.ts) prints them.
import { type CiliumNode, ciliumNodeAddress } from '../api/cilium-node.js';

/** One probe's outcome; rttMs only on success, error (one line) only on failure. */
export interface ProbeResult {
  ok: boolean;
  rttMs?: number;
  error?: string;
}

/** One address probed both ways, as Cilium's models.PathStatus (ICMP to stack, HTTP to agent). */
export interface PathHealth {
  ip: string;
  icmp: ProbeResult;
  http: ProbeResult;
}

export interface NodeHealth {
  name: string;
  host: PathHealth;
  /** Absent when the CiliumNode has no spec.health.ipv4 (its health endpoint is not built yet). */
  endpoint?: PathHealth;
}

export interface HealthStatus {
  /** This agent's node: printed first, marked "(localhost)". */
  local: string;
  reachable: number;
  total: number;
  /** RFC 3339 (seconds) time of the last complete probe round, null before the first. */
  lastProbe: string | null;
  intervalMs: number;
  nodes: NodeHealth[];
}

/** What one node is probed on: host = its InternalIP, endpoint = its health endpoint's IPv4. */
export interface HealthTarget {
  name: string;
  hostIp: string | undefined;
  healthIp: string | undefined;
}

/** Cilium prints a node without a primary address as "Unavailable" (pkg/health/client). */
export const IP_UNAVAILABLE = 'Unavailable';

/** Every CiliumNode, this one included (Cilium probes its own node too), sorted by name. */
export function healthTargets(nodes: readonly CiliumNode[]): HealthTarget[] {
  return nodes
    .map((n) => ({
      name: n.metadata.name,
      hostIp: ciliumNodeAddress(n, 'InternalIP'),
      healthIp: n.spec.health?.ipv4,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A node is reachable when its host answers ICMP and its health endpoint answers HTTP: the
 * node's stack is up, and the datapath delivers to a pod-like endpoint on it. Cilium also
 * requires HTTP to the host (its agent serves 4240 on the node IP); waggle's agent does not
 * listen there, so host HTTP is probed and shown but does not count. A node without a health
 * IP is not reachable: nothing on it vouches for pod connectivity.
 */
export function nodeReachable(n: NodeHealth): boolean {
  return n.host.icmp.ok && n.endpoint?.http.ok === true;
}

export function summarize(
  local: string,
  nodes: NodeHealth[],
  lastProbe: Date | null,
  intervalMs: number,
): HealthStatus {
  return {
    local,
    reachable: nodes.filter(nodeReachable).length,
    total: nodes.length,
    lastProbe: lastProbe === null ? null : rfc3339Seconds(lastProbe),
    intervalMs,
    nodes,
  };
}

/** Go's time.RFC3339 in UTC: no fractional seconds. */
export function rfc3339Seconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The RTT in ms from `ping -c 1` (iputils: "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64
 * time=0.052 ms"), or undefined when no reply line is there.
 */
export function parsePingRtt(stdout: string): number | undefined {
  const m = /bytes from .*\btime[=<]([0-9.]+) ms/.exec(stdout);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
