// waggle_snat_v4_external: the masquerading table, Cilium's cilium_snat_v4_external layout
// (bpf/lib/nat_map.h). Two entries per masqueraded flow: OUT (the pod's tuple → the node's
// address and port) and IN (the reply's tuple → the pod's address and port). Rows print as
// `cilium bpf nat list` does (pkg/maps/nat). Layout:
//   key   struct ipv4_ct_tuple  { __be32 daddr; __be32 saddr; __be16 dport; __be16 sport;
//                                 __u8 nexthdr; __u8 flags; } __packed                     14 B
//   value struct ipv4_nat_entry { __u64 created; __u64 needs_ct; __u64 seen; __u64 closing;
//                                 __be32 to_addr; __be16 to_port; __u16 pad3; }            40 B
// (seen and closing are Cilium's pad1 and pad2: waggle ages flows there, having no conntrack.)
import { monotonicNs } from '../../bpf/index.js';
import { defineCodec } from '../../bpf/codec.js';
import { readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';
import { CT_TUPLE_KEY, decodeCtTuple, encodeCtTuple } from './ct-tuple.js';
import { u16Field } from './fields.js';

export const SNAT_MAP = 'waggle_snat_v4_external';
export const SNAT_MAX_ENTRIES = 65536;

const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };

export interface NatTuple {
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP). */
  nexthdr: number;
  /** OUT: pod → outside before translation; IN: outside → node before translation back. */
  dir: 'OUT' | 'IN';
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
}

export interface NatEntry {
  /** Seconds of CLOCK_MONOTONIC when the flow's mapping was made. */
  created: bigint;
  needsCt: boolean;
  /** Seconds of CLOCK_MONOTONIC of the flow's last packet in this direction (0: never). */
  seen?: bigint;
  /** When a FIN or RST was seen (0/absent: open); 2 s later the port may serve another flow. */
  closing?: bigint;
  /** The address and port translated to: the source for OUT, the destination for IN. */
  toAddr: string;
  toPort: number;
}

export const snatCodec = defineCodec<NatTuple, NatEntry>({
  mapName: SNAT_MAP,
  key: CT_TUPLE_KEY,
  value: {
    c: 'struct ipv4_nat_entry',
    size: 40,
    fields: { created: 0, needs_ct: 8, seen: 16, closing: 24, to_addr: 32, to_port: 36, pad3: 38 },
  },
  encodeKey: (t) => encodeCtTuple(t, t.dir === 'IN' ? 1 : 0, SNAT_MAP),
  decodeKey(buf) {
    const { tuple, flags } = decodeCtTuple(buf);
    return { ...tuple, dir: flags & 1 ? 'IN' : 'OUT' };
  },
  encodeValue(v) {
    const buf = Buffer.alloc(40);
    buf.writeBigUInt64LE(v.created, 0);
    buf.writeBigUInt64LE(v.needsCt ? 1n : 0n, 8);
    buf.writeBigUInt64LE(v.seen ?? 0n, 16);
    buf.writeBigUInt64LE(v.closing ?? 0n, 24);
    writeIpv4(buf, 32, v.toAddr, SNAT_MAP, 'value.toAddr');
    buf.writeUInt16BE(u16Field(v.toPort, SNAT_MAP, 'value.toPort'), 36);
    return buf;
  },
  decodeValue: (buf) => ({
    created: buf.readBigUInt64LE(0),
    needsCt: (buf.readBigUInt64LE(8) & 1n) === 1n,
    seen: buf.readBigUInt64LE(16),
    closing: buf.readBigUInt64LE(24),
    toAddr: readIpv4(buf, 32),
    toPort: buf.readUInt16BE(36),
  }),
  columns: ['TUPLE', 'XLATE', 'CREATED', 'NEEDSCT'],
  row: (k, v) => natRow(k, v, monotonicNs() / 1_000_000_000n),
});

/** One entry as `cilium bpf nat list` prints it, split in its four parts. */
export function natRow(k: NatTuple, v: NatEntry, nowSec: bigint): string[] {
  const proto = PROTOCOLS[k.nexthdr] ?? String(k.nexthdr);
  const age = nowSec > v.created ? nowSec - v.created : 0n;
  return [
    `${proto} ${k.dir} ${k.saddr}:${k.sport} -> ${k.daddr}:${k.dport}`,
    `XLATE_${k.dir === 'OUT' ? 'SRC' : 'DST'} ${v.toAddr}:${v.toPort}`,
    `Created=${age}sec ago`,
    `NeedsCT=${v.needsCt ? 1 : 0}`,
  ];
}
