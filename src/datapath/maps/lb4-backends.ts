// waggle_lb4_backends_v3 (backend ID → address, port, protocol, state) and waggle_lb4_reverse_nat
// (service ID → the frontend replies must come from): Cilium's cilium_lb4_backends_v3 and
// cilium_lb4_reverse_nat (bpf/lib/lb.h, bpf/lib/common.h). Layouts in bpf/lib/lb_types.h:
//   backends key  __u32 backend_id (host order)
//            value struct lb4_backend { __be32 address; __be16 port; __u8 proto; __u8 flags; __u16 cluster_id; __u8 zone; __u8 pad; } 12 B
//   revnat   key  __u16 rev_nat_index (network order)
//            value struct lb4_reverse_nat { __be32 address; __be16 port; } packed, 6 B
import { defineCodec } from '../../bpf/codec.js';
import { checkU32, readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';
import { u16Field } from './fields.js';
import { protoName } from './lb4-services.js';

export const LB4_BACKENDS_MAP = 'waggle_lb4_backends_v3';
export const LB4_REVERSE_NAT_MAP = 'waggle_lb4_reverse_nat';

/** lb4_backend.flags: the backend's state (Cilium's BE_STATE_*). */
export const BackendState = { active: 0, terminating: 1, quarantined: 2, maintenance: 3 } as const;
export type BackendStateName = keyof typeof BackendState;

export function backendStateName(n: number): string {
  for (const [name, v] of Object.entries(BackendState)) if (v === n) return name;
  return `unknown(${n})`;
}

export interface Lb4Backend {
  address: string;
  port: number;
  proto: number;
  /** BackendState value. */
  state: number;
  clusterId?: number;
  zone?: number;
}

export const lb4BackendsCodec = defineCodec<number, Lb4Backend>({
  mapName: LB4_BACKENDS_MAP,
  key: { c: '__u32', size: 4 },
  value: {
    c: 'struct lb4_backend',
    size: 12,
    fields: { address: 0, port: 4, proto: 6, flags: 7, cluster_id: 8, zone: 10, pad: 11 },
  },
  encodeKey(id) {
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(checkU32(id, LB4_BACKENDS_MAP, 'key (backend ID)'));
    return buf;
  },
  decodeKey: (buf) => buf.readUInt32LE(0),
  encodeValue(v) {
    const buf = Buffer.alloc(12);
    writeIpv4(buf, 0, v.address, LB4_BACKENDS_MAP, 'value.address');
    buf.writeUInt16BE(u16Field(v.port, LB4_BACKENDS_MAP, 'value.port'), 4);
    buf.writeUInt8(v.proto & 0xff, 6);
    buf.writeUInt8(v.state & 0xff, 7);
    buf.writeUInt16LE(u16Field(v.clusterId ?? 0, LB4_BACKENDS_MAP, 'value.clusterId'), 8);
    buf.writeUInt8((v.zone ?? 0) & 0xff, 10);
    return buf;
  },
  decodeValue(buf) {
    return {
      address: readIpv4(buf, 0),
      port: buf.readUInt16BE(4),
      proto: buf.readUInt8(6),
      state: buf.readUInt8(7),
      clusterId: buf.readUInt16LE(8),
      zone: buf.readUInt8(10),
    };
  },
  // `cilium-dbg bpf lb list --backends`: `ID  BACKEND ADDRESS`, the value as `TCP://10.244.1.69`.
  columns: ['ID', 'BACKEND ADDRESS', 'PORT', 'STATE'],
  row: (id, v) => [
    String(id),
    `${protoName(v.proto)}://${v.address}`,
    String(v.port),
    backendStateName(v.state),
  ],
});

export interface Lb4ReverseNat {
  address: string;
  port: number;
}

export const lb4ReverseNatCodec = defineCodec<number, Lb4ReverseNat>({
  mapName: LB4_REVERSE_NAT_MAP,
  key: { c: '__u16', size: 2 },
  value: { c: 'struct lb4_reverse_nat', size: 6, fields: { address: 0, port: 4 } },
  encodeKey(id) {
    const buf = Buffer.alloc(2);
    buf.writeUInt16BE(u16Field(id, LB4_REVERSE_NAT_MAP, 'key (rev_nat_index)'));
    return buf;
  },
  decodeKey: (buf) => buf.readUInt16BE(0),
  encodeValue(v) {
    const buf = Buffer.alloc(6);
    writeIpv4(buf, 0, v.address, LB4_REVERSE_NAT_MAP, 'value.address');
    buf.writeUInt16BE(u16Field(v.port, LB4_REVERSE_NAT_MAP, 'value.port'), 4);
    return buf;
  },
  decodeValue: (buf) => ({ address: readIpv4(buf, 0), port: buf.readUInt16BE(4) }),
  // `cilium-dbg bpf lb list --revnat`: `ID  BACKEND ADDRESS (REVNAT_ID) (SLOT)` titles, `ip:port` values.
  columns: ['ID', 'FRONTEND ADDRESS'],
  row: (id, v) => [String(id), `${v.address}:${v.port}`],
});
