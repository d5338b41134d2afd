// The columns `waggle get` prints per kind, as kubectl prints them for Services, Nodes and
// Leases (workloads in format-workload-columns.ts) and as Cilium's CRDs declare them (pools: Disabled, Conflicting, IPs Available, Age;
// CiliumNode, CiliumEndpoint and CiliumIdentity in format-cilium-columns.ts).
import type { AnyObject, CiliumLoadBalancerIPPool, Kind, Lease, Node, Service } from '../api/index.js';
import { age } from './format-age.js';
import { ciliumEndpoints, ciliumIdentities, ciliumNodes } from './format-cilium-columns.js';
import { deployments, endpointSlices, pods, replicaSets } from './format-workload-columns.js';
import { ingressClasses, ingresses, secrets } from './format-ingress-columns.js';

export interface Columns<T extends AnyObject> {
  headers: string[];
  wideHeaders: string[];
  row(o: T, now: number): string[];
  wide(o: T): string[];
  /** When -o wide inserts columns in the middle (CRD priority-1 columns), the whole wide table. */
  wideTable?: { headers: string[]; row(o: T, now: number): string[] };
}

export function servicePorts(svc: Service): string {
  const ports = svc.spec.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',');
}

/** kubectl's EXTERNAL-IP: ingress (LoadBalancer) and externalIPs; `<pending>` for an LB with neither. */
export function serviceExternalIp(svc: Service): string {
  const external = svc.spec.externalIPs ?? [];
  if (svc.spec.type === 'ExternalName') return svc.spec.externalName ?? '<none>';
  if (svc.spec.type === 'LoadBalancer') {
    const lb = (svc.status?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip ?? i.hostname ?? '')
      .filter((s) => s);
    const all = [...external, ...lb];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return external.length > 0 ? external.join(',') : '<none>';
}

const services: Columns<Service> = {
  headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
  wideHeaders: ['SELECTOR'],
  row: (s, now) => [
    s.metadata.name,
    s.spec.type,
    s.spec.clusterIP || '<none>',
    serviceExternalIp(s),
    servicePorts(s),
    age(s.metadata.creationTimestamp, now),
  ],
  wide: (s) => [
    Object.entries(s.spec.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '<none>',
  ],
};

/**
 * kubectl's node STATUS (printNode in kubernetes pkg/printers/internalversion/printers.go):
 * `Ready` for Ready=True, `NotReady` for any other status *including Unknown* (so a node whose
 * agent stopped posting reads NotReady, as in Kubernetes), `Unknown` only when there is no Ready
 * condition at all; `,SchedulingDisabled` when cordoned.
 */
export function nodeStatus(n: Node): string {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  const base = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return n.spec.unschedulable ? `${base},SchedulingDisabled` : base;
}

const nodes: Columns<Node> = {
  headers: ['NAME', 'STATUS', 'ROLES', 'AGE'],
  wideHeaders: ['INTERNAL-IP'],
  row: (n, now) => {
    const roles = Object.keys(n.metadata.labels ?? {})
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length))
      .sort();
    return [
      n.metadata.name,
      nodeStatus(n),
      roles.join(',') || '<none>',
      age(n.metadata.creationTimestamp, now),
    ];
  },
  wide: (n) => [n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '<none>'],
};

const pools: Columns<CiliumLoadBalancerIPPool> = {
  headers: ['NAME', 'DISABLED', 'CONFLICTING', 'IPS AVAILABLE', 'AGE'],
  wideHeaders: [],
  row: (p, now) => {
    const cond = (type: string) => p.status?.conditions?.find((c) => c.type === type);
    return [
      p.metadata.name,
      String(p.spec.disabled),
      cond('cilium.io/PoolConflict')?.status ?? '',
      cond('cilium.io/IPsAvailable')?.message ?? '',
      age(p.metadata.creationTimestamp, now),
    ];
  },
  wide: () => [],
};

const leases: Columns<Lease> = {
  headers: ['NAME', 'HOLDER', 'AGE'],
  wideHeaders: [],
  row: (l, now) => [l.metadata.name, l.spec.holderIdentity ?? '', age(l.metadata.creationTimestamp, now)],
  wide: () => [],
};

const nameAndAge: Columns<AnyObject> = {
  headers: ['NAME', 'AGE'],
  wideHeaders: [],
  row: (o, now) => [o.metadata.name, age(o.metadata.creationTimestamp, now)],
  wide: () => [],
};

export function columnsFor(kind: Kind): Columns<AnyObject> {
  const byKind: Record<Kind, Columns<never>> = {
    Service: services,
    Node: nodes,
    CiliumLoadBalancerIPPool: pools,
    CiliumL2AnnouncementPolicy: nameAndAge,
    Lease: leases,
    CiliumNode: ciliumNodes,
    CiliumEndpoint: ciliumEndpoints,
    CiliumIdentity: ciliumIdentities,
    Pod: pods,
    Deployment: deployments,
    ReplicaSet: replicaSets,
    EndpointSlice: endpointSlices,
    Ingress: ingresses,
    IngressClass: ingressClasses,
    Secret: secrets,
  };
  return byKind[kind] as Columns<AnyObject>;
}
