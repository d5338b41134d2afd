// waggle_ct4_global (TCP) and waggle_ct_any4_global (UDP and the rest): the per-packet service
// LB's conntrack, Cilium's cilium_ct4_global / cilium_ct_any4_global names with waggle's own
// 40-byte value (bpf/lib/ct_map.h says why). Two entries per load-balanced flow: SERVICE (the
// client's tuple to the frontend → its backend) and IN (the backend's reply tuple → the frontend
// the reply must come from). Rows print like `cilium bpf ct list global`. Layout:
//   key   struct ipv4_ct_tuple { __be32 daddr; __be32 saddr; __be16 dport; __be16 sport;
//                                __u8 nexthdr; __u8 flags; } __packed                          14 B
//   value struct ct_entry { __u64 packets; __u64 bytes; __u32 backend_id; __u32 lifetime;
//                           __be32 nat_addr; __be16 nat_port; __be16 rev_nat_index; __u16 flags;
//                           __u8 tx_flags_seen; __u8 pad; __u32 created; }                     40 B
import { monotonicNs } from '../../bpf/index.js';
import { type Codec, defineCodec } from '../../bpf/codec.js';
import { readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';
import { CT_TUPLE_KEY, decodeCtTuple, encodeCtTuple } from './ct-tuple.js';
import { u16Field } from './fields.js';

export const CT4_TCP_MAP = 'waggle_ct4_global';
export const CT4_ANY_MAP = 'waggle_ct_any4_global';
export const CT4_TCP_MAX_ENTRIES = 131072;
export const CT4_ANY_MAX_ENTRIES = 65536;

/** ct_entry.flags (CT_F_* in bpf/lib/ct_map.h). */
export const CtFlag = { closing: 1 << 0, loopback: 1 << 1, nodePort: 1 << 2 } as const;

const DIRS = { 0: 'OUT', 1: 'IN', 4: 'SERVICE' } as const;
type CtDir = (typeof DIRS)[keyof typeof DIRS];
const DIR_BITS: Record<CtDir, number> = { OUT: 0, IN: 1, SERVICE: 4 };
const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };

export interface CtTuple {
  nexthdr: number;
  dir: CtDir;
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
}

export interface CtEntry {
  packets: bigint;
  bytes: bigint;
  /** SERVICE entries: the flow's backend ID. */
  backendId: number;
  /** Seconds of CLOCK_MONOTONIC when the entry expires. */
  lifetime: number;
  /** IN entries: the frontend the reply leaves as. */
  natAddr: string;
  natPort: number;
  /** The service ID (host order here; network order in the map). */
  revNatIndex: number;
  flags: number;
  txFlagsSeen: number;
  created: number;
}

function ctCodec(mapName: string): Codec<CtTuple, CtEntry> {
  return defineCodec<CtTuple, CtEntry>({
    mapName,
    key: CT_TUPLE_KEY,
    value: {
      c: 'struct ct_entry',
      size: 40,
      fields: {
        packets: 0,
        bytes: 8,
        backend_id: 16,
        lifetime: 20,
        nat_addr: 24,
        nat_port: 28,
        rev_nat_index: 30,
        flags: 32,
        tx_flags_seen: 34,
        pad: 35,
        created: 36,
      },
    },
    encodeKey: (t) => encodeCtTuple(t, DIR_BITS[t.dir], mapName),
    decodeKey(buf) {
      const { tuple, flags } = decodeCtTuple(buf);
      return { ...tuple, dir: DIRS[flags as keyof typeof DIRS] ?? 'OUT' };
    },
    encodeValue(v) {
      const buf = Buffer.alloc(40);
      buf.writeBigUInt64LE(v.packets, 0);
      buf.writeBigUInt64LE(v.bytes, 8);
      buf.writeUInt32LE(v.backendId >>> 0, 16);
      buf.writeUInt32LE(v.lifetime >>> 0, 20);
      writeIpv4(buf, 24, v.natAddr, mapName, 'value.natAddr');
      buf.writeUInt16BE(u16Field(v.natPort, mapName, 'value.natPort'), 28);
      buf.writeUInt16BE(u16Field(v.revNatIndex, mapName, 'value.revNatIndex'), 30);
      buf.writeUInt16LE(u16Field(v.flags, mapName, 'value.flags'), 32);
      buf.writeUInt8(v.txFlagsSeen & 0xff, 34);
      buf.writeUInt32LE(v.created >>> 0, 36);
      return buf;
    },
    decodeValue: (buf) => ({
      packets: buf.readBigUInt64LE(0),
      bytes: buf.readBigUInt64LE(8),
      backendId: buf.readUInt32LE(16),
      lifetime: buf.readUInt32LE(20),
      natAddr: readIpv4(buf, 24),
      natPort: buf.readUInt16BE(28),
      revNatIndex: buf.readUInt16BE(30),
      flags: buf.readUInt16LE(32),
      txFlagsSeen: buf.readUInt8(34),
      created: buf.readUInt32LE(36),
    }),
    columns: ['TUPLE', 'EXPIRES', 'PACKETS', 'BYTES', 'FLAGS', 'REVNAT', 'XLATE'],
    row: (k, v) => ctRow(k, v, Number(monotonicNs() / 1_000_000_000n)),
  });
}

export const ct4TcpCodec = ctCodec(CT4_TCP_MAP);
export const ct4AnyCodec = ctCodec(CT4_ANY_MAP);

/** The names of the set CT_F_* bits, as `cilium bpf ct list` brackets them. */
export function ctFlagNames(flags: number): string {
  const names = Object.entries(CtFlag)
    .filter(([, bit]) => flags & bit)
    .map(([name]) => name);
  return `[${names.join(' ')}]`;
}

/** One entry as `waggle bpf ct list global` prints it. */
export function ctRow(k: CtTuple, v: CtEntry, nowSec: number): string[] {
  const proto = PROTOCOLS[k.nexthdr] ?? String(k.nexthdr);
  const left = v.lifetime - nowSec;
  return [
    `${proto} ${k.dir} ${k.saddr}:${k.sport} -> ${k.daddr}:${k.dport}`,
    left >= 0 ? `expires=${left}s` : 'expired',
    `Packets=${v.packets}`,
    `Bytes=${v.bytes}`,
    ctFlagNames(v.flags),
    `RevNAT=${v.revNatIndex}`,
    k.dir === 'SERVICE' ? `BackendID=${v.backendId}` : `XLATE_SRC ${v.natAddr}:${v.natPort}`,
  ];
}
