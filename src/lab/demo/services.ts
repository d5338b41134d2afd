// The seed's objects as the demo reads them back: the ingress service the operator makes for
// basic-ingress, its lease, and the MACs of the hosts that may answer for it.
import { hostByName } from '../topology.js';
import { tableCell, waggleOnServer } from './tools.js';
import type { DemoContext } from './step.js';

export const VIP = '10.0.10.0';
/** 10.0.10.0 read as a little-endian u32, as bpftool prints the map key: the seed's 655370. */
export const VIP_KEY = 655370;

export const SERVICES = [{ namespace: 'default', name: 'cilium-ingress-basic-ingress' }] as const;

export function leaseName(svc: { namespace: string; name: string }): string {
  return `waggle-l2announce-${svc.namespace}-${svc.name}`;
}

export function externalIp(ctx: DemoContext, svc: { namespace: string; name: string }): string | undefined {
  const res = waggleOnServer(ctx, ['get', 'svc', '-n', svc.namespace, svc.name]);
  return res.code === 0 ? tableCell(res.out, svc.name, 'EXTERNAL-IP') : undefined;
}

export function leaseHolder(ctx: DemoContext, lease: string): string | undefined {
  const res = waggleOnServer(ctx, ['get', 'lease', '-n', 'kube-system']);
  const holder = res.code === 0 ? tableCell(res.out, lease, 'HOLDER') : undefined;
  return holder && holder !== '<none>' ? holder : undefined;
}

export function macOf(host: string, dev: 'eth0' | 'eth1'): string {
  const iface = hostByName(host).ifaces.find((i) => i.dev === dev);
  if (!iface) throw new Error(`lab: ${host} has no ${dev}`);
  return iface.mac;
}

/** The agent node that is not `node` (the seed's two workers). */
export function otherWorker(node: string): string {
  return node === 'node-0' ? 'node-1' : 'node-0';
}
