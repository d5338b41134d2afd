// struct ipv4_ct_tuple (bpf/lib/nat_map.h), the 14-byte key of the NAT and conntrack maps:
//   { __be32 daddr; __be32 saddr; __be16 dport; __be16 sport; __u8 nexthdr; __u8 flags; } __packed
// The direction byte is each map's own business (NAT: OUT/IN; conntrack: OUT/IN/SERVICE).
import { BpfError } from '../../bpf/errors.js';
import { readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';
import { u16Field } from './fields.js';

export interface Ipv4Tuple {
  nexthdr: number;
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
}

export const CT_TUPLE_KEY = {
  c: 'struct ipv4_ct_tuple',
  size: 14,
  fields: { daddr: 0, saddr: 4, dport: 8, sport: 10, nexthdr: 12, flags: 13 },
} as const;

export function encodeCtTuple(t: Ipv4Tuple, flags: number, mapName: string): Buffer {
  const buf = Buffer.alloc(14);
  writeIpv4(buf, 0, t.daddr, mapName, 'key.daddr');
  writeIpv4(buf, 4, t.saddr, mapName, 'key.saddr');
  buf.writeUInt16BE(u16Field(t.dport, mapName, 'key.dport'), 8);
  buf.writeUInt16BE(u16Field(t.sport, mapName, 'key.sport'), 10);
  if (!Number.isInteger(t.nexthdr) || t.nexthdr < 0 || t.nexthdr > 255)
    throw new BpfError({
      op: 'encode',
      object: mapName,
      code: 'EINVAL',
      message: `key.nexthdr ${JSON.stringify(t.nexthdr)}: not an IP protocol number`,
    });
  buf.writeUInt8(t.nexthdr, 12);
  buf.writeUInt8(flags, 13);
  return buf;
}

/** The tuple and its flags byte. */
export function decodeCtTuple(buf: Buffer): { tuple: Ipv4Tuple; flags: number } {
  return {
    tuple: {
      nexthdr: buf.readUInt8(12),
      saddr: readIpv4(buf, 4),
      sport: buf.readUInt16BE(10),
      daddr: readIpv4(buf, 0),
      dport: buf.readUInt16BE(8),
    },
    flags: buf.readUInt8(13),
  };
}
