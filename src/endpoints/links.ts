// The kernel side of one endpoint through iproute2 (a well-kept tool; no hand-written netlink):
// the veth pair, the pod's address and routes inside its namespace, and the endpoint route on
// the node. Each step is one `ip -batch`, so an ADD costs three short-lived processes.
import { existsSync, writeFileSync } from 'node:fs';
import { run } from '../lib/exec.js';
import { ROUTE_PROTO, tmpPeerName } from './names.js';

const TIMEOUT_MS = 5000;

export interface VethSpec {
  hostIfname: string;
  hostMac: string;
  containerIfname: string;
  containerMac: string;
  /** The pod's network namespace (a path, e.g. /run/netns/cni-…). */
  netns: string;
  ipv4: string;
  gateway: string;
  mtu: number;
  /** Install `<ip>/32 dev <lxc>` on the node (--enable-endpoint-routes). */
  endpointRoute: boolean;
}

async function ipBatch(lines: string[], netns?: string): Promise<void> {
  const input = `${lines.join('\n')}\n`;
  if (netns) await run('nsenter', [`--net=${netns}`, 'ip', '-batch', '-'], { timeoutMs: TIMEOUT_MS, input });
  else await run('ip', ['-batch', '-'], { timeoutMs: TIMEOUT_MS, input });
}

/**
 * Creates the pair with the pod side in the pod, configured; returns the host side's ifindex.
 * Two processes in the common case: one `ip -json -batch` on the node (pair, move, up, route, and
 * the show that tells the ifindex), one inside the pod. A device left by an earlier attempt for
 * this very attachment (same hashed name) makes the first batch fail; it is removed and the
 * batch run again.
 */
export async function createVeth(s: VethSpec): Promise<number> {
  const tmp = tmpPeerName(s.hostIfname);
  const hostSide = [
    `link add ${s.hostIfname} mtu ${s.mtu} address ${s.hostMac} type veth peer name ${tmp} mtu ${s.mtu} address ${s.containerMac}`,
    `link set ${tmp} netns ${s.netns}`,
    `link set ${s.hostIfname} up`,
    ...(s.endpointRoute
      ? [`route replace ${s.ipv4}/32 dev ${s.hostIfname} scope link proto ${ROUTE_PROTO}`]
      : []),
    `link show dev ${s.hostIfname}`,
  ];
  let out: string;
  try {
    out = await ipJsonBatch(hostSide);
  } catch (err) {
    if (!/File exists/.test(String(err))) throw err;
    await run('ip', ['link', 'del', s.hostIfname], { timeoutMs: TIMEOUT_MS, allowFail: true });
    out = await ipJsonBatch(hostSide);
  }
  // The pod's ARP for its gateway is answered by from_container; the host side needs no address.
  // rp_filter off: replies to the pod leave through another device than its packets arrive on.
  setSysctl(`net/ipv4/conf/${s.hostIfname}/rp_filter`, '0');
  setSysctl(`net/ipv4/conf/${s.hostIfname}/forwarding`, '1');
  await ipBatch(
    [
      `link set ${tmp} name ${s.containerIfname}`,
      `link set lo up`,
      `link set ${s.containerIfname} up`,
      `addr add ${s.ipv4}/32 dev ${s.containerIfname}`,
      `route add ${s.gateway} dev ${s.containerIfname} scope link`,
      `route add default via ${s.gateway} dev ${s.containerIfname} mtu ${s.mtu}`,
    ],
    s.netns,
  );
  const link = (JSON.parse(out.trim().split('\n').pop() ?? '[]') as LinkJson[])[0];
  if (!link) throw new Error(`device ${s.hostIfname}: not found after creating it`);
  return link.ifindex;
}

/** `ip -json -batch -`: each show command prints one JSON array on its own line. */
async function ipJsonBatch(lines: string[]): Promise<string> {
  const r = await run('ip', ['-json', '-batch', '-'], {
    timeoutMs: TIMEOUT_MS,
    input: `${lines.join('\n')}\n`,
  });
  return r.stdout;
}

/** Removes the host side (the kernel removes the pod side with it) and our route; absent is fine. */
export async function deleteVeth(hostIfname: string, ipv4: string): Promise<void> {
  await run('ip', ['route', 'del', `${ipv4}/32`, 'dev', hostIfname, 'proto', String(ROUTE_PROTO)], {
    timeoutMs: TIMEOUT_MS,
    allowFail: true,
  });
  await run('ip', ['link', 'del', hostIfname], { timeoutMs: TIMEOUT_MS, allowFail: true });
}

interface LinkJson {
  ifindex: number;
  ifname: string;
  address?: string;
}

export async function ifindexOf(dev: string): Promise<number> {
  const r = await run('ip', ['-j', 'link', 'show', 'dev', dev], { timeoutMs: TIMEOUT_MS });
  const link = (JSON.parse(r.stdout) as LinkJson[])[0];
  if (!link) throw new Error(`device ${dev}: not found`);
  return link.ifindex;
}

/** Every link in the agent's namespace: name → ifindex. */
export async function listLinks(): Promise<Map<string, number>> {
  const r = await run('ip', ['-j', 'link', 'show'], { timeoutMs: TIMEOUT_MS });
  return new Map((JSON.parse(r.stdout) as LinkJson[]).map((l) => [l.ifname, l.ifindex]));
}

/** What CHECK verifies inside the pod: the interface and its addresses. */
export async function podAddresses(netns: string, ifname: string): Promise<string[] | undefined> {
  if (!existsSync(netns)) return undefined;
  const r = await run('nsenter', [`--net=${netns}`, 'ip', '-j', 'addr', 'show', 'dev', ifname], {
    timeoutMs: TIMEOUT_MS,
    allowFail: true,
  });
  if (r.code !== 0) return undefined;
  const links = JSON.parse(r.stdout) as Array<{
    addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
  }>;
  return (links[0]?.addr_info ?? [])
    .filter((a) => a.family === 'inet' && a.local)
    .map((a) => `${a.local}/${a.prefixlen ?? 32}`);
}

/** /proc/sys is the agent's own namespace's: these touch only the node's devices. */
export function setSysctl(path: string, value: string): void {
  writeFileSync(`/proc/sys/${path}`, value);
}
