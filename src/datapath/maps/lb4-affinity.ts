// waggle_lb4_affinity: sessionAffinity ClientIP, Cilium's cilium_lb4_affinity layout
// (bpf/lib/lb_types.h). Written by the datapath (bpf/lib/lb_affinity.h); the agent only shows it.
//   key   struct lb4_affinity_key { __u64 client_id; __u16 rev_nat_id; __u8 netns_cookie; __u8 pad1; __u32 pad2; } 16 B
//   value struct lb_affinity_val  { __u64 last_used; __u32 backend_id; __u32 pad; }                              16 B
import { defineCodec } from '../../bpf/codec.js';
import { readIpv4 } from '../../bpf/codec-fields.js';
import { u16Field } from './fields.js';

export const LB4_AFFINITY_MAP = 'waggle_lb4_affinity';

export interface AffinityKey {
  /** The client: an IPv4 in packet order (per-packet LB), or a netns cookie (socket LB). */
  clientId: bigint;
  /** The service ID (host order here; network order in the map). */
  revNat: number;
  netnsCookie: boolean;
}

export interface AffinityValue {
  /** Seconds of CLOCK_MONOTONIC of the client's last new connection. */
  lastUsed: bigint;
  backendId: number;
}

/** A client as `bpf lb list`-style views print it: its address, or `netns:<cookie>`. */
export function affinityClient(k: AffinityKey): string {
  if (k.netnsCookie) return `netns:${k.clientId}`;
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(k.clientId);
  return readIpv4(buf, 0);
}

export const lb4AffinityCodec = defineCodec<AffinityKey, AffinityValue>({
  mapName: LB4_AFFINITY_MAP,
  key: {
    c: 'struct lb4_affinity_key',
    size: 16,
    fields: { client_id: 0, rev_nat_id: 8, netns_cookie: 10, pad1: 11, pad2: 12 },
  },
  value: { c: 'struct lb_affinity_val', size: 16, fields: { last_used: 0, backend_id: 8, pad: 12 } },
  encodeKey(k) {
    const buf = Buffer.alloc(16);
    buf.writeBigUInt64LE(k.clientId, 0);
    buf.writeUInt16BE(u16Field(k.revNat, LB4_AFFINITY_MAP, 'key.revNat'), 8);
    buf.writeUInt8(k.netnsCookie ? 1 : 0, 10);
    return buf;
  },
  decodeKey: (buf) => ({
    clientId: buf.readBigUInt64LE(0),
    revNat: buf.readUInt16BE(8),
    netnsCookie: buf.readUInt8(10) === 1,
  }),
  encodeValue(v) {
    const buf = Buffer.alloc(16);
    buf.writeBigUInt64LE(v.lastUsed, 0);
    buf.writeUInt32LE(v.backendId >>> 0, 8);
    return buf;
  },
  decodeValue: (buf) => ({ lastUsed: buf.readBigUInt64LE(0), backendId: buf.readUInt32LE(8) }),
  columns: ['CLIENT', 'SERVICE ID', 'BACKEND ID', 'LAST USED'],
  row: (k, v) => [affinityClient(k), String(k.revNat), String(v.backendId), String(v.lastUsed)],
});
