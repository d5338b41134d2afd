// waggle_lb4_source_range: loadBalancerSourceRanges, Cilium's cilium_lb4_source_range layout
// (bpf/lib/lb_types.h): an LPM trie keyed by (service ID, client prefix) whose presence is the
// answer. Only frontends flagged SvcFlag.SOURCE_RANGE consult it.
//   key   struct lb4_src_range_key { __u32 prefixlen; __u16 rev_nat_id; __u16 pad; __be32 addr; }  12 B
//         (prefixlen counts rev_nat_id and pad, 32 bits, before the address bits)
//   value __u8
import { BpfError } from '../../bpf/errors.js';
import { defineCodec } from '../../bpf/codec.js';
import { readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';
import { u16Field } from './fields.js';

export const LB4_SOURCE_RANGE_MAP = 'waggle_lb4_source_range';
export const LB4_SOURCE_RANGE_MAX_ENTRIES = 16384;

export interface SourceRangeKey {
  /** The service ID (rev-NAT index) of the frontend. */
  revNat: number;
  /** "192.168.56.0/24"; host bits are cleared on encode. */
  cidr: string;
}

export const lb4SourceRangeCodec = defineCodec<SourceRangeKey, number>({
  mapName: LB4_SOURCE_RANGE_MAP,
  key: {
    c: 'struct lb4_src_range_key',
    size: 12,
    fields: { prefixlen: 0, rev_nat_id: 4, pad: 6, addr: 8 },
  },
  value: { c: '__u8', size: 1 },
  encodeKey(k) {
    const m = /^([0-9.]+)\/(\d{1,2})$/.exec(k.cidr);
    const len = m ? Number(m[2]) : -1;
    if (!m || len > 32)
      throw new BpfError({
        op: 'encode',
        object: LB4_SOURCE_RANGE_MAP,
        code: 'EINVAL',
        message: `key.cidr ${JSON.stringify(k.cidr)}: not an IPv4 prefix (a.b.c.d/len, len 0..32)`,
      });
    const buf = Buffer.alloc(12);
    buf.writeUInt32LE(32 + len, 0);
    buf.writeUInt16BE(u16Field(k.revNat, LB4_SOURCE_RANGE_MAP, 'key.revNat'), 4);
    writeIpv4(buf, 8, m[1] as string, LB4_SOURCE_RANGE_MAP, 'key.cidr');
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    buf.writeUInt32BE((buf.readUInt32BE(8) & mask) >>> 0, 8);
    return buf;
  },
  decodeKey: (buf) => ({
    revNat: buf.readUInt16BE(4),
    cidr: `${readIpv4(buf, 8)}/${buf.readUInt32LE(0) - 32}`,
  }),
  encodeValue: (v) => Buffer.from([v & 0xff]),
  decodeValue: (buf) => buf.readUInt8(0),
  columns: ['SERVICE ID', 'SOURCE RANGE'],
  row: (k) => [String(k.revNat), k.cidr],
});
