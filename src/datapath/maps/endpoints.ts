// waggle_lxc: every local endpoint IP (and, flagged HOST, every local host IP), Cilium's
// cilium_lxc layout (bpf/lib/eps.h). Rows print as `cilium-dbg bpf endpoint list` does
// (pkg/maps/lxcmap/lxcmap.go). Layout:
//   key   struct endpoint_key  { union { __be32 ip4; __u8 ip6[16]; } addr; __u8 family; __u8 key; __u16 cluster_id; }  20 B
//   value struct endpoint_info { __u32 ifindex; __u16 unused; __u16 lxc_id; __u32 flags; __u32 rt_info;
//                                __u64 mac; __u64 node_mac; __u32 sec_id; __u32 parent_ifindex; __u32 pad[2]; }  48 B
// MACs are 6 bytes in packet order in the low bytes of the little-endian u64.
import { defineCodec } from '../../bpf/codec.js';
import { checkU32, readIpv4, readMac, writeIpv4, writeMac } from '../../bpf/codec-fields.js';
import { readIpv6, u16Field } from './fields.js';

export const ENDPOINTS_MAP = 'waggle_lxc';
export const ENDPOINTS_MAX_ENTRIES = 65535;

export const EndpointFlags = { HOST: 1, ATHOSTNS: 2, NO_SNAT_V4: 4, NO_SNAT_V6: 8 } as const;

export interface EndpointKey {
  /** Dotted-quad IPv4 (IPv6 keys decode to their full 8-group form). */
  ip: string;
  /** 0 unless cluster-aware addressing is on. */
  clusterId?: number;
}

export interface EndpointInfo {
  /** The host-side lxc device. */
  ifindex: number;
  /** The endpoint ID. */
  lxcId: number;
  /** EndpointFlags bits. */
  flags: number;
  rtInfo?: number;
  /** The pod's eth0 MAC. */
  mac: string;
  /** The lxc device's MAC. */
  nodeMac: string;
  /** Security identity. */
  secId: number;
  parentIfindex?: number;
}

const hexMac = (mac: string) => mac.toUpperCase();
/** Go's %-Nd: left-justified in a field of N. */
const left = (n: number, width: number) => String(n).padEnd(width);

export const endpointsCodec = defineCodec<EndpointKey, EndpointInfo>({
  mapName: ENDPOINTS_MAP,
  key: {
    c: 'struct endpoint_key',
    size: 20,
    fields: { addr: 0, family: 16, key: 17, cluster_id: 18 },
  },
  value: {
    c: 'struct endpoint_info',
    size: 48,
    fields: {
      ifindex: 0,
      unused: 4,
      lxc_id: 6,
      flags: 8,
      rt_info: 12,
      mac: 16,
      node_mac: 24,
      sec_id: 32,
      parent_ifindex: 36,
      pad: 40,
    },
  },
  encodeKey(key) {
    const buf = Buffer.alloc(20); // zeroed: the rest of addr must not differ between lookups
    writeIpv4(buf, 0, key.ip, ENDPOINTS_MAP, 'key.ip');
    buf.writeUInt8(1, 16);
    buf.writeUInt16LE(u16Field(key.clusterId ?? 0, ENDPOINTS_MAP, 'key.clusterId'), 18);
    return buf;
  },
  decodeKey(buf) {
    const ip = buf.readUInt8(16) === 2 ? readIpv6(buf, 0) : readIpv4(buf, 0);
    const clusterId = buf.readUInt16LE(18);
    return clusterId ? { ip, clusterId } : { ip };
  },
  encodeValue(v) {
    const buf = Buffer.alloc(48);
    buf.writeUInt32LE(checkU32(v.ifindex, ENDPOINTS_MAP, 'value.ifindex'), 0);
    buf.writeUInt16LE(u16Field(v.lxcId, ENDPOINTS_MAP, 'value.lxcId'), 6);
    buf.writeUInt32LE(checkU32(v.flags, ENDPOINTS_MAP, 'value.flags'), 8);
    buf.writeUInt32LE(checkU32(v.rtInfo ?? 0, ENDPOINTS_MAP, 'value.rtInfo'), 12);
    writeMac(buf, 16, v.mac, ENDPOINTS_MAP, 'value.mac');
    writeMac(buf, 24, v.nodeMac, ENDPOINTS_MAP, 'value.nodeMac');
    buf.writeUInt32LE(checkU32(v.secId, ENDPOINTS_MAP, 'value.secId'), 32);
    buf.writeUInt32LE(checkU32(v.parentIfindex ?? 0, ENDPOINTS_MAP, 'value.parentIfindex'), 36);
    return buf;
  },
  decodeValue: (buf) => ({
    ifindex: buf.readUInt32LE(0),
    lxcId: buf.readUInt16LE(6),
    flags: buf.readUInt32LE(8),
    rtInfo: buf.readUInt32LE(12),
    mac: readMac(buf, 16),
    nodeMac: readMac(buf, 24),
    secId: buf.readUInt32LE(32),
    parentIfindex: buf.readUInt32LE(36),
  }),
  columns: ['IP ADDRESS', 'LOCAL ENDPOINT INFO'],
  row: (k, v) => [`${k.ip}:0`, endpointInfoText(v)],
});

/** The value as `cilium-dbg bpf endpoint list` prints it. */
export function endpointInfoText(v: EndpointInfo): string {
  if (v.flags & EndpointFlags.HOST) return '(localhost)';
  const flags = v.flags.toString(16).toUpperCase().padStart(4, '0');
  return (
    `id=${left(v.lxcId, 5)} sec_id=${left(v.secId, 5)} flags=0x${flags} ifindex=${left(v.ifindex, 3)} ` +
    `mac=${hexMac(v.mac)} nodemac=${hexMac(v.nodeMac)} parent_ifindex=${left(v.parentIfindex ?? 0, 3)}`
  );
}
