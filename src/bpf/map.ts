// A raw BPF map handle: bytes in, bytes out. Typed access lives in ./typed-map.ts, which wraps
// this with a codec whose layout is checked against these fields and the object's BTF.
//
// Per-CPU maps hold one value per possible CPU: the kernel reads and writes them as
// nr_possible_cpus slots of round_up(value_size, 8) bytes. lookupPerCpu() returns the slots;
// lookup() on such a map returns them concatenated.
import { basename } from 'node:path';
import { BpfError, check, Errno } from './errors.js';
import { bpf, c } from './native.js';

export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  RINGBUF: 27,
} as const;

const PER_CPU_TYPES: ReadonlySet<number> = new Set([
  MapType.PERCPU_HASH,
  MapType.PERCPU_ARRAY,
  MapType.LRU_PERCPU_HASH,
]);

let possibleCpus: number | undefined;

/** The kernel's nr_possible_cpus, as libbpf reads it (cached: it cannot change while we run). */
export function numPossibleCpus(): number {
  possibleCpus ??= check(bpf.numPossibleCpus() as number, 'count possible CPUs', 'libbpf');
  return possibleCpus;
}

/** Update flags of bpf_map_update_elem. */
export const UpdateFlags = { ANY: 0n, NOEXIST: 1n, EXIST: 2n } as const;

export interface MapInfo {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  id: number;
}

export class BpfMap {
  readonly info: MapInfo;
  #fd: number;
  readonly #owned: boolean;

  /** @param owned whether close() should close the fd (pinned opens own theirs; object maps do not). */
  constructor(fd: number, info: MapInfo, owned: boolean) {
    this.#fd = fd;
    this.info = info;
    this.#owned = owned;
  }

  /** Opens a map pinned in bpffs, e.g. /sys/fs/bpf/waggle/node-1/waggle_l2_responder_v4. */
  static openPinned(path: string): BpfMap {
    const fd = check(bpf.objGet(path), 'open pinned map', path);
    // The kernel keeps only 15 characters of a map's name; the pin's file name is the full one.
    const info = { ...infoByFd(fd, path), name: basename(path) };
    return new BpfMap(fd, info, true);
  }

  get fd(): number {
    if (this.#fd < 0)
      throw new BpfError({ op: 'use map', object: this.info.name, code: 'EINVAL', message: 'map is closed' });
    return this.#fd;
  }

  get name(): string {
    return this.info.name;
  }

  get perCpu(): boolean {
    return PER_CPU_TYPES.has(this.info.type);
  }

  /** Bytes of one lookup's value: value_size, or one 8-byte-aligned slot per CPU for per-CPU maps. */
  get #valueBytes(): number {
    return this.perCpu ? Math.ceil(this.info.valueSize / 8) * 8 * numPossibleCpus() : this.info.valueSize;
  }

  lookup(key: Buffer): Buffer | undefined {
    this.#checkKey(key);
    const value = Buffer.alloc(this.#valueBytes);
    const ret = bpf.mapLookup(this.fd, key, value);
    if (ret === -Errno.ENOENT) return undefined; // no such key
    check(ret, 'lookup in map', this.info.name);
    return value;
  }

  /** A per-CPU map's value for each possible CPU (each valueSize bytes); one element otherwise. */
  lookupPerCpu(key: Buffer): Buffer[] | undefined {
    const all = this.lookup(key);
    if (!all || !this.perCpu) return all && [all];
    const slot = Math.ceil(this.info.valueSize / 8) * 8;
    return Array.from({ length: numPossibleCpus() }, (_, i) =>
      all.subarray(i * slot, i * slot + this.info.valueSize),
    );
  }

  /** Writes a value; on a per-CPU map, `value` goes to CPU 0 and the other CPUs' slots are zeroed. */
  update(key: Buffer, value: Buffer, flags: bigint = UpdateFlags.ANY): void {
    this.#checkKey(key);
    if (value.length !== this.info.valueSize) {
      throw new BpfError({
        op: 'update map',
        object: this.info.name,
        code: 'ESIZE',
        message: `value is ${value.length} bytes, map value size is ${this.info.valueSize}`,
      });
    }
    let bytes = value;
    if (this.perCpu) {
      bytes = Buffer.alloc(this.#valueBytes);
      value.copy(bytes, 0);
    }
    check(bpf.mapUpdate(this.fd, key, bytes, flags), 'update map', this.info.name);
  }

  /** Deletes a key; returns false when it was not there. */
  delete(key: Buffer): boolean {
    this.#checkKey(key);
    const ret = bpf.mapDelete(this.fd, key);
    if (ret === -Errno.ENOENT) return false;
    check(ret, 'delete from map', this.info.name);
    return true;
  }

  /** Every key, by walking get_next_key. Bounded by max_entries so a concurrent writer cannot loop us. */
  keys(): Buffer[] {
    const out: Buffer[] = [];
    let prev: Buffer | null = null;
    for (let i = 0; i <= this.info.maxEntries; i++) {
      const next = Buffer.alloc(this.info.keySize);
      const ret = bpf.mapNextKey(this.fd, prev, next);
      if (ret === -Errno.ENOENT) break; // past the last key
      check(ret, 'iterate map', this.info.name);
      out.push(next);
      prev = next;
    }
    return out;
  }

  entries(): Array<[Buffer, Buffer]> {
    const out: Array<[Buffer, Buffer]> = [];
    for (const key of this.keys()) {
      const value = this.lookup(key);
      if (value) out.push([key, value]); // deleted between the walk and the lookup: skip
    }
    return out;
  }

  /** Number of live entries (walks the keys; the kernel keeps no count for hash maps). */
  count(): number {
    if (this.info.type === MapType.ARRAY || this.info.type === MapType.PERCPU_ARRAY)
      return this.info.maxEntries;
    return this.keys().length;
  }

  close(): void {
    if (this.#owned && this.#fd >= 0) c.close(this.#fd);
    this.#fd = -1;
  }

  #checkKey(key: Buffer): void {
    if (key.length !== this.info.keySize) {
      throw new BpfError({
        op: 'access map',
        object: this.info.name,
        code: 'ESIZE',
        message: `key is ${key.length} bytes, map key size is ${this.info.keySize}`,
      });
    }
  }
}

/** struct bpf_map_info: type, id, key_size, value_size, max_entries, map_flags, name[16], … */
export function infoByFd(fd: number, what: string): MapInfo {
  const buf = Buffer.alloc(88);
  const len = [buf.length];
  check(bpf.objGetInfoByFd(fd, buf, len), 'get map info', what);
  const nameRaw = buf.subarray(24, 40);
  const nul = nameRaw.indexOf(0);
  return {
    type: buf.readUInt32LE(0),
    id: buf.readUInt32LE(4),
    keySize: buf.readUInt32LE(8),
    valueSize: buf.readUInt32LE(12),
    maxEntries: buf.readUInt32LE(16),
    flags: buf.readUInt32LE(20),
    name: nameRaw.subarray(0, nul < 0 ? 16 : nul).toString('latin1'),
  };
}
