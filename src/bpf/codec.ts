// Codecs: how a map's key and value bytes become TypeScript values and back, and what C types
// they mirror. Struct layouts are defined once, in C. Every codec declares the C type of its key
// and value, their sizes and each field's byte offset; checkLayout() compares that with the
// compiled object's BTF and lists every difference, so drift is found at load (and by one test
// over every codec) instead of as corrupted entries.
import type { BtfLayout } from './btf.js';
import { BpfError } from './errors.js';

/** A bitfield member: bit offset within the type and width in bits. */
export interface BitField {
  bitOffset: number;
  bitSize: number;
}

/** The C type a codec mirrors: its spelling in C, its size, and for a struct each member's offset. */
export interface CType {
  /** As BTF names it: "struct l2_responder_v4_key", "__u32", "enum drop_reason". */
  c: string;
  size: number;
  /** Byte offset (or bitfield position) of every member, by its C name; omitted for scalars. */
  fields?: Readonly<Record<string, number | BitField>>;
}

/** What `map get` needs to print a row: names the map itself does not hold. */
export interface RowContext {
  ifname(ifindex: number): string | undefined;
}

export interface Codec<K, V> {
  /** The map's name in the object and in bpffs. */
  readonly mapName: string;
  readonly key: CType;
  readonly value: CType;
  readonly keySize: number;
  readonly valueSize: number;
  encodeKey(key: K): Buffer;
  decodeKey(buf: Buffer): K;
  encodeValue(value: V): Buffer;
  decodeValue(buf: Buffer): V;
  /** Per-CPU maps: folds the CPUs' values into one (counters add up). */
  merge?(perCpu: V[]): V;
  /** Column titles of `waggle map get`, and one row per entry. */
  readonly columns: readonly string[];
  row(key: K, value: V, ctx: RowContext): string[];
  /** Arrays have every slot: which ones `map get` shows (default all). */
  showRow?(key: K, value: V): boolean;
  /**
   * false for maps without keys to walk (a BPF ring buffer): TypedMap then lists no entries and
   * counts 0 instead of calling get_next_key, which such maps do not support. Default true.
   */
  readonly iterable?: boolean;
}

/** Defines a codec; keySize and valueSize come from its declared C types, so they cannot disagree. */
export function defineCodec<K, V>(spec: Omit<Codec<K, V>, 'keySize' | 'valueSize'>): Codec<K, V> {
  return { ...spec, keySize: spec.key.size, valueSize: spec.value.size };
}

export function checkSizes(
  codec: Codec<unknown, unknown>,
  info: { keySize: number; valueSize: number },
  where: string,
): void {
  const problems: string[] = [];
  if (info.keySize !== codec.keySize)
    problems.push(`key size: codec ${codec.keySize} B, ${where} ${info.keySize} B`);
  if (info.valueSize !== codec.valueSize)
    problems.push(`value size: codec ${codec.valueSize} B, ${where} ${info.valueSize} B`);
  if (problems.length > 0) throw layoutError(codec.mapName, problems, 'ESIZE');
}

/** Every difference between a codec's declared C types and the object's BTF; empty when they agree. */
export function layoutProblems(
  codec: Codec<unknown, unknown>,
  btf: { key: BtfLayout; value: BtfLayout },
): string[] {
  return [...typeProblems('key', codec.key, btf.key), ...typeProblems('value', codec.value, btf.value)];
}

export function checkLayout(
  codec: Codec<unknown, unknown>,
  btf: { key: BtfLayout; value: BtfLayout },
  where: string,
): void {
  const problems = layoutProblems(codec, btf);
  if (problems.length > 0)
    throw layoutError(
      codec.mapName,
      problems.map((p) => `${p} (${where})`),
      'ELAYOUT',
    );
}

function typeProblems(role: 'key' | 'value', want: CType, have: BtfLayout): string[] {
  const out: string[] = [];
  const at = `${role} ${have.name}`;
  if (want.c !== have.name) out.push(`${role}: codec mirrors ${want.c}, the map's C type is ${have.name}`);
  if (want.size !== have.size) out.push(`${at}: size ${have.size} B in C, ${want.size} B in the codec`);
  const fields = want.fields ?? {};
  for (const m of have.members) {
    const declared = fields[m.name];
    if (declared === undefined) {
      out.push(
        `${at}: member ${m.name} (offset ${describeBits(m.bitOffset, m.bitSize)}) is not in the codec`,
      );
      continue;
    }
    const wantBits = typeof declared === 'number' ? { bitOffset: declared * 8, bitSize: 0 } : declared;
    if (wantBits.bitOffset !== m.bitOffset || wantBits.bitSize !== m.bitSize)
      out.push(
        `${at}: member ${m.name} at offset ${describeBits(m.bitOffset, m.bitSize)} in C, ${describeBits(wantBits.bitOffset, wantBits.bitSize)} in the codec`,
      );
  }
  const inC = new Set(have.members.map((m) => m.name));
  for (const name of Object.keys(fields))
    if (!inC.has(name)) out.push(`${at}: the codec declares ${name}, which C does not have`);
  return out;
}

function describeBits(bitOffset: number, bitSize: number): string {
  if (bitSize === 0 && bitOffset % 8 === 0) return String(bitOffset / 8);
  return `bit ${bitOffset}${bitSize ? ` width ${bitSize}` : ''}`;
}

function layoutError(mapName: string, problems: string[], code: 'ESIZE' | 'ELAYOUT'): BpfError {
  return new BpfError({ op: 'open map', object: mapName, code, message: problems.join('; ') });
}
