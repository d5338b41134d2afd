// waggle_l2_responder_v4: which (IP, ingress device) pairs this node answers ARP for, and how
// many replies each has sent. Layout in bpf/lib/l2_responder.h:
//   key   struct l2_responder_v4_key { __be32 ip4; __u32 ifindex; }   8 B
//   value struct l2_responder_stats  { __u64 responses_sent; }         8 B
import { defineCodec } from '../../bpf/codec.js';
import { checkU32, checkU64, readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';

export const L2_RESPONDER_V4_MAP = 'waggle_l2_responder_v4';
export const L2_RESPONDER_V4_MAX_ENTRIES = 4096;

export interface L2ResponderKey {
  /** The announced IPv4 address, dotted quad. */
  ip: string;
  /** The device the request must arrive on (skb ingress ifindex). */
  ifindex: number;
}

export interface L2ResponderStats {
  responsesSent: bigint;
}

export const l2ResponderV4Codec = defineCodec<L2ResponderKey, L2ResponderStats>({
  mapName: L2_RESPONDER_V4_MAP,
  key: { c: 'struct l2_responder_v4_key', size: 8, fields: { ip4: 0, ifindex: 4 } },
  value: { c: 'struct l2_responder_stats', size: 8, fields: { responses_sent: 0 } },
  encodeKey(key) {
    const buf = Buffer.alloc(8); // zeroed: no stray bytes in the hash key
    writeIpv4(buf, 0, key.ip, L2_RESPONDER_V4_MAP, 'key.ip');
    buf.writeUInt32LE(checkU32(key.ifindex, L2_RESPONDER_V4_MAP, 'key.ifindex'), 4);
    return buf;
  },
  decodeKey(buf) {
    return { ip: readIpv4(buf, 0), ifindex: buf.readUInt32LE(4) };
  },
  encodeValue(value) {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(checkU64(value.responsesSent, L2_RESPONDER_V4_MAP, 'value.responsesSent'));
    return buf;
  },
  decodeValue(buf) {
    return { responsesSent: buf.readBigUInt64LE(0) };
  },
  columns: ['IP', 'INTERFACE', 'IFINDEX', 'RESPONSES_SENT'],
  row: (k, v, ctx) => [k.ip, ctx.ifname(k.ifindex) ?? '?', String(k.ifindex), String(v.responsesSent)],
});
