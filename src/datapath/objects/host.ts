// bpf_host.o: the program on every selected native device (from_netdev at tc ingress), its maps
// and its load-time constant. Adding a map to this object: its C header, its codec in
// src/datapath/maps/, and one line here.
import type { ObjectSpec } from '../../bpf/loader.js';
import { devicesCodec } from '../maps/devices.js';
import { dropsCodec } from '../maps/drops.js';
import { l2ResponderV4Codec } from '../maps/l2-responder.js';
import { metricsCodec } from '../maps/metrics.js';
import { runtimeConfigCodec } from '../maps/runtime-config.js';

export const hostObject = {
  name: 'bpf_host',
  path: 'build/bpf/bpf_host.o',
  maps: {
    responder: l2ResponderV4Codec,
    runtimeConfig: runtimeConfigCodec,
    devices: devicesCodec,
    drops: dropsCodec,
    metrics: metricsCodec,
  },
  programs: { fromNetdev: 'from_netdev' },
  constants: {
    /** How old AgentLiveness may be before the responder stops answering (the lease duration). */
    maxLiveness: { name: 'l2_announcements_max_liveness', type: 'u64' },
  },
} as const satisfies ObjectSpec;
