// waggle_lb4_reverse_sk: per socket, which frontend a backend it was sent to stands for, so
// recvmsg()/getpeername() show the service (Cilium's cilium_lb4_reverse_sk, bpf/lib/sock.h).
// LRU; bpf_sock.o writes it, the agent only reads it. Layout in bpf/lib/sock.h:
//   key   struct ipv4_revnat_tuple { __u64 cookie; __be32 address; __be16 port; __u16 pad; }  16 B
//   value struct ipv4_revnat_entry { __be32 address; __be16 port; __u16 rev_nat_index; }      8 B
import { defineCodec } from '../../bpf/codec.js';
import { checkU64, readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';
import { u16Field } from './fields.js';

export const LB4_REVERSE_SK_MAP = 'waggle_lb4_reverse_sk';
/** Cilium's --bpf-sock-rev-map-max default. */
export const LB4_REVERSE_SK_DEFAULT_SIZE = 262144;

export interface RevSkKey {
  cookie: bigint;
  /** The backend the socket was sent to. */
  address: string;
  port: number;
}

export interface RevSkEntry {
  /** The frontend. */
  address: string;
  port: number;
  revNatIndex: number;
}

export const lb4ReverseSkCodec = defineCodec<RevSkKey, RevSkEntry>({
  mapName: LB4_REVERSE_SK_MAP,
  key: { c: 'struct ipv4_revnat_tuple', size: 16, fields: { cookie: 0, address: 8, port: 12, pad: 14 } },
  value: { c: 'struct ipv4_revnat_entry', size: 8, fields: { address: 0, port: 4, rev_nat_index: 6 } },
  encodeKey(k) {
    const buf = Buffer.alloc(16);
    buf.writeBigUInt64LE(checkU64(k.cookie, LB4_REVERSE_SK_MAP, 'key.cookie'), 0);
    writeIpv4(buf, 8, k.address, LB4_REVERSE_SK_MAP, 'key.address');
    buf.writeUInt16BE(u16Field(k.port, LB4_REVERSE_SK_MAP, 'key.port'), 12);
    return buf;
  },
  decodeKey: (buf) => ({
    cookie: buf.readBigUInt64LE(0),
    address: readIpv4(buf, 8),
    port: buf.readUInt16BE(12),
  }),
  encodeValue(v) {
    const buf = Buffer.alloc(8);
    writeIpv4(buf, 0, v.address, LB4_REVERSE_SK_MAP, 'value.address');
    buf.writeUInt16BE(u16Field(v.port, LB4_REVERSE_SK_MAP, 'value.port'), 4);
    buf.writeUInt16BE(u16Field(v.revNatIndex, LB4_REVERSE_SK_MAP, 'value.revNatIndex'), 6);
    return buf;
  },
  decodeValue: (buf) => ({
    address: readIpv4(buf, 0),
    port: buf.readUInt16BE(4),
    revNatIndex: buf.readUInt16BE(6),
  }),
  columns: ['SOCKET COOKIE', 'BACKEND ADDRESS', 'FRONTEND ADDRESS', 'REVNAT_ID'],
  row: (k, v) => [
    String(k.cookie),
    `${k.address}:${k.port}`,
    `${v.address}:${v.port}`,
    String(v.revNatIndex),
  ],
});
