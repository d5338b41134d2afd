// waggle_metrics: packets and bytes per (reason, direction), Cilium's metrics map layout
// (bpf/lib/metrics.h). A per-CPU hash: each lookup returns one value per possible CPU, which
// merge() adds up. Layout:
//   key   struct metrics_key   { __u8 reason; __u8 dir:2, pad:6; __u16 line; __u8 file; __u8 reserved[3]; }  8 B
//   value struct metrics_value { __u64 count; __u64 bytes; }                                                16 B
import { defineCodec } from '../../bpf/codec.js';
import { bpfFileName } from '../bpf-files.js';
import { dropReasonText } from '../drop-reasons.js';

export const METRICS_MAP = 'waggle_metrics';

export const MetricDirection = { INGRESS: 1, EGRESS: 2, SERVICE: 3 } as const;

export interface MetricsKey {
  /** 0 = forwarded; otherwise a drop reason (enum drop_reason). */
  reason: number;
  /** MetricDirection. */
  dir: number;
  /** Source line of the accounting call in the datapath. */
  line: number;
  file: number;
}

export interface MetricsValue {
  count: bigint;
  bytes: bigint;
}

/** As Cilium's metricsmap.MetricDirection names directions; any other value is UNKNOWN. */
export function metricDirectionName(dir: number): string {
  return ['UNKNOWN', 'INGRESS', 'EGRESS', 'SERVICE'][dir] ?? 'UNKNOWN';
}

export const metricsCodec = defineCodec<MetricsKey, MetricsValue>({
  mapName: METRICS_MAP,
  key: {
    c: 'struct metrics_key',
    size: 8,
    fields: {
      reason: 0,
      dir: { bitOffset: 8, bitSize: 2 },
      pad: { bitOffset: 10, bitSize: 6 },
      line: 2,
      file: 4,
      reserved: 5,
    },
  },
  value: { c: 'struct metrics_value', size: 16, fields: { count: 0, bytes: 8 } },
  encodeKey(key) {
    const buf = Buffer.alloc(8);
    buf.writeUInt8(key.reason, 0);
    buf.writeUInt8(key.dir & 0x3, 1); // dir is the low 2 bits on little-endian bitfield order
    buf.writeUInt16LE(key.line, 2);
    buf.writeUInt8(key.file, 4);
    return buf;
  },
  decodeKey: (buf) => ({
    reason: buf.readUInt8(0),
    dir: buf.readUInt8(1) & 0x3,
    line: buf.readUInt16LE(2),
    file: buf.readUInt8(4),
  }),
  encodeValue(value) {
    const buf = Buffer.alloc(16);
    buf.writeBigUInt64LE(value.count, 0);
    buf.writeBigUInt64LE(value.bytes, 8);
    return buf;
  },
  decodeValue: (buf) => ({ count: buf.readBigUInt64LE(0), bytes: buf.readBigUInt64LE(8) }),
  merge: (perCpu) =>
    perCpu.reduce((a, v) => ({ count: a.count + v.count, bytes: a.bytes + v.bytes }), {
      count: 0n,
      bytes: 0n,
    }),
  columns: ['REASON', 'DIRECTION', 'PACKETS', 'BYTES', 'LINE', 'FILE'],
  // As `cilium-dbg bpf metrics list` prints a row: the reason's monitor text (0 is "Success"),
  // the direction's name and the source file's name.
  row: (k, v) => [
    dropReasonText(k.reason),
    metricDirectionName(k.dir),
    String(v.count),
    String(v.bytes),
    String(k.line),
    bpfFileName(k.file),
  ],
});
