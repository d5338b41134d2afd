// The desired responder table (Cilium's pkg/l2announcer/l2announcer.go, desiredEntries): for every service this node leads, its IPs
// (LB ingress IPs and/or externalIPs, as each selecting policy asks) × that policy's devices,
// unioned over policies. Rows are shared: one (IP, interface) row lists every service wanting it.
// IPv4 only, like the responder map.
import { isIP } from 'node:net';
import { externalIPs, lbIngressIPs, type SelectedService } from './selection.js';

export interface DesiredRow {
  ip: string;
  iface: string;
  /** Services ("<ns>/<name>") that want this row, sorted. */
  origins: string[];
}

export const rowKey = (ip: string, iface: string) => `${ip}/${iface}`;

export function desiredRows(
  selected: Iterable<SelectedService>,
  isLeading: (key: string) => boolean,
): DesiredRow[] {
  const rows = new Map<string, DesiredRow>();
  for (const s of selected) {
    if (!isLeading(s.key)) continue;
    for (const p of s.policies) {
      const ips = [
        ...(p.loadBalancerIPs ? lbIngressIPs(s.service) : []),
        ...(p.externalIPs ? externalIPs(s.service) : []),
      ].filter((ip) => isIP(ip) === 4);
      for (const ip of ips) {
        for (const iface of p.devices) {
          const k = rowKey(ip, iface);
          const row = rows.get(k) ?? { ip, iface, origins: [] };
          if (!row.origins.includes(s.key)) row.origins.push(s.key);
          rows.set(k, row);
        }
      }
    }
  }
  return [...rows.values()]
    .map((r) => ({ ...r, origins: r.origins.sort() }))
    .sort((a, b) => rowKey(a.ip, a.iface).localeCompare(rowKey(b.ip, b.iface)));
}
