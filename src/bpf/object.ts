// A compiled BPF object (clang -target bpf) opened and loaded through libbpf.
//
// Lifecycle: open → setConstant/pinMapsIn (before load) → load → program()/map() → close().
// Closing the object releases our fds; maps that were pinned and programs that were attached
// stay in the kernel, owned by their pin or attachment.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BtfKind, type BtfLayout, btfLayout } from './btf.js';
import { BpfError, check } from './errors.js';
import { BpfMap, infoByFd } from './map.js';
import { bpf, errno, type Pointer, view } from './native.js';
import { BpfProgram } from './program.js';

const BTF_KIND_VAR = 14;
const BTF_KIND_DATASEC = 15;

export class BpfObject {
  readonly path: string;
  #obj: Pointer | null;
  #loaded = false;

  private constructor(path: string, obj: Pointer) {
    this.path = path;
    this.#obj = obj;
  }

  static open(path: string): BpfObject {
    const obj = bpf.objectOpenFile(path, null);
    if (!obj) {
      throw new BpfError({
        op: 'open object',
        object: path,
        errno: errno(),
        hint: 'has `make build` compiled it?',
      });
    }
    return new BpfObject(path, obj);
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** Names of the maps in the object, including libbpf's internal .rodata/.bss maps. */
  mapNames(): string[] {
    const out: string[] = [];
    for (let m = bpf.nextMap(this.#handle(), null); m; m = bpf.nextMap(this.#handle(), m)) {
      out.push(bpf.mapName(m) as string);
    }
    return out;
  }

  programNames(): string[] {
    const out: string[] = [];
    for (let p = bpf.nextProgram(this.#handle(), null); p; p = bpf.nextProgram(this.#handle(), p)) {
      out.push(bpf.programName(p) as string);
    }
    return out;
  }

  /**
   * Sets a `const volatile` global (it lives in .rodata) before load. The size must match the
   * variable's size in the object's BTF, so a C/TypeScript type drift fails here, loudly.
   */
  setConstant(name: string, value: Buffer): void {
    this.#beforeLoad('set constant', name);
    const { offset, size } = this.#rodataVar(name);
    if (value.length !== size) {
      throw new BpfError({
        op: 'set constant',
        object: name,
        code: 'ESIZE',
        message: `value is ${value.length} bytes, ${name} in ${this.path} is ${size} bytes`,
      });
    }
    value.copy(this.#rodata('set constant', name), offset);
  }

  /** Reads a .rodata constant (the value that load will use, or used). */
  getConstant(name: string): Buffer {
    const { offset, size } = this.#rodataVar(name);
    return Buffer.from(this.#rodata('get constant', name).subarray(offset, offset + size));
  }

  /**
   * Pins every named map of the object as <dir>/<map name>. A map already pinned there with a
   * compatible definition is reused (its contents survive an agent restart); an incompatible
   * one makes load fail rather than silently replacing it.
   */
  pinMapsIn(dir: string, names?: readonly string[]): void {
    this.#beforeLoad('pin maps', dir);
    mkdirSync(dir, { recursive: true });
    for (const name of names ?? this.mapNames().filter((n) => !n.startsWith('.') && !n.includes('.'))) {
      const map = this.#findMap('pin map', name);
      check(bpf.mapSetPinPath(map, join(dir, name)), 'set pin path', name);
    }
  }

  /**
   * Sizes a map before load (the agent's --bpf-lb-map-max and friends). A map already pinned
   * with another size is incompatible: load then fails instead of silently keeping either size.
   */
  setMaxEntries(name: string, maxEntries: number): void {
    this.#beforeLoad('set max_entries', name);
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 0xffffffff)
      throw new BpfError({
        op: 'set max_entries',
        object: name,
        code: 'EINVAL',
        message: `${JSON.stringify(maxEntries)}: must be an integer ≥ 1`,
      });
    check(bpf.mapSetMaxEntries(this.#findMap('set max_entries', name), maxEntries), 'set max_entries', name);
  }

  load(): void {
    this.#beforeLoad('load', this.path);
    check(
      bpf.objectLoad(this.#handle()),
      'load object',
      this.path,
      'run with WAGGLE_LIBBPF_DEBUG=1 for the verifier log',
    );
    this.#loaded = true;
  }

  program(name: string): BpfProgram {
    const prog = bpf.findProgram(this.#handle(), name);
    if (!prog)
      throw new BpfError({
        op: 'find program',
        object: name,
        code: 'ENOENT',
        message: `no program ${name} in ${this.path}`,
      });
    const fd = this.#loaded ? check(bpf.programFd(prog), 'program fd', name) : -1;
    return new BpfProgram(name, fd, prog);
  }

  /** A loaded map of this object. The fd belongs to the object; close the object, not the map. */
  map(name: string): BpfMap {
    const map = this.#findMap('find map', name);
    if (!this.#loaded) {
      return new BpfMap(-1, this.mapSpec(name), false);
    }
    const fd = check(bpf.mapFd(map), 'map fd', name);
    return new BpfMap(fd, { ...infoByFd(fd, name), name }, false);
  }

  /** The map's definition as compiled into the object (available before load). */
  mapSpec(name: string): BpfMap['info'] {
    const map = this.#findMap('find map', name);
    return {
      name,
      type: bpf.mapType(map) as number,
      keySize: bpf.mapKeySize(map) as number,
      valueSize: bpf.mapValueSize(map) as number,
      maxEntries: bpf.mapMaxEntries(map) as number,
      flags: bpf.mapFlags(map) as number,
      id: 0,
    };
  }

  /**
   * The C types of a map's key and value as the object's BTF declares them (`__type(key, …)`),
   * or undefined when the object has no BTF or the map was declared without types.
   */
  mapLayout(name: string): { key: BtfLayout; value: BtfLayout } | undefined {
    const map = this.#findMap('find map', name);
    const btf = bpf.objectBtf(this.#handle());
    const keyId = bpf.mapBtfKeyTypeId(map) as number;
    const valueId = bpf.mapBtfValueTypeId(map) as number;
    if (!btf || keyId === 0 || valueId === 0) return undefined;
    return { key: btfLayout(btf, keyId), value: btfLayout(btf, valueId) };
  }

  /** The layout of `struct name` in the object's BTF, or undefined when it has none. */
  structLayout(name: string): BtfLayout | undefined {
    const btf = bpf.objectBtf(this.#handle());
    if (!btf) return undefined;
    const id = bpf.btfFindByNameKind(btf, name, BtfKind.STRUCT) as number;
    return id > 0 ? btfLayout(btf, id) : undefined;
  }

  close(): void {
    if (this.#obj) bpf.objectClose(this.#obj);
    this.#obj = null;
  }

  #handle(): Pointer {
    if (!this.#obj)
      throw new BpfError({
        op: 'use object',
        object: this.path,
        code: 'EINVAL',
        message: 'object is closed',
      });
    return this.#obj;
  }

  #findMap(op: string, name: string): Pointer {
    const map = bpf.findMap(this.#handle(), name);
    if (!map)
      throw new BpfError({ op, object: name, code: 'ENOENT', message: `no map ${name} in ${this.path}` });
    return map;
  }

  #beforeLoad(op: string, what: string): void {
    if (this.#loaded)
      throw new BpfError({ op, object: what, code: 'EINVAL', message: 'object is already loaded' });
  }

  /** libbpf's copy of .rodata: what load will write into the kernel's map (writable before load). */
  #rodata(op: string, name: string): Buffer {
    const sizeOut = [0];
    const ptr = bpf.mapInitialValue(bpf.findMap(this.#handle(), '.rodata'), sizeOut);
    if (!ptr) throw new BpfError({ op, object: name, code: 'ENOENT', message: 'object has no .rodata' });
    return view(ptr, sizeOut[0] ?? 0);
  }

  /** Finds a variable in the .rodata DATASEC of the object's BTF: its offset and size. */
  #rodataVar(name: string): { offset: number; size: number } {
    const btf = bpf.objectBtf(this.#handle());
    if (!btf)
      throw new BpfError({
        op: 'find constant',
        object: name,
        code: 'ENOENT',
        message: `${this.path} has no BTF (build with -g)`,
      });
    const secId = bpf.btfFindByNameKind(btf, '.rodata', BTF_KIND_DATASEC) as number;
    if (secId < 0)
      throw new BpfError({
        op: 'find constant',
        object: name,
        code: 'ENOENT',
        message: `${this.path} has no .rodata`,
      });
    const sec = bpf.btfTypeById(btf, secId);
    // struct btf_type { u32 name_off; u32 info; u32 size; } then vlen × struct btf_var_secinfo { u32 type, offset, size }.
    const header = view(sec, 12);
    const vlen = header.readUInt32LE(4) & 0xffff;
    const vars = view(sec, 12 + vlen * 12);
    for (let i = 0; i < vlen; i++) {
      const base = 12 + i * 12;
      const varType = bpf.btfTypeById(btf, vars.readUInt32LE(base));
      const vt = view(varType, 8);
      if (((vt.readUInt32LE(4) >>> 24) & 0x1f) !== BTF_KIND_VAR) continue;
      if ((bpf.btfNameByOffset(btf, vt.readUInt32LE(0)) as string) === name) {
        return { offset: vars.readUInt32LE(base + 4), size: vars.readUInt32LE(base + 8) };
      }
    }
    throw new BpfError({
      op: 'find constant',
      object: name,
      code: 'ENOENT',
      message: `no const volatile ${name} in ${this.path}`,
    });
  }
}
