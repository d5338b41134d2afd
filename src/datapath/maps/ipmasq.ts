// waggle_ipmasq_v4: the ip-masq-agent's nonMasqueradeCIDRs for eBPF masquerading, Cilium's
// cilium_ipmasq_v4 layout (bpf/lib/nat_map.h): an LPM trie whose presence is the answer.
//   key   struct ipmasq_v4_key { struct bpf_lpm_trie_key_hdr lpm; __be32 addr; }  8 B
//   value struct ipmasq_val    { __u8 flags; }                                    1 B
import { BpfError } from '../../bpf/errors.js';
import { defineCodec } from '../../bpf/codec.js';
import { readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';

export const IPMASQ_MAP = 'waggle_ipmasq_v4';
export const IPMASQ_MAX_ENTRIES = 16384;

/** "10.98.0.0/24": host bits are cleared on encode, so one prefix is one entry. */
export type IpmasqPrefix = string;

export const ipmasqCodec = defineCodec<IpmasqPrefix, Record<string, never>>({
  mapName: IPMASQ_MAP,
  key: { c: 'struct ipmasq_v4_key', size: 8, fields: { lpm: 0, addr: 4 } },
  value: { c: 'struct ipmasq_val', size: 1, fields: { flags: 0 } },
  encodeKey(prefix) {
    const m = typeof prefix === 'string' ? /^([0-9.]+)\/(\d{1,2})$/.exec(prefix) : null;
    const len = m ? Number(m[2]) : -1;
    if (!m || len > 32)
      throw new BpfError({
        op: 'encode',
        object: IPMASQ_MAP,
        code: 'EINVAL',
        message: `key ${JSON.stringify(prefix)}: not an IPv4 prefix (a.b.c.d/len, len 0..32)`,
      });
    const buf = Buffer.alloc(8);
    buf.writeUInt32LE(len, 0);
    writeIpv4(buf, 4, m[1] as string, IPMASQ_MAP, 'key');
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    buf.writeUInt32BE((buf.readUInt32BE(4) & mask) >>> 0, 4);
    return buf;
  },
  decodeKey: (buf) => `${readIpv4(buf, 4)}/${buf.readUInt32LE(0)}`,
  encodeValue: () => Buffer.alloc(1),
  decodeValue: () => ({}),
  columns: ['IP PREFIX/ADDRESS'],
  row: (prefix) => [prefix],
});
