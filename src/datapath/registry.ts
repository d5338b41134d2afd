// Every datapath object waggle loads and every map they pin, in one place. `waggle map list`,
// `waggle map get NAME`, the agent's status and metrics, and the BTF layout test all read this,
// so a map added to an object spec is shown and checked with no further code.
import type { AnyCodec, ObjectSpec } from '../bpf/loader.js';
import { hostObject } from './objects/host.js';
import { lxcObject } from './objects/lxc.js';
import { sockObject } from './objects/sock.js';

export const datapathObjects: readonly ObjectSpec[] = [hostObject, lxcObject, sockObject];

/** Each map's codec once, by map name (a map shared by two objects is one map, pinned once). */
export function mapCodecs(): Map<string, AnyCodec> {
  const out = new Map<string, AnyCodec>();
  for (const spec of datapathObjects) for (const c of Object.values(spec.maps)) out.set(c.mapName, c);
  return out;
}
