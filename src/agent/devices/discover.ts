// Interfaces as netlink reports them in the agent's network namespace (`ip -j -d addr`), never
// through /sys/class/net, which reflects the namespace only under `ip netns exec`.
import { run } from '../../lib/exec.js';

export interface Device {
  name: string;
  ifindex: number;
  mac: string;
  up: boolean;
  loopback: boolean;
  /** rtnetlink link kind ("veth", "bridge", …) or "" for physical devices. */
  kind: string;
  addresses: string[];
}

interface IpAddrJson {
  ifindex: number;
  ifname: string;
  flags?: string[];
  link_type?: string;
  address?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: Array<{ local?: string; scope?: string }>;
}

export function parseIpAddr(json: string): Device[] {
  const links = JSON.parse(json) as IpAddrJson[];
  return links.map((l) => ({
    name: l.ifname,
    ifindex: l.ifindex,
    mac: l.address ?? '',
    up: (l.flags ?? []).includes('UP'),
    loopback: l.link_type === 'loopback' || (l.flags ?? []).includes('LOOPBACK'),
    kind: l.linkinfo?.info_kind ?? '',
    addresses: (l.addr_info ?? []).filter((a) => a.local && a.scope !== 'host').map((a) => a.local as string),
  }));
}

/** Runs `ip -j -d addr show` without blocking the agent's timers (leases, liveness). */
export async function discoverDevices(): Promise<Device[]> {
  return parseIpAddr((await run('ip', ['-j', '-d', 'addr', 'show'], { timeoutMs: 10_000 })).stdout);
}
