// The seed's four machines ("Схема сети" and the `ip addr` listings of seed 001), as data. The lab
// builds exactly this: one network namespace per host with the seed's interface names, MACs and
// addresses, and two L2 segments whose bridges live in a namespace of the lab's own.

export interface LabInterface {
  /** Device name inside the host, as in the seed. */
  dev: 'eth0' | 'eth1';
  mac: string;
  /** Address with prefix, as in the seed (all /24). */
  cidr: string;
}

export interface LabHost {
  name: 'jumpbox' | 'server' | 'node-0' | 'node-1';
  netns: string;
  ifaces: LabInterface[];
  /** Runs `waggle agent` (the Kubernetes nodes of the seed: server, node-0, node-1). */
  agent: boolean;
  /** Node labels the agent is started with (the seed's server is the control plane). */
  labels: Record<string, string>;
  /** The seed's PodCIDR of this node (seed 001's `kubectl get nodes -o jsonpath` of podCIDR). */
  podCidr?: string;
}

/** The namespace holding the two segment bridges; no host process runs there. */
export const LAB_NETNS = 'waggle-lab';
/** One bridge per L2 segment: every host's eth0 joins br-eth0, every eth1 joins br-eth1. */
export const SEGMENTS = { eth0: 'br-eth0', eth1: 'br-eth1' } as const;

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

export const HOSTS: readonly LabHost[] = [
  {
    name: 'jumpbox',
    netns: 'waggle-jumpbox',
    agent: false,
    labels: {},
    ifaces: [
      { dev: 'eth0', mac: '00:0c:29:e4:f1:9a', cidr: '172.16.65.138/24' },
      { dev: 'eth1', mac: '00:0c:29:e4:f1:a4', cidr: '192.168.56.10/24' },
    ],
  },
  {
    name: 'server',
    netns: 'waggle-server',
    agent: true,
    labels: { [CONTROL_PLANE_LABEL]: '' },
    podCidr: '10.200.0.0/24',
    ifaces: [
      { dev: 'eth0', mac: '00:0c:29:34:87:04', cidr: '172.16.65.134/24' },
      { dev: 'eth1', mac: '00:0c:29:34:87:0e', cidr: '192.168.56.20/24' },
    ],
  },
  {
    name: 'node-0',
    netns: 'waggle-node-0',
    agent: true,
    labels: {},
    podCidr: '10.200.1.0/24',
    ifaces: [
      { dev: 'eth0', mac: '00:0c:29:e3:b1:a8', cidr: '172.16.65.135/24' },
      { dev: 'eth1', mac: '00:0c:29:e3:b1:b2', cidr: '192.168.56.50/24' },
    ],
  },
  {
    name: 'node-1',
    netns: 'waggle-node-1',
    agent: true,
    labels: {},
    podCidr: '10.200.2.0/24',
    ifaces: [
      { dev: 'eth0', mac: '00:0c:29:0d:b7:6c', cidr: '172.16.65.136/24' },
      { dev: 'eth1', mac: '00:0c:29:0d:b7:76', cidr: '192.168.56.60/24' },
    ],
  },
];

/**
 * Routes every host gets, as in the seed's `ip ro sh`. The default route's gateway 172.16.65.2 does
 * not exist in the lab (the seed's VMware NAT gateway): packets for it die on br-eth0, inside the
 * lab. It matters for the proxy_arp experiment, where the kernel answers only for addresses it
 * would route out of another interface.
 */
export const COMMON_ROUTES: readonly string[][] = [['default', 'via', '172.16.65.2', 'dev', 'eth0']];

/** The jumpbox's extra route: "Добавили сеть для LB на хост чтобы он слал ARP запросы в сеть". */
export const JUMPBOX_ROUTES: readonly string[][] = [['10.0.10.0/24', 'dev', 'eth1', 'scope', 'link']];

/** The etcd client URL inside the lab: the server's eth1 address, as k8sServiceHost in the seed. */
export const LAB_STORE_URL = 'etcd://192.168.56.20:2379';

export function hostByName(name: string): LabHost {
  const host = HOSTS.find((h) => h.name === name);
  if (!host) {
    throw new Error(`lab: host "${name}" unknown (hosts: ${HOSTS.map((h) => h.name).join(', ')})`);
  }
  return host;
}

/** The bridge-side veth name inside waggle-lab, e.g. `node-1-eth1` (≤ 15 characters). */
export function bridgePort(host: LabHost, dev: string): string {
  return `${host.name}-${dev}`;
}

export function allLabNetns(): string[] {
  return [...HOSTS.map((h) => h.netns), LAB_NETNS];
}
