// The maps of the per-packet service LB (bpf/lib/lb4.h), which bpf_host and every bpf_lxc
// declare alike and share by pin: bpf_sock's service maps (services, backends, reverse NAT,
// source ranges, affinity), the two conntrack maps and their made/removed counters.
import { ct4AnyCodec, ct4TcpCodec } from '../maps/ct4.js';
import { ctStatsCodec } from '../maps/ct-stats.js';
import { lb4AffinityCodec } from '../maps/lb4-affinity.js';
import { lb4BackendsCodec, lb4ReverseNatCodec } from '../maps/lb4-backends.js';
import { lb4ServicesCodec } from '../maps/lb4-services.js';
import { lb4SourceRangeCodec } from '../maps/lb4-source-range.js';

export const perPacketLbMaps = {
  services: lb4ServicesCodec,
  backends: lb4BackendsCodec,
  reverseNat: lb4ReverseNatCodec,
  sourceRange: lb4SourceRangeCodec,
  affinity: lb4AffinityCodec,
  ct4Tcp: ct4TcpCodec,
  ct4Any: ct4AnyCodec,
  ctStats: ctStatsCodec,
} as const;
