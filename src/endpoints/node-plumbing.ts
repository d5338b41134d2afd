// The node's own devices for pods (Cilium's cilium_host/cilium_net, pkg/datapath/loader/
// netlink.go): a veth pair waggle_host ⇄ waggle_net with ARP off on both and forwarding on,
// the router IP as a /32 on waggle_host, and — without endpoint routes — the PodCIDR routed via
// waggle_host, where from_host delivers to the pods. Idempotent: a restarted agent finds the
// devices as they were and changes nothing the packets in flight depend on.
import { run } from '../lib/exec.js';
import { HOST_DEVICE, NET_DEVICE, ROUTE_PROTO } from './names.js';
import { setSysctl } from './links.js';

const TIMEOUT_MS = 5000;

interface AddrJson {
  ifname: string;
  ifindex: number;
  address?: string;
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}

/** The IPv4 addresses on waggle_host now (the router IP of an earlier run), [] if absent. */
export async function hostDeviceAddresses(): Promise<string[]> {
  const r = await run('ip', ['-j', 'addr', 'show', 'dev', HOST_DEVICE], {
    timeoutMs: TIMEOUT_MS,
    allowFail: true,
  });
  if (r.code !== 0) return [];
  const links = JSON.parse(r.stdout) as AddrJson[];
  return (links[0]?.addr_info ?? [])
    .filter((a) => a.family === 'inet' && a.local)
    .map((a) => a.local as string);
}

export interface HostDevices {
  hostIfindex: number;
  hostMac: string;
  netIfindex: number;
}

export async function ensureHostDevices(opts: {
  routerIp: string;
  podCidr: string;
  endpointRoutes: boolean;
  mtu: number;
}): Promise<HostDevices> {
  const exists = await run('ip', ['link', 'show', 'dev', HOST_DEVICE], {
    timeoutMs: TIMEOUT_MS,
    allowFail: true,
  });
  if (exists.code !== 0) {
    await run(
      'ip',
      ['link', 'add', HOST_DEVICE, 'mtu', String(opts.mtu), 'type', 'veth', 'peer', 'name', NET_DEVICE],
      {
        timeoutMs: TIMEOUT_MS,
      },
    );
  }
  const lines = [
    `link set ${HOST_DEVICE} arp off`,
    `link set ${NET_DEVICE} arp off`,
    `link set ${HOST_DEVICE} up`,
    `link set ${NET_DEVICE} up`,
    `addr replace ${opts.routerIp}/32 dev ${HOST_DEVICE}`,
  ];
  await run('ip', ['-batch', '-'], { timeoutMs: TIMEOUT_MS, input: `${lines.join('\n')}\n` });
  for (const dev of [HOST_DEVICE, NET_DEVICE]) {
    setSysctl(`net/ipv4/conf/${dev}/forwarding`, '1');
    setSysctl(`net/ipv4/conf/${dev}/rp_filter`, '0');
  }
  // The node forwards between pods and its devices.
  setSysctl('net/ipv4/ip_forward', '1');
  // A router IP from an earlier PodCIDR is stale: only the current one stays.
  for (const a of await hostDeviceAddresses())
    if (a !== opts.routerIp)
      await run('ip', ['addr', 'del', `${a}/32`, 'dev', HOST_DEVICE], {
        timeoutMs: TIMEOUT_MS,
        allowFail: true,
      });
  const podRoute = [
    opts.podCidr,
    'via',
    opts.routerIp,
    'dev',
    HOST_DEVICE,
    'src',
    opts.routerIp,
    'proto',
    String(ROUTE_PROTO),
  ];
  if (opts.endpointRoutes)
    await run('ip', ['route', 'del', ...podRoute], { timeoutMs: TIMEOUT_MS, allowFail: true });
  else await run('ip', ['route', 'replace', ...podRoute], { timeoutMs: TIMEOUT_MS });
  const r = await run('ip', ['-j', 'link', 'show'], { timeoutMs: TIMEOUT_MS });
  const links = JSON.parse(r.stdout) as AddrJson[];
  const host = links.find((l) => l.ifname === HOST_DEVICE);
  const net = links.find((l) => l.ifname === NET_DEVICE);
  if (!host || !net) throw new Error(`${HOST_DEVICE}/${NET_DEVICE}: not found after creating them`);
  return { hostIfindex: host.ifindex, hostMac: host.address ?? '', netIfindex: net.ifindex };
}
