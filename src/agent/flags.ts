// `waggle agent` options: parsed and checked once, each error naming its flag.
import { parseDuration, sanitizeTimings, type LeaseTimings } from '../l2announcer/timings.js';
import { type IpamMode, ipamModes } from '../ipam/podcidr.js';
import { parsePrefix } from '../lib/ip.js';
import { compileDevicePatterns } from './devices/select.js';
import { DEFAULT_INGRESS_HTTP_PORT, DEFAULT_INGRESS_HTTPS_PORT } from '../api/index.js';

export interface AgentFlags {
  node: string;
  store: string;
  devices?: string;
  agentLivenessUpdateInterval: string;
  /** Optional so callers built before it keep compiling; the CLI always passes its default. */
  nodeStatusUpdateFrequency?: string;
  l2AnnouncementsLeaseDuration: string;
  l2AnnouncementsRenewDeadline: string;
  l2AnnouncementsRetryPeriod: string;
  gratuitousArpCount: string;
  gratuitousArpInterval: string;
  pinDir?: string;
  apiSocket?: string;
  metricsAddr?: string;
  nodeLabels?: string;
  /** How often BPF map occupancy is read for metrics. */
  mapSampleInterval?: string;
  /** Pod IPAM mode: kubernetes (Node.spec.podCIDRs) or cluster-pool (CiliumNode, from the operator). */
  ipam?: string;
  enableEndpointRoutes?: boolean;
  /** Endpoint records and other state kept across restarts (default /run/waggle/<node>). */
  stateDir?: string;
  mtu?: string;
  routingMode?: string;
  autoDirectNodeRoutes?: boolean;
  ipv4NativeRoutingCidr?: string;
  /** `--enable-ipv4-masquerade=false` (Cilium's syntax) or --no-enable-ipv4-masquerade give false;
   * absent means Cilium's default, true. */
  enableIpv4Masquerade?: boolean | string;
  enableBpfMasquerade?: boolean;
  /** Cilium's --enable-host-legacy-routing: true (default) or "false" for eBPF host routing. */
  enableHostLegacyRouting?: boolean | string;
  enableIpMasqAgent?: boolean;
  ipMasqAgentConfigPath?: string;
  /** Socket LB. The CLI defaults it to true (Cilium's default); absent here means off, so that
   * callers building flags in code never attach to a cgroup they did not name. `--bpf-lb-sock=false`
   * (Cilium's syntax) and --no-bpf-lb-sock turn it off. */
  bpfLbSock?: boolean | string;
  cgroupRoot?: string;
  bpfLbMapMax?: string;
  bpfSockRevMapMax?: string;
  /** Cilium's --enable-node-port. The CLI defaults it to true; absent here means off. */
  enableNodePort?: boolean | string;
  bpfCtGlobalTcpMax?: string;
  bpfCtGlobalAnyMax?: string;
  /** Cilium's --enable-ingress-controller: the node's HAProxy (src/ingress). Absent = off. */
  enableIngressController?: boolean;
  ingressHttpPort?: string;
  ingressHttpsPort?: string;
  haproxyBinary?: string;
}

export interface AgentConfig {
  node: string;
  store: string;
  devicePatterns: RegExp[] | undefined;
  livenessIntervalMs: number;
  /** How often the Node's Ready heartbeat is posted (kubelet's --node-status-update-frequency). */
  nodeStatusUpdateFrequencyMs: number;
  /** Raw flag value: the datapath's max liveness (Cilium uses the unsanitised value too). */
  leaseDurationMs: number;
  timings: LeaseTimings;
  garpCount: number;
  garpIntervalMs: number;
  pinDir: string;
  apiSocket: string;
  metrics: { host: string; port: number } | undefined;
  nodeLabels: Record<string, string>;
  mapSampleMs: number;
  ipam: IpamMode;
  endpointRoutes: boolean;
  stateDir: string;
  mtu: number;
  routing: {
    mode: 'native';
    autoDirectNodeRoutes: boolean;
    nativeRoutingCidr: string | undefined;
    /** --enable-host-legacy-routing; false asks for eBPF host routing (used if the kernel can). */
    hostLegacyRouting: boolean;
  };
  masquerade: { enabled: boolean; mode: 'iptables' | 'bpf'; ipMasqAgentConfig: string | undefined };
  services: {
    socketLb: boolean;
    cgroupRoot: string | undefined;
    sizes: { services: number; backends: number; reverseNat: number; reverseSk: number };
    /** Frontends served to clients outside the node by from_netdev (LoadBalancer, externalIPs, NodePort). */
    nodePort: boolean;
    /** The conntrack maps of the per-packet LB. */
    ctSizes: { ct4Tcp: number; ct4Any: number };
  };
  ingress: { enabled: boolean; httpPort: number; httpsPort: number; binary: string };
}

