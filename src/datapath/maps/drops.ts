// waggle_drops: frames the datapath dropped, counted per reason. The reasons are defined once in
// C (enum drop_reason, bpf/lib/drop.h); this table mirrors them by name and a test checks it
// against the compiled object's BTF.
import { defineCodec } from '../../bpf/codec.js';
import { nameOf } from '../../bpf/codec-fields.js';

export const DROPS_MAP = 'waggle_drops';

export const DropReason = {
  DROP_INVALID_SIP: 132,
  DROP_INVALID: 134,
  DROP_UNKNOWN_L3: 139,
  DROP_WRITE_ERROR: 141,
  DROP_FRAG_NOSUPPORT: 157,
  DROP_NO_SERVICE: 158,
  DROP_UNSUPPORTED_L2: 166,
} as const;

/** What `cilium monitor` and Hubble print for each reason (Cilium's pkg/monitor/api/drop.go). */
export const DROP_REASON_TEXT: Readonly<Record<number, string>> = {
  [DropReason.DROP_INVALID_SIP]: 'Invalid source ip',
  [DropReason.DROP_INVALID]: 'Invalid packet',
  [DropReason.DROP_UNKNOWN_L3]: 'Unsupported L3 protocol',
  [DropReason.DROP_WRITE_ERROR]: 'Error writing to packet',
  [DropReason.DROP_FRAG_NOSUPPORT]: 'IP fragmentation not supported',
  [DropReason.DROP_NO_SERVICE]: 'Service backend not found',
  [DropReason.DROP_UNSUPPORTED_L2]: 'Unsupported L2 protocol',
};

/** The monitor string of a reason; a code without one prints as its number. */
export function dropReasonText(code: number): string {
  return DROP_REASON_TEXT[code] ?? String(code);
}

export type DropReasonName = keyof typeof DropReason;

export function dropReasonName(code: number): string {
  return nameOf(DropReason, code, `DROP_UNKNOWN_${code}`);
}

export const dropsCodec = defineCodec<number, bigint>({
  mapName: DROPS_MAP,
  key: { c: 'enum drop_reason', size: 4 },
  value: { c: '__u64', size: 8 },
  encodeKey(code) {
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(code);
    return buf;
  },
  decodeKey: (buf) => buf.readUInt32LE(0),
  encodeValue(count) {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(count);
    return buf;
  },
  decodeValue: (buf) => buf.readBigUInt64LE(0),
  columns: ['REASON', 'COUNT'],
  row: (code, count) => [dropReasonName(code), String(count)],
});
