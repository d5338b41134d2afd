// bpf_host.o: from_netdev on every selected native device (tc ingress), to_netdev on their tc
// egress while eBPF masquerading or NodePort is on, from_host on waggle_host (tc egress), their maps and the
// load-time constants (bpf/lib/l2_responder.h, bpf/lib/masq_config.h). The endpoint, ipcache and event maps are
// shared with every bpf_lxc.o (same pin directory). Adding a map to this object: its C header,
// its codec in src/datapath/maps/, and one line here.
import { writeIpv4 } from '../../bpf/codec-fields.js';
import { BpfError } from '../../bpf/errors.js';
import type { ObjectSpec } from '../../bpf/loader.js';
import { perPacketLbMaps } from './lb-maps.js';
import { devicesCodec } from '../maps/devices.js';
import { dropsCodec } from '../maps/drops.js';
import { endpointsCodec } from '../maps/endpoints.js';
import { eventsCodec, eventsLostCodec } from '../maps/events.js';
import { ipcacheCodec } from '../maps/ipcache.js';
import { ipmasqCodec } from '../maps/ipmasq.js';
import { l2ResponderV4Codec } from '../maps/l2-responder.js';
import { metricsCodec } from '../maps/metrics.js';
import { runtimeConfigCodec } from '../maps/runtime-config.js';
import { snatCodec } from '../maps/snat.js';

export const hostObject = {
  name: 'bpf_host',
  path: 'build/bpf/bpf_host.o',
  maps: {
    responder: l2ResponderV4Codec,
    runtimeConfig: runtimeConfigCodec,
    devices: devicesCodec,
    drops: dropsCodec,
    metrics: metricsCodec,
    endpoints: endpointsCodec,
    ipcache: ipcacheCodec,
    events: eventsCodec,
    eventsLost: eventsLostCodec,
    snat: snatCodec,
    ipmasq: ipmasqCodec,
    /** The per-packet service LB (objects/lb-maps.ts). */
    ...perPacketLbMaps,
  },
  programs: { fromNetdev: 'from_netdev', toNetdev: 'to_netdev', fromHost: 'from_host' },
  constants: {
    /** How old AgentLiveness may be before the responder stops answering (the lease duration). */
    maxLiveness: { name: 'l2_announcements_max_liveness', type: 'u64' },
    /** Non-zero: to_netdev masquerades, from_netdev translates replies back. */
    bpfMasquerade: { name: 'enable_bpf_masquerade', type: 'u32' },
    /** --ipv4-native-routing-cidr's network address (encodeEndpointIpv4's encoding) and length. */
    snatExclusion: { name: 'snat_exclusion_v4', type: 'u32' },
    snatExclusionLen: { name: 'snat_exclusion_v4_len', type: 'u32' },
    /** Non-zero: waggle_ipmasq_v4's prefixes are not masqueraded. */
    ipMasqAgent: { name: 'enable_ip_masq_agent', type: 'u32' },
    natPortMin: { name: 'nat_port_min', type: 'u32' },
    natPortMax: { name: 'nat_port_max', type: 'u32' },
  },
} as const satisfies ObjectSpec;

/** eBPF masquerading as bpf_host is loaded with it (bpf/lib/masq_config.h). */
export interface HostMasqueradeConfig {
  /** --ipv4-native-routing-cidr: destinations inside it keep the pod's address. */
  nativeRoutingCidr?: string;
  /** --enable-ip-masq-agent: waggle_ipmasq_v4's prefixes keep the pod's address too. */
  ipMasqAgent: boolean;
  /** The ports a masqueraded flow may get; default 32768..65535, Cilium's (see masq_config.h). */
  portMin?: number;
  portMax?: number;
}

export const DEFAULT_NAT_PORT_MIN = 32768;
export const DEFAULT_NAT_PORT_MAX = 65535;

function masqError(field: string, message: string): BpfError {
  return new BpfError({
    op: 'load host datapath',
    object: `${hostObject.name} ${field}`,
    code: 'EINVAL',
    message,
  });
}

/** The constants of `cfg` (undefined: masquerading off, every constant at its compiled default). */
export function masqueradeConstants(cfg: HostMasqueradeConfig | undefined): Record<string, number> {
  if (!cfg) return {};
  const min = cfg.portMin ?? DEFAULT_NAT_PORT_MIN;
  const max = cfg.portMax ?? DEFAULT_NAT_PORT_MAX;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max)
    throw masqError('nat_port_min/max', `${min}-${max}: must be a port range within 1..65535`);
  const out: Record<string, number> = { bpfMasquerade: 1, ipMasqAgent: cfg.ipMasqAgent ? 1 : 0 };
  out.natPortMin = min;
  out.natPortMax = max;
  if (cfg.nativeRoutingCidr !== undefined) {
    const m = /^([0-9.]+)\/(\d{1,2})$/.exec(cfg.nativeRoutingCidr);
    const len = m ? Number(m[2]) : -1;
    if (!m || len > 32)
      throw masqError('snat_exclusion_v4', `${JSON.stringify(cfg.nativeRoutingCidr)}: not an IPv4 CIDR`);
    const buf = Buffer.alloc(4);
    writeIpv4(buf, 0, m[1] as string, hostObject.name, 'constant snat_exclusion_v4');
    // The C side compares packet-order bytes read as a little-endian u32, as endpoint_ipv4.
    out.snatExclusion = buf.readUInt32LE(0);
    out.snatExclusionLen = len;
  }
  return out;
}