/** Cilium's --bpf-lb-map-max default: 30,000 service ports with a backend each fit with room. */
export const DEFAULT_LB_MAP_MAX = 65536;
/** Conntrack sizes: a quarter of Cilium's --bpf-ct-global-tcp-max / -any-max defaults, as LRU
 * maps are preallocated (131072 × 54 B ≈ 7 MiB per node instead of 28 MiB). */
export const DEFAULT_CT_TCP_MAX = 131072;
export const DEFAULT_CT_ANY_MAX = 65536;
/** Cilium's --bpf-sock-rev-map-max default. */
export const DEFAULT_SOCK_REV_MAP_MAX = 262144;

function mapSize(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1 << 24)
    throw new Error(`${flag} "${text}": must be an integer 1..16777216`);
  return n;
}

/** The kubelet's default --node-status-update-frequency. */
export const DEFAULT_NODE_STATUS_UPDATE_FREQUENCY = '10s';

export function defaultApiSocket(node: string): string {
  return `/run/waggle/${node}/agent.sock`;
}

export function parseLabels(text: string | undefined, flag = '--node-labels'): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq) : part;
    if (!key) throw new Error(`${flag} "${text}": empty label key in "${part}"`);
    out[key] = eq >= 0 ? part.slice(eq + 1) : '';
  }
  return out;
}

/** A boolean flag given as `--flag`, `--flag=true` or `--flag=false` (Go's flag syntax, as Cilium's). */
export function parseBool(v: boolean | string, flag: string): boolean {
  if (typeof v === 'boolean') return v;
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0)$/i.test(v)) return false;
  throw new Error(`${flag} "${v}": must be true or false`);
}

