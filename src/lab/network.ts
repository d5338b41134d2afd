// Builds and removes the lab's network. Every link is created inside waggle-lab and its host end
// is created directly in the host's namespace (`peer … netns`), so nothing ever appears in the
// host's own namespace. Every step checks before it acts, so `up` can be re-run over any partial
// state (a crash, a killed `up`) and converges.
import { sh } from '../testing/exec.js';
import {
  bridgePort,
  COMMON_ROUTES,
  HOSTS,
  JUMPBOX_ROUTES,
  LAB_NETNS,
  type LabHost,
  type LabInterface,
  SEGMENTS,
} from './topology.js';

interface IpLink {
  ifname: string;
  address?: string;
  operstate?: string;
  master?: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

export function listNetns(): string[] {
  const out = sh('ip', ['-j', 'netns', 'list'], { allowFail: true }).stdout.trim();
  if (!out) return [];
  return (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name);
}

export function links(netns: string): IpLink[] {
  return JSON.parse(sh('ip', ['-n', netns, '-j', 'addr', 'show']).stdout) as IpLink[];
}

function ensureNetns(name: string, present: Set<string>): boolean {
  if (present.has(name)) return false;
  sh('ip', ['netns', 'add', name]);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  // IPv6 duplicate address detection only delays link-locals; the lab's story is IPv4 ARP.
  sysctl(name, 'net.ipv6.conf.default.accept_dad', '0');
  sysctl(name, 'net.ipv6.conf.all.accept_dad', '0');
  return true;
}

export function sysctl(netns: string, key: string, value: string): void {
  sh('ip', ['netns', 'exec', netns, 'sysctl', '-q', '-w', `${key}=${value}`]);
}

function ensureBridge(br: string, existing: IpLink[]): void {
  if (!existing.some((l) => l.ifname === br)) {
    // STP off and forward delay 0: ports forward at once, like the seed's hypervisor switch.
    sh('ip', ['-n', LAB_NETNS, 'link', 'add', br, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  }
  sh('ip', ['-n', LAB_NETNS, 'link', 'set', br, 'up']);
}

function ensureInterface(host: LabHost, iface: LabInterface, labLinks: IpLink[], hostLinks: IpLink[]): void {
  const port = bridgePort(host, iface.dev);
  const inHost = hostLinks.find((l) => l.ifname === iface.dev);
  const inLab = labLinks.find((l) => l.ifname === port);
  if (!inHost || !inLab) {
    // Half a pair is useless: remove what is left and make the pair again.
    if (inLab) sh('ip', ['-n', LAB_NETNS, 'link', 'del', port]);
    if (inHost) sh('ip', ['-n', host.netns, 'link', 'del', iface.dev]);
    sh('ip', [
      ...['-n', LAB_NETNS, 'link', 'add', port, 'type', 'veth'],
      ...['peer', 'name', iface.dev, 'address', iface.mac, 'netns', host.netns],
    ]);
  }
  sh('ip', ['-n', LAB_NETNS, 'link', 'set', port, 'master', SEGMENTS[iface.dev], 'up']);
  sh('ip', ['-n', host.netns, 'link', 'set', iface.dev, 'address', iface.mac, 'up']);
  sh('ip', ['-n', host.netns, 'addr', 'replace', iface.cidr, 'dev', iface.dev]);
}

function ensureHost(host: LabHost, labLinks: IpLink[]): void {
  const hostLinks = links(host.netns);
  for (const iface of host.ifaces) ensureInterface(host, iface, labLinks, hostLinks);
  for (const route of [...COMMON_ROUTES, ...(host.name === 'jumpbox' ? JUMPBOX_ROUTES : [])]) {
    sh('ip', ['-n', host.netns, 'route', 'replace', ...route]);
  }
  // The seed's Kubernetes nodes route pod traffic; the kernel's proxy_arp answers only when it
  // may forward, which the proxy_arp experiment relies on. Forwarding stays inside the lab: no
  // route in any lab namespace leads out of it.
  if (host.agent) sysctl(host.netns, 'net.ipv4.ip_forward', '1');
}

/** Creates whatever part of the topology is missing; returns a line per namespace for progress. */
export function ensureTopology(progress: (line: string) => void): void {
  const present = new Set(listNetns());
  const created = ensureNetns(LAB_NETNS, present);
  sysctl(LAB_NETNS, 'net.ipv6.conf.all.disable_ipv6', '1');
  let labLinks = links(LAB_NETNS);
  for (const br of Object.values(SEGMENTS)) ensureBridge(br, labLinks);
  progress(
    `netns ${LAB_NETNS}${created ? ' created' : ' present'}: bridges ${Object.values(SEGMENTS).join(', ')}`,
  );
  for (const host of HOSTS) {
    const made = ensureNetns(host.netns, present);
    labLinks = links(LAB_NETNS);
    ensureHost(host, labLinks);
    const desc = host.ifaces.map((i) => `${i.dev} ${i.cidr.split('/')[0]} ${i.mac}`).join(', ');
    progress(`netns ${host.netns}${made ? ' created' : ' present'}: ${desc}`);
  }
}

/** Problems with the running topology, empty when it is exactly the seed's. */
export function topologyProblems(): string[] {
  const problems: string[] = [];
  const present = new Set(listNetns());
  for (const ns of [LAB_NETNS, ...HOSTS.map((h) => h.netns)]) {
    if (!present.has(ns)) problems.push(`netns ${ns} missing`);
  }
  if (problems.length > 0) return problems;
  const labLinks = links(LAB_NETNS);
  for (const host of HOSTS) {
    const hostLinks = links(host.netns);
    for (const iface of host.ifaces) {
      const l = hostLinks.find((x) => x.ifname === iface.dev);
      const [addr, len] = iface.cidr.split('/');
      if (!l) problems.push(`${host.name}: ${iface.dev} missing`);
      else if (l.address !== iface.mac) problems.push(`${host.name}: ${iface.dev} MAC ${l.address}`);
      else if (
        !l.addr_info?.some((a) => a.family === 'inet' && a.local === addr && String(a.prefixlen) === len)
      )
        problems.push(`${host.name}: ${iface.dev} lacks ${iface.cidr}`);
      const port = labLinks.find((x) => x.ifname === bridgePort(host, iface.dev));
      if (port?.master !== SEGMENTS[iface.dev])
        problems.push(`${host.name}: ${iface.dev} not on ${SEGMENTS[iface.dev]}`);
    }
  }
  return problems;
}

/** Deletes the lab's namespaces; the veths, bridges and tc filters in them go with them. */
export function removeTopology(progress: (line: string) => void): void {
  const present = new Set(listNetns());
  for (const ns of [...HOSTS.map((h) => h.netns), LAB_NETNS]) {
    if (!present.has(ns)) continue;
    sh('ip', ['netns', 'del', ns]);
    progress(`netns ${ns} deleted`);
  }
}
