// Desired frontends → the rows of the three service maps, with IDs from the allocators: for each
// frontend a master row (slot 0: the slot count, the service ID, the type flags) and one row per
// slot (the backend's ID); each backend once in the backends map; each service ID's frontend in
// the reverse-NAT map. Cilium's layout (pkg/loadbalancer/maps, bpf/lib/lb.h).
import { BackendState, type Lb4Backend, type Lb4ReverseNat } from '../datapath/maps/lb4-backends.js';
import { L4Proto, type Lb4Key, type Lb4Service, SvcFlag, SvcFlag2 } from '../datapath/maps/lb4-services.js';
import type { DesiredFrontend, FrontendType } from './desired.js';
import { l3n4 } from './desired.js';
import type { IdAllocator } from './ids.js';

export interface FrontendRows {
  /** `addr:port/PROTO`. */
  frontend: string;
  master: [Lb4Key, Lb4Service];
  /** Slots 1..count, in order. */
  slots: Array<[Lb4Key, Lb4Service]>;
  /** Backend IDs the slots point at (written before them). */
  backendIds: number[];
}

export interface DesiredRows {
  frontends: FrontendRows[];
  backends: Map<number, Lb4Backend>;
  revNat: Map<number, Lb4ReverseNat>;
  /** waggle_lb4_source_range rows: (service ID, client prefix). */
  sourceRanges: Array<{ revNat: number; cidr: string }>;
  /** Frontends or backends left out because an ID range is exhausted. */
  problems: string[];
}

/**
 * lb4_service.flags for a frontend type: ClusterIPs are non-routable unless asked (Cilium's
 * default); NodePort, LoadBalancer and externalIP frontends are reached from outside, so routable.
 */
export function typeFlags(type: FrontendType): number {
  if (type === 'NodePort') return SvcFlag.NODEPORT | SvcFlag.ROUTABLE;
  if (type === 'LoadBalancer') return SvcFlag.LOADBALANCER | SvcFlag.ROUTABLE;
  if (type === 'ExternalIPs') return SvcFlag.EXTERNAL_IP | SvcFlag.ROUTABLE;
  return 0;
}

export function desiredRows(
  frontends: readonly DesiredFrontend[],
  ids: { services: IdAllocator; backends: IdAllocator },
): DesiredRows {
  const out: DesiredRows = {
    frontends: [],
    backends: new Map(),
    revNat: new Map(),
    sourceRanges: [],
    problems: [],
  };
  for (const fe of frontends) {
    const name = l3n4(fe);
    const revNatIndex = ids.services.acquire(name);
    if (revNatIndex === undefined) {
      out.problems.push(`frontend ${name} (service "${fe.service}"): no free service ID`);
      continue;
    }
    const proto = L4Proto[fe.proto];
    const key = (backendSlot: number): Lb4Key => ({
      address: fe.address,
      port: fe.port,
      backendSlot,
      proto,
      scope: fe.scope ?? 0,
    });
    const slots: Array<[Lb4Key, Lb4Service]> = [];
    const backendIds: number[] = [];
    for (const b of fe.backends) {
      const id = ids.backends.acquire(l3n4(b));
      if (id === undefined) {
        out.problems.push(`backend ${l3n4(b)} (service "${fe.service}"): no free backend ID`);
        continue;
      }
      out.backends.set(id, {
        address: b.address,
        port: b.port,
        proto: L4Proto[b.proto],
        state: BackendState[b.state],
      });
      if (!b.slot) continue;
      backendIds.push(id);
      slots.push([key(slots.length + 1), { backendId: id, count: 0, revNatIndex, flags: 0 }]);
    }
    out.revNat.set(revNatIndex, { address: fe.address, port: fe.port });
    const ranges = fe.sourceRanges;
    // Only on the external row set: inside the cluster the ranges do not apply (lb4.h).
    if (ranges && (fe.scope ?? 0) === 0)
      for (const cidr of ranges) out.sourceRanges.push({ revNat: revNatIndex, cidr });
    const flags =
      typeFlags(fe.type) |
      (fe.extLocal ? SvcFlag.EXT_LOCAL_SCOPE : 0) |
      (ranges ? SvcFlag.SOURCE_RANGE : 0) |
      (fe.affinityTimeoutS ? SvcFlag.AFFINITY : 0);
    out.frontends.push({
      frontend: fe.scope ? `${name} (internal)` : name,
      master: [
        key(0),
        {
          // With affinity the master row's backend_id is the timeout (bpf/lib/lb_types.h).
          backendId: fe.affinityTimeoutS ? fe.affinityTimeoutS & 0xffffff : 0,
          count: slots.length,
          revNatIndex,
          flags,
          flags2: fe.extLocal ? SvcFlag2.TWO_SCOPES : 0,
        },
      ],
      slots,
      backendIds,
    });
  }
  return out;
}
