// waggle_lb4_services_v2: one master row (backend_slot 0, the backend count) and one row per
// backend slot for every frontend; Cilium's cilium_lb4_services_v2 (bpf/lib/lb.h). Layout in
// bpf/lib/lb_types.h:
//   key   struct lb4_key     { __be32 address; __be16 dport; __u16 backend_slot; __u8 proto; __u8 scope; __u8 pad[2]; }  12 B
//   value struct lb4_service { __u32 backend_id; __u16 count; __u16 rev_nat_index; __u8 flags; __u8 flags2; __u16 qcount; } 12 B
// rev_nat_index is stored in network order, as Cilium's agent stores it.
import { defineCodec } from '../../bpf/codec.js';
import { checkU32, readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';
import { u16Field } from './fields.js';

export const LB4_SERVICES_MAP = 'waggle_lb4_services_v2';
/** Cilium's --bpf-lb-map-max default: room for 30,000 service ports with a backend each and more. */
export const LB_MAP_DEFAULT_SIZE = 65536;

/** IPPROTO_* numbers of the L4 protocols a frontend can have. */
export const L4Proto = { TCP: 6, UDP: 17, SCTP: 132 } as const;
export type L4ProtoName = keyof typeof L4Proto;

export function protoName(n: number): string {
  for (const [name, v] of Object.entries(L4Proto)) if (v === n) return name;
  return n === 0 ? 'ANY' : String(n);
}

/** lb4_service.flags (Cilium's enum lb_svc_flags, bpf/lib/lb.h). */
export const SvcFlag = {
  EXTERNAL_IP: 1 << 0,
  NODEPORT: 1 << 1,
  EXT_LOCAL_SCOPE: 1 << 2,
  HOSTPORT: 1 << 3,
  AFFINITY: 1 << 4,
  LOADBALANCER: 1 << 5,
  ROUTABLE: 1 << 6,
  SOURCE_RANGE: 1 << 7,
} as const;

/** lb4_service.flags2 (Cilium's enum lb_svc_flags2; waggle uses TWO_SCOPES only). */
export const SvcFlag2 = {
  /** A second row set at scope 1 (internal) for clients inside the cluster (externalTrafficPolicy=Local). */
  TWO_SCOPES: 1 << 5,
} as const;

export interface Lb4Key {
  address: string;
  port: number;
  /** 0: the master row; 1..count: a backend slot. */
  backendSlot: number;
  /** IPPROTO_* number. */
  proto: number;
  /** 0 external, 1 internal (internalTrafficPolicy=Local); waggle writes 0 only. */
  scope?: number;
}

export interface Lb4Service {
  /** Slot rows: the backend's ID; master row: 0 (Cilium's affinity timeout, unused yet). */
  backendId: number;
  /** Master row: how many slots; slot rows: 0. */
  count: number;
  revNatIndex: number;
  flags: number;
  flags2?: number;
  qcount?: number;
}

export const lb4ServicesCodec = defineCodec<Lb4Key, Lb4Service>({
  mapName: LB4_SERVICES_MAP,
  key: {
    c: 'struct lb4_key',
    size: 12,
    fields: { address: 0, dport: 4, backend_slot: 6, proto: 8, scope: 9, pad: 10 },
  },
  value: {
    c: 'struct lb4_service',
    size: 12,
    fields: { backend_id: 0, count: 4, rev_nat_index: 6, flags: 8, flags2: 9, qcount: 10 },
  },
  encodeKey(k) {
    const buf = Buffer.alloc(12); // zeroed: pad takes part in the hash
    writeIpv4(buf, 0, k.address, LB4_SERVICES_MAP, 'key.address');
    buf.writeUInt16BE(u16Field(k.port, LB4_SERVICES_MAP, 'key.dport'), 4);
    buf.writeUInt16LE(u16Field(k.backendSlot, LB4_SERVICES_MAP, 'key.backendSlot'), 6);
    buf.writeUInt8(k.proto & 0xff, 8);
    buf.writeUInt8((k.scope ?? 0) & 0xff, 9);
    return buf;
  },
  decodeKey(buf) {
    return {
      address: readIpv4(buf, 0),
      port: buf.readUInt16BE(4),
      backendSlot: buf.readUInt16LE(6),
      proto: buf.readUInt8(8),
      scope: buf.readUInt8(9),
    };
  },
  encodeValue(v) {
    const buf = Buffer.alloc(12);
    buf.writeUInt32LE(checkU32(v.backendId, LB4_SERVICES_MAP, 'value.backendId'), 0);
    buf.writeUInt16LE(u16Field(v.count, LB4_SERVICES_MAP, 'value.count'), 4);
    buf.writeUInt16BE(u16Field(v.revNatIndex, LB4_SERVICES_MAP, 'value.revNatIndex'), 6);
    buf.writeUInt8(v.flags & 0xff, 8);
    buf.writeUInt8((v.flags2 ?? 0) & 0xff, 9);
    buf.writeUInt16LE(u16Field(v.qcount ?? 0, LB4_SERVICES_MAP, 'value.qcount'), 10);
    return buf;
  },
  decodeValue(buf) {
    return {
      backendId: buf.readUInt32LE(0),
      count: buf.readUInt16LE(4),
      revNatIndex: buf.readUInt16BE(6),
      flags: buf.readUInt8(8),
      flags2: buf.readUInt8(9),
      qcount: buf.readUInt16LE(10),
    };
  },
  // `cilium-dbg bpf lb list --frontends`: key, then `<backend_id> <count>[<qcount>] (<revnat>) [0x<flags> 0x<flags2>]`.
  columns: ['SERVICE ADDRESS', 'BACKEND ID'],
  row: (k, v) => [
    `${frontendString(k)} (${k.backendSlot})`,
    `${v.backendId} ${v.count}[${v.qcount ?? 0}] (${v.revNatIndex}) [0x${v.flags.toString(16)} 0x${(v.flags2 ?? 0).toString(16)}]`,
  ],
});

/** `addr:port/PROTO[/i]`, Cilium's L3n4Addr string (pkg/loadbalancer/loadbalancer.go). */
export function frontendString(k: { address: string; port: number; proto: number; scope?: number }): string {
  return `${k.address}:${k.port}/${protoName(k.proto)}${k.scope === 1 ? '/i' : ''}`;
}
