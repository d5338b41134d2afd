// waggle_drops: frames the datapath dropped, counted per reason. The reasons are defined once in
// C (enum drop_reason, bpf/lib/drop.h); DropReason mirrors them by name and a test checks it
// against the compiled object's BTF. Their monitor texts are in ../drop-reasons.ts.
import { defineCodec } from '../../bpf/codec.js';
import { nameOf } from '../../bpf/codec-fields.js';

export const DROPS_MAP = 'waggle_drops';

export const DropReason = {
  DROP_INVALID_SIP: 132,
  DROP_INVALID: 134,
  DROP_UNKNOWN_L3: 139,
  DROP_WRITE_ERROR: 141,
  DROP_CT_CREATE_FAILED: 155,
  DROP_FRAG_NOSUPPORT: 157,
  DROP_NO_SERVICE: 158,
  DROP_UNSUPPORTED_L2: 166,
  DROP_NAT_NO_MAPPING: 167,
  DROP_NAT_UNSUPP_PROTO: 168,
  DROP_NOT_IN_SRC_RANGE: 177,
} as const;

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
