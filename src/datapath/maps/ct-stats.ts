// waggle_ct_stats (bpf/lib/ct_map.h): per CPU, the conntrack entries the datapath made and
// removed in each map. The kernel keeps no count of what an LRU map evicts, so the agent derives
// it: made − removed − present (ctEvictions).
import { BpfError } from '../../bpf/errors.js';
import { defineCodec } from '../../bpf/codec.js';

export const CT_STATS_MAP = 'waggle_ct_stats';

/** The array's indexes (CT_STAT_* in ct_map.h). */
export const CtStat = { tcpMade: 0, anyMade: 1, tcpRemoved: 2, anyRemoved: 3 } as const;
const NAMES = Object.keys(CtStat);

export const ctStatsCodec = defineCodec<number, bigint>({
  mapName: CT_STATS_MAP,
  key: { c: '__u32', size: 4 },
  value: { c: '__u64', size: 8 },
  encodeKey(index) {
    if (!Number.isInteger(index) || index < 0 || index >= NAMES.length)
      throw new BpfError({
        op: 'encode',
        object: CT_STATS_MAP,
        code: 'EINVAL',
        message: `key ${JSON.stringify(index)}: must be 0..${NAMES.length - 1} (${NAMES.join(', ')})`,
      });
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(index);
    return buf;
  },
  decodeKey: (buf) => buf.readUInt32LE(0),
  encodeValue(count) {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(count);
    return buf;
  },
  decodeValue: (buf) => buf.readBigUInt64LE(0),
  merge: (perCpu) => perCpu.reduce((a, b) => a + b, 0n),
  columns: ['COUNTER', 'VALUE'],
  row: (k, v) => [NAMES[k] ?? String(k), String(v)],
});

export interface CtEvictions {
  tcp: number;
  any: number;
}

/** Entries the LRU maps evicted: made − removed − present, never below 0 (a map that already held
 * entries when the counters were new would go below). */
export function ctEvictions(
  stat: (index: number) => bigint,
  present: { tcp: number; any: number },
): CtEvictions {
  const evicted = (made: bigint, removed: bigint, now: number) => {
    const n = Number(made - removed) - now;
    return Math.max(n, 0);
  };
  return {
    tcp: evicted(stat(CtStat.tcpMade), stat(CtStat.tcpRemoved), present.tcp),
    any: evicted(stat(CtStat.anyMade), stat(CtStat.anyRemoved), present.any),
  };
}
