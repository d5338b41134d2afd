// A map seen through a codec: typed keys and values, with the codec's sizes checked against the
// map's real definition when it is opened. Struct layouts are defined once, in C; a codec that
// drifts from them fails here with both sizes named instead of corrupting entries.
import { BpfError } from '../errors.js';
import { BpfMap, UpdateFlags } from '../map.js';
import type { BpfObject } from '../object.js';

export interface Codec<K, V> {
  /** The map's name in the object and in bpffs. */
  readonly mapName: string;
  readonly keySize: number;
  readonly valueSize: number;
  encodeKey(key: K): Buffer;
  decodeKey(buf: Buffer): K;
  encodeValue(value: V): Buffer;
  decodeValue(buf: Buffer): V;
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
  if (problems.length > 0) {
    throw new BpfError({
      op: 'open map',
      object: codec.mapName,
      code: 'ESIZE',
      message: problems.join('; '),
    });
  }
}

export class TypedMap<K, V> {
  readonly raw: BpfMap;
  readonly codec: Codec<K, V>;

  private constructor(raw: BpfMap, codec: Codec<K, V>) {
    this.raw = raw;
    this.codec = codec;
  }

  /** The codec's map in a loaded object (sizes checked against the compiled definition). */
  static fromObject<K, V>(obj: BpfObject, codec: Codec<K, V>): TypedMap<K, V> {
    checkSizes(codec, obj.mapSpec(codec.mapName), obj.path);
    return new TypedMap(obj.map(codec.mapName), codec);
  }

  /** The codec's map pinned at `path` (sizes checked against the kernel's map info). */
  static openPinned<K, V>(path: string, codec: Codec<K, V>): TypedMap<K, V> {
    const raw = BpfMap.openPinned(path);
    try {
      checkSizes(codec, raw.info, path);
    } catch (err) {
      raw.close();
      throw err;
    }
    return new TypedMap(raw, codec);
  }

  get name(): string {
    return this.codec.mapName;
  }

  get maxEntries(): number {
    return this.raw.info.maxEntries;
  }

  get(key: K): V | undefined {
    const v = this.raw.lookup(this.codec.encodeKey(key));
    return v ? this.codec.decodeValue(v) : undefined;
  }

  set(key: K, value: V, flags: bigint = UpdateFlags.ANY): void {
    this.raw.update(this.codec.encodeKey(key), this.codec.encodeValue(value), flags);
  }

  delete(key: K): boolean {
    return this.raw.delete(this.codec.encodeKey(key));
  }

  has(key: K): boolean {
    return this.raw.lookup(this.codec.encodeKey(key)) !== undefined;
  }

  keys(): K[] {
    return this.raw.keys().map((k) => this.codec.decodeKey(k));
  }

  entries(): Array<[K, V]> {
    return this.raw.entries().map(([k, v]) => [this.codec.decodeKey(k), this.codec.decodeValue(v)]);
  }

  count(): number {
    return this.raw.count();
  }

  close(): void {
    this.raw.close();
  }
}