export function parseAgentFlags(f: AgentFlags, warn: (m: string) => void): AgentConfig {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(f.node))
    throw new Error(`--node "${f.node}": not a valid node name`);
  const count = Number(f.gratuitousArpCount);
  if (!Number.isInteger(count) || count < 1 || count > 100)
    throw new Error(`--gratuitous-arp-count "${f.gratuitousArpCount}": must be an integer 1..100`);
  const leaseDurationMs = parseDuration(f.l2AnnouncementsLeaseDuration, '--l2-announcements-lease-duration');
  const interval = parseDuration(f.agentLivenessUpdateInterval, '--agent-liveness-update-interval');
  if (interval <= 0)
    throw new Error(`--agent-liveness-update-interval "${f.agentLivenessUpdateInterval}": must be > 0`);
  const mapSampleMs = parseDuration(f.mapSampleInterval ?? '10s', '--map-sample-interval');
  if (mapSampleMs <= 0) throw new Error(`--map-sample-interval "${f.mapSampleInterval}": must be > 0`);
  const statusText = f.nodeStatusUpdateFrequency ?? DEFAULT_NODE_STATUS_UPDATE_FREQUENCY;
  const statusMs = parseDuration(statusText, '--node-status-update-frequency');
  if (!(statusMs > 0)) throw new Error(`--node-status-update-frequency "${statusText}": must be > 0`);
  const ipam = (f.ipam ?? 'cluster-pool') as IpamMode;
  if (!ipamModes.includes(ipam))
    throw new Error(`--ipam "${f.ipam}": must be one of ${ipamModes.join(', ')}`);
  const mtu = Number(f.mtu ?? '1500');
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65535)
    throw new Error(`--mtu "${f.mtu}": must be an integer 576..65535`);
  const routingMode = f.routingMode ?? 'native';
  if (routingMode === 'tunnel')
    throw new Error('--routing-mode "tunnel": encapsulation (VXLAN/Geneve) is not built yet; use native');
  if (routingMode !== 'native') throw new Error(`--routing-mode "${routingMode}": must be native or tunnel`);
  const nativeCidr = f.ipv4NativeRoutingCidr;
  if (nativeCidr !== undefined && !parsePrefix(nativeCidr).ok)
    throw new Error(`--ipv4-native-routing-cidr "${nativeCidr}": not an IPv4 CIDR`);
  const masquerade = parseBool(f.enableIpv4Masquerade ?? true, '--enable-ipv4-masquerade');
  const bpfMasquerade = f.enableBpfMasquerade ?? false;
  // As Cilium's daemon: eBPF masquerading must know which destinations are pod-routable.
  if (bpfMasquerade && masquerade && nativeCidr === undefined)
    throw new Error(
      '--enable-bpf-masquerade: needs --ipv4-native-routing-cidr (the destinations that keep pod addresses)',
    );
  const hostLegacyRouting = parseBool(f.enableHostLegacyRouting ?? true, '--enable-host-legacy-routing');
  let metrics: AgentConfig['metrics'];
  if (f.metricsAddr) {
    const m = /^(.*):(\d+)$/.exec(f.metricsAddr);
    if (!m || Number(m[2]) > 65535) throw new Error(`--metrics-addr "${f.metricsAddr}": expected HOST:PORT`);
    metrics = { host: m[1] || '0.0.0.0', port: Number(m[2]) };
  }
  const lbMax = mapSize(f.bpfLbMapMax, DEFAULT_LB_MAP_MAX, '--bpf-lb-map-max');
  const sockRevMax = mapSize(f.bpfSockRevMapMax, DEFAULT_SOCK_REV_MAP_MAX, '--bpf-sock-rev-map-max');
  const ctTcpMax = mapSize(f.bpfCtGlobalTcpMax, DEFAULT_CT_TCP_MAX, '--bpf-ct-global-tcp-max');
  const ctAnyMax = mapSize(f.bpfCtGlobalAnyMax, DEFAULT_CT_ANY_MAX, '--bpf-ct-global-any-max');
  const nodePort = parseBool(f.enableNodePort ?? false, '--enable-node-port');
  return {
    node: f.node,
    store: f.store,
    devicePatterns: f.devices ? compileDevicePatterns(f.devices.split(',').filter(Boolean)) : undefined,
    livenessIntervalMs: interval,
    nodeStatusUpdateFrequencyMs: statusMs,
    leaseDurationMs,
    timings: sanitizeTimings(
      {
        leaseDurationMs,
        renewDeadlineMs: parseDuration(f.l2AnnouncementsRenewDeadline, '--l2-announcements-renew-deadline'),
        retryPeriodMs: parseDuration(f.l2AnnouncementsRetryPeriod, '--l2-announcements-retry-period'),
      },
      warn,
    ),
    garpCount: count,
    garpIntervalMs: parseDuration(f.gratuitousArpInterval, '--gratuitous-arp-interval'),
    pinDir: f.pinDir ?? `/sys/fs/bpf/waggle/${f.node}`,
    apiSocket: f.apiSocket ?? defaultApiSocket(f.node),
    metrics,
    nodeLabels: parseLabels(f.nodeLabels),
    mapSampleMs,
    ipam,
    endpointRoutes: f.enableEndpointRoutes ?? false,
    stateDir: f.stateDir ?? `/run/waggle/${f.node}`,
    mtu,
    routing: {
      mode: 'native',
      autoDirectNodeRoutes: f.autoDirectNodeRoutes ?? false,
      nativeRoutingCidr: nativeCidr,
      hostLegacyRouting,
    },
    masquerade: {
      enabled: masquerade,
      mode: bpfMasquerade ? 'bpf' : 'iptables',
      ipMasqAgentConfig: f.enableIpMasqAgent
        ? (f.ipMasqAgentConfigPath ?? '/etc/config/ip-masq-agent')
        : undefined,
    },
    services: {
      socketLb: parseBool(f.bpfLbSock ?? false, '--bpf-lb-sock'),
      cgroupRoot: f.cgroupRoot,
      sizes: { services: lbMax, backends: lbMax, reverseNat: lbMax, reverseSk: sockRevMax },
      nodePort,
      ctSizes: { ct4Tcp: ctTcpMax, ct4Any: ctAnyMax },
    },
    ingress: {
      enabled: f.enableIngressController ?? false,
      httpPort: portFlag(f.ingressHttpPort, '--ingress-http-port', DEFAULT_INGRESS_HTTP_PORT),
      httpsPort: portFlag(f.ingressHttpsPort, '--ingress-https-port', DEFAULT_INGRESS_HTTPS_PORT),
      binary: f.haproxyBinary ?? 'haproxy',
    },
  };
}

function portFlag(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`${flag} "${text}": must be a port 1..65535`);
  return n;
}
