// bpf_lxc.o: the pod datapath, loaded once per endpoint with its own constants; every map is
// shared (pinned by name in the same directory as bpf_host's). The constant encoders say exactly
// what bytes the C side sees (bpf/lib/endpoint_config.h).
import type { ObjectSpec } from '../../bpf/loader.js';
import { perPacketLbMaps } from './lb-maps.js';
import { BpfError } from '../../bpf/errors.js';
import { writeIpv4, writeMac } from '../../bpf/codec-fields.js';
import { devicesCodec } from '../maps/devices.js';
import { dropsCodec } from '../maps/drops.js';
import { endpointsCodec } from '../maps/endpoints.js';
import { eventsCodec, eventsLostCodec } from '../maps/events.js';
import { ipcacheCodec } from '../maps/ipcache.js';
import { ipmasqCodec } from '../maps/ipmasq.js';
import { metricsCodec } from '../maps/metrics.js';
import { runtimeConfigCodec } from '../maps/runtime-config.js';
import { snatCodec } from '../maps/snat.js';

export const lxcObject = {
  name: 'bpf_lxc',
  path: 'build/bpf/bpf_lxc.o',
  maps: {
    endpoints: endpointsCodec,
    ipcache: ipcacheCodec,
    events: eventsCodec,
    eventsLost: eventsLostCodec,
    runtimeConfig: runtimeConfigCodec,
    drops: dropsCodec,
    metrics: metricsCodec,
    /** The native devices: where eBPF host routing may redirect to. */
    devices: devicesCodec,
    /** The per-packet service LB (objects/lb-maps.ts). */
    ...perPacketLbMaps,
    /** Declared by nat.h, whose rewrite helpers lb4.h uses; bpf_lxc itself never touches them. */
    snat: snatCodec,
    ipmasq: ipmasqCodec,
  },
  programs: { fromContainer: 'from_container', toContainer: 'to_container' },
  constants: {
    endpointId: { name: 'endpoint_id', type: 'u32' },
    /** encodeEndpointIpv4(). */
    endpointIpv4: { name: 'endpoint_ipv4', type: 'u32' },
    /** encodeInterfaceMac(). */
    interfaceMac: { name: 'interface_mac', type: 'u64' },
    interfaceIfindex: { name: 'interface_ifindex', type: 'u32' },
  },
} as const satisfies ObjectSpec;

/**
 * endpoint_ipv4 as the loader writes it (a little-endian u32): the number whose memory bytes are
 * the address in packet order, so the C side compares it with iphdr.saddr directly.
 * "10.200.1.5" → 0x0501c80a.
 */
export function encodeEndpointIpv4(ip: string): number {
  const buf = Buffer.alloc(4);
  writeIpv4(buf, 0, ip, lxcObject.name, 'constant endpoint_ipv4');
  return buf.readUInt32LE(0);
}

/**
 * interface_mac as the loader writes it (a little-endian u64): the 6 MAC bytes in packet order
 * in the low bytes, the top 2 bytes zero. "02:aa:bb:cc:dd:ee" → 0xeeddccbbaa02n.
 */
export function encodeInterfaceMac(mac: string): bigint {
  const buf = Buffer.alloc(8);
  writeMac(buf, 0, mac, lxcObject.name, 'constant interface_mac');
  return buf.readBigUInt64LE(0);
}

/** An endpoint ID must fit hdr.source / endpoint_info.lxc_id (u16), as Cilium's do. */
export function checkEndpointId(id: number): number {
  if (!Number.isInteger(id) || id < 1 || id > 0xffff)
    throw new BpfError({
      op: 'load endpoint',
      object: `${lxcObject.name} endpoint_id`,
      code: 'EINVAL',
      message: `${JSON.stringify(id)}: an endpoint ID is 1..65535`,
    });
  return id;
}
