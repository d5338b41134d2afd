// What `waggle service list` and `waggle bpf lb list` print, in cilium-dbg's formats
// (cilium-dbg/cmd/service_list.go, cilium-dbg/cmd/bpf_lb_list.go): the agent builds these rows
// and the CLI lays them out.
import { type Lb4Backend, backendStateName } from '../datapath/maps/lb4-backends.js';
import {
  frontendString,
  type Lb4Key,
  type Lb4Service,
  protoName,
  SvcFlag,
} from '../datapath/maps/lb4-services.js';
import type { FrontendType } from './desired.js';

export interface ServiceListEntry {
  id: number;
  /** `10.96.0.10:53/UDP`. */
  frontend: string;
  type: FrontendType;
  service: string;
  backends: Array<{ address: string; state: string }>;
}

/** `ID  Frontend  Service Type  Backend`, backends numbered `1 => 10.200.1.5:80/TCP (active)`. */
export function serviceListRows(entries: readonly ServiceListEntry[]): string[][] {
  const rows: string[][] = [];
  for (const e of [...entries].sort((a, b) => a.id - b.id)) {
    const backends = e.backends.length ? e.backends : [undefined];
    backends.forEach((b, i) => {
      const backend = b ? `${i + 1} => ${b.address} (${b.state})` : '';
      rows.push(i === 0 ? [String(e.id), e.frontend, e.type, backend] : ['', '', '', backend]);
    });
  }
  return rows;
}

/** The master row's flags as Cilium prints them (pkg/loadbalancer/loadbalancer.go, SVCFlags.String). */
export function flagsText(flags: number): string {
  let type = 'ClusterIP';
  if (flags & SvcFlag.EXTERNAL_IP) type = 'ExternalIPs';
  else if (flags & SvcFlag.NODEPORT) type = 'NodePort';
  else if (flags & SvcFlag.LOADBALANCER) type = 'LoadBalancer';
  else if (flags & SvcFlag.HOSTPORT) type = 'HostPort';
  const parts = [type];
  if (flags & SvcFlag.EXT_LOCAL_SCOPE) parts.push('Local');
  if (flags & SvcFlag.AFFINITY) parts.push('sessionAffinity');
  if (!(flags & SvcFlag.ROUTABLE)) parts.push('non-routable');
  if (flags & SvcFlag.SOURCE_RANGE) parts.push('check source-range');
  return parts.join(', ');
}

/** `SERVICE ADDRESS  BACKEND ADDRESS (REVNAT_ID) (SLOT)` rows from the maps' real contents. */
export function lbListRows(
  services: ReadonlyArray<[Lb4Key, Lb4Service]>,
  backends: ReadonlyMap<number, Lb4Backend>,
): string[][] {
  const sorted = [...services].sort(
    ([a], [b]) => frontendString(a).localeCompare(frontendString(b)) || a.backendSlot - b.backendSlot,
  );
  return sorted.map(([k, v]) => {
    const left = `${frontendString(k)} (${k.backendSlot})`;
    if (k.backendSlot === 0) return [left, `0.0.0.0:0 (${v.revNatIndex}) (0) [${flagsText(v.flags)}]`];
    const b = backends.get(v.backendId);
    if (!b) return [left, `backend ${v.backendId} not found`];
    return [left, `${b.address}:${b.port}/${protoName(b.proto)} (${v.revNatIndex}) (${k.backendSlot})`];
  });
}

export const backendText = (b: Lb4Backend) => ({
  address: `${b.address}:${b.port}/${protoName(b.proto)}`,
  state: backendStateName(b.state),
});
