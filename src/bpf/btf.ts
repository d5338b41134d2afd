// Reading type layouts out of a compiled object's BTF: what a map's key and value look like in C
// (size, and each member's name and offset). Codecs are checked against this, so a struct that
// changes in C without its TypeScript codec fails loudly at load and in one test, instead of
// corrupting entries (the same idea as Cilium's pkg/alignchecker).
//
// Layout of the raw records (include/uapi/linux/btf.h):
//   struct btf_type   { u32 name_off; u32 info; u32 size_or_type; }   12 B
//     info: bits 0-15 vlen, bits 24-28 kind, bit 31 kind_flag
//   struct btf_member { u32 name_off; u32 type; u32 offset; }         12 B, vlen of them
//     offset: in bits; with kind_flag set, bits 0-23 bit offset and 24-31 bitfield size
import { bpf, type Pointer, view } from './native.js';

export const BtfKind = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  TYPEDEF: 8,
  VAR: 14,
  DATASEC: 15,
  ENUM64: 19,
} as const;

export interface BtfMember {
  name: string;
  /** Offset from the start of the enclosing type, in bits. */
  bitOffset: number;
  /** Width of a bitfield in bits; 0 for an ordinary member. */
  bitSize: number;
  /** Size of the member's type in bytes. */
  size: number;
}

export interface BtfLayout {
  /** As C spells it: "struct l2_responder_v4_key", "__u32", "enum drop_reason". */
  name: string;
  kind: number;
  size: number;
  /** Members of a struct or union, in declaration order; empty for scalars. */
  members: BtfMember[];
}

function header(btf: Pointer, id: number): { nameOff: number; kind: number; vlen: number; kflag: boolean } {
  const h = view(bpf.btfTypeById(btf, id), 12);
  const info = h.readUInt32LE(4);
  return {
    nameOff: h.readUInt32LE(0),
    kind: (info >>> 24) & 0x1f,
    vlen: info & 0xffff,
    kflag: info >>> 31 === 1,
  };
}

function nameOf(btf: Pointer, nameOff: number): string {
  return (bpf.btfNameByOffset(btf, nameOff) as string | null) ?? '';
}

/** The layout of type `id`, looking through typedefs and const/volatile for size and members. */
export function btfLayout(btf: Pointer, id: number): BtfLayout {
  const outer = header(btf, id);
  const resolved = bpf.btfResolveType(btf, id) as number;
  const rid = resolved > 0 ? resolved : id;
  const inner = header(btf, rid);
  const size = Number(bpf.btfResolveSize(btf, rid) as bigint | number);
  const prefix = inner.kind === BtfKind.STRUCT ? 'struct ' : inner.kind === BtfKind.UNION ? 'union ' : '';
  const enumPrefix = inner.kind === BtfKind.ENUM || inner.kind === BtfKind.ENUM64 ? 'enum ' : '';
  const typedefName = outer.kind === BtfKind.TYPEDEF ? nameOf(btf, outer.nameOff) : '';
  const name = typedefName || `${prefix}${enumPrefix}${nameOf(btf, inner.nameOff)}`;
  const members: BtfMember[] = [];
  if (inner.kind === BtfKind.STRUCT || inner.kind === BtfKind.UNION) {
    const raw = view(bpf.btfTypeById(btf, rid), 12 + inner.vlen * 12);
    for (let i = 0; i < inner.vlen; i++) {
      const base = 12 + i * 12;
      const offset = raw.readUInt32LE(base + 8);
      const type = raw.readUInt32LE(base + 4);
      members.push({
        name: nameOf(btf, raw.readUInt32LE(base)),
        bitOffset: inner.kflag ? offset & 0xffffff : offset,
        bitSize: inner.kflag ? offset >>> 24 : 0,
        size: Number(bpf.btfResolveSize(btf, type) as bigint | number),
      });
    }
  }
  return { name, kind: inner.kind, size, members };
}
