// A map seen through a codec: typed keys and values. Opening one checks the codec against the
// map's real definition — sizes against the kernel's map info, and, when the object is at hand,
// every member offset against the object's BTF — so a codec that drifts from the C structs fails
// here with every difference named instead of corrupting entries.
import { checkLayout, checkSizes, type Codec } from './codec.js';
import { BpfMap, UpdateFlags } from './map.js';
import type { BpfObject } from './object.js';

export type { Codec } from './codec.js';
export { checkSizes } from './codec.js';

export class TypedMap<K, V> {
  readonly raw: BpfMap;
  readonly codec: Codec<K, V>;

  private constructor(raw: BpfMap, codec: Codec<K, V>) {
    this.raw = raw;
    this.codec = codec;
  }

  /** The codec's map in an object (sizes and, if the object has BTF, the layout checked). */
  static fromObject<K, V>(
    obj: BpfObject,
    codec: Codec<K, V>,
    opts: { checked?: boolean } = {},
  ): TypedMap<K, V> {
    if (!opts.checked) TypedMap.check(obj, codec);
    return new TypedMap(obj.map(codec.mapName), codec);
  }

  /**
   * Checks the codec against the object's own definition and BTF. Run it before load when maps
   * may be reused from pins: libbpf then replaces the map's BTF type ids with the pinned map's,
   * which name types in the BTF of whichever object created the map, not this one's.
   */
  static check<K, V>(obj: BpfObject, codec: Codec<K, V>): void {
    checkSizes(codec as Codec<unknown, unknown>, obj.mapSpec(codec.mapName), obj.path);
    const layout = obj.mapLayout(codec.mapName);
    if (layout) checkLayout(codec as Codec<unknown, unknown>, layout, obj.path);
  }

  /** The codec's map pinned at `path` (sizes checked against the kernel's map info). */
  static openPinned<K, V>(path: string, codec: Codec<K, V>): TypedMap<K, V> {
    const raw = BpfMap.openPinned(path);
    try {
      checkSizes(codec as Codec<unknown, unknown>, raw.info, path);
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
    const slots = this.raw.lookupPerCpu(this.codec.encodeKey(key));
    return slots && this.#fold(slots);
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

  /** False for a ring buffer: no keys, no entries, count 0 (see Codec.iterable). */
  get iterable(): boolean {
    return this.codec.iterable !== false;
  }

  keys(): K[] {
    if (!this.iterable) return [];
    return this.raw.keys().map((k) => this.codec.decodeKey(k));
  }

  entries(): Array<[K, V]> {
    const out: Array<[K, V]> = [];
    if (!this.iterable) return out;
    for (const k of this.raw.keys()) {
      const slots = this.raw.lookupPerCpu(k);
      if (slots) out.push([this.codec.decodeKey(k), this.#fold(slots)]); // gone since the walk: skip
    }
    return out;
  }

  count(): number {
    if (!this.iterable) return 0;
    return this.raw.count();
  }

  close(): void {
    this.raw.close();
  }

  /** One value from a lookup: per-CPU slots merged by the codec, or the single value. */
  #fold(slots: Buffer[]): V {
    const values = slots.map((b) => this.codec.decodeValue(b));
    if (values.length === 1 || !this.codec.merge) return values[0] as V;
    return this.codec.merge(values);
  }
}
