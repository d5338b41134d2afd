// One generic loader for every datapath object: a spec says where the compiled object is, which
// load-time constants it takes, which maps it has (each with its codec) and which programs it
// exports; loadObject() opens it, sets the constants, pins the maps by name under one directory,
// loads it, and returns typed handles. A map in the object that the spec does not declare is an
// error, so adding a map to C without its codec (or its spec line) cannot go unnoticed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Codec } from './codec.js';
import { BpfError } from './errors.js';
import { BpfMap } from './map.js';
import { BpfObject } from './object.js';
import type { BpfProgram } from './program.js';
import { TypedMap } from './typed-map.js';

/** A `const volatile` global in .rodata, by its C name and width. */
export interface ConstantSpec {
  name: string;
  type: 'u8' | 'u32' | 'u64';
}

// biome-ignore lint/suspicious/noExplicitAny: a spec holds codecs of every key and value type.
export type AnyCodec = Codec<any, any>;

export interface ObjectSpec<
  M extends Record<string, AnyCodec> = Record<string, AnyCodec>,
  P extends Record<string, string> = Record<string, string>,
  C extends Record<string, ConstantSpec> = Record<string, ConstantSpec>,
> {
  /** e.g. "bpf_host". */
  name: string;
  /** The compiled object, relative to the repository root or absolute. */
  path: string;
  maps: M;
  /** Handle name → program (function) name in the object. */
  programs: P;
  constants: C;
}

type KeyOf<T> = T extends Codec<infer K, infer _V> ? K : never;
type ValueOf<T> = T extends Codec<infer _K, infer V> ? V : never;

export interface LoadedObject<S extends ObjectSpec> {
  readonly object: BpfObject;
  readonly maps: { readonly [N in keyof S['maps']]: TypedMap<KeyOf<S['maps'][N]>, ValueOf<S['maps'][N]>> };
  readonly programs: { readonly [N in keyof S['programs']]: BpfProgram };
  readonly pinDir: string;
  /** Releases our fds; pins and attachments stay (their owners remove them). */
  close(): void;
}

export interface LoadOptions<S extends ObjectSpec> {
  /** Overrides spec.path (e.g. an absolute path resolved by the caller). */
  path?: string;
  /** Directory on a bpffs where the maps are pinned by name (created if missing). */
  pinDir: string;
  constants?: { [N in keyof S['constants']]?: bigint | number };
  /** max_entries per map handle, overriding the size compiled into the object. */
  maxEntries?: { [N in keyof S['maps']]?: number };
}

const WIDTH = { u8: 1, u32: 4, u64: 8 } as const;

export function loadObject<S extends ObjectSpec>(spec: S, opts: LoadOptions<S>): LoadedObject<S> {
  const object = BpfObject.open(opts.path ?? spec.path);
  try {
    checkDeclaredMaps(spec, object);
    for (const [handle, c] of Object.entries(spec.constants)) {
      const value = (opts.constants as Record<string, bigint | number | undefined> | undefined)?.[handle];
      if (value !== undefined) object.setConstant(c.name, encodeConstant(spec.name, c, value));
    }
    const sized = opts.maxEntries as Record<string, number | undefined> | undefined;
    for (const [handle, codec] of Object.entries(spec.maps)) {
      const n = sized?.[handle] ?? pinnedMaxEntries(join(opts.pinDir, codec.mapName));
      if (n !== undefined) object.setMaxEntries(codec.mapName, n);
    }
    const codecs = Object.values(spec.maps);
    // Before load: afterwards a reused pinned map carries its creator's BTF ids (TypedMap.check).
    for (const codec of codecs) TypedMap.check(object, codec);
    object.pinMapsIn(
      opts.pinDir,
      codecs.map((c) => c.mapName),
    );
    object.load();
    const maps: Record<string, TypedMap<unknown, unknown>> = {};
    for (const [handle, codec] of Object.entries(spec.maps))
      maps[handle] = TypedMap.fromObject(object, codec, { checked: true });
    const programs: Record<string, BpfProgram> = {};
    for (const [handle, name] of Object.entries(spec.programs)) programs[handle] = object.program(name);
    return {
      object,
      maps: maps as LoadedObject<S>['maps'],
      programs: programs as LoadedObject<S>['programs'],
      pinDir: opts.pinDir,
      close: () => object.close(),
    };
  } catch (err) {
    object.close();
    throw err;
  }
}

function checkDeclaredMaps(spec: ObjectSpec, object: BpfObject): void {
  const declared = new Set(Object.values(spec.maps).map((c) => c.mapName));
  // libbpf's internal maps (.rodata, .bss, …) carry the object's name and a dot.
  const inObject = object.mapNames().filter((n) => !n.startsWith('.') && !n.includes('.'));
  const undeclared = inObject.filter((n) => !declared.has(n));
  const missing = [...declared].filter((n) => !inObject.includes(n));
  if (undeclared.length === 0 && missing.length === 0) return;
  const parts = [
    ...undeclared.map((n) => `${n} is in the object but not in the spec (add its codec to the spec)`),
    ...missing.map((n) => `${n} is in the spec but not in the object (rebuild with \`make build\`?)`),
  ];
  throw new BpfError({ op: 'load object', object: spec.name, code: 'ELAYOUT', message: parts.join('; ') });
}

function encodeConstant(object: string, c: ConstantSpec, value: bigint | number): Buffer {
  const n = BigInt(value);
  const max = (1n << BigInt(WIDTH[c.type] * 8)) - 1n;
  if (n < 0n || n > max)
    throw new BpfError({
      op: 'set constant',
      object: `${object} ${c.name}`,
      code: 'EINVAL',
      message: `${n} does not fit ${c.type}`,
    });
  const buf = Buffer.alloc(WIDTH[c.type]);
  if (c.type === 'u8') buf.writeUInt8(Number(n));
  else if (c.type === 'u32') buf.writeUInt32LE(Number(n));
  else buf.writeBigUInt64LE(n);
  return buf;
}

/**
 * The size of a map already pinned at `path`, so an object sharing it without being told its size
 * (bpf_lxc, loaded per endpoint, shares the service and conntrack maps bpf_host created with the
 * agent's --bpf-lb-map-max and --bpf-ct-global-*-max) reuses it instead of failing libbpf's
 * compatibility check. undefined when nothing is pinned there.
 */
function pinnedMaxEntries(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const m = BpfMap.openPinned(path);
  try {
    return m.info.maxEntries;
  } finally {
    m.close();
  }
}
