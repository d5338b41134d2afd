// bpf_host.o: from_netdev on every selected native device (tc ingress), from_host on waggle_host
// (tc egress), their maps and the load-time constant. The endpoint, ipcache and event maps are
// shared with every bpf_lxc.o (same pin directory). Adding a map to this object: its C header,
// its codec in src/datapath/maps/, and one line here.
import type { ObjectSpec } from '../../bpf/loader.js';
import { devicesCodec } from '../maps/devices.js';
import { dropsCodec } from '../maps/drops.js';
import { endpointsCodec } from '../maps/endpoints.js';
import { eventsCodec, eventsLostCodec } from '../maps/events.js';
import { ipcacheCodec } from '../maps/ipcache.js';
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
    endpoints: endpointsCodec,
    ipcache: ipcacheCodec,
    events: eventsCodec,
    eventsLost: eventsLostCodec,
  },
  programs: { fromNetdev: 'from_netdev', fromHost: 'from_host' },
  constants: {
    /** How old AgentLiveness may be before the responder stops answering (the lease duration). */
    maxLiveness: { name: 'l2_announcements_max_liveness', type: 'u64' },
  },
} as const satisfies ObjectSpec;
