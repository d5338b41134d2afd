// The ingress controller's pure core: from Ingresses, IngressClasses, Services, Secrets and Nodes
// to the LoadBalancer Services and EndpointSlices that bring an Ingress's traffic to the node
// proxies, and each Ingress's status. No store, no clock. Shapes follow Cilium's
// operator/pkg/ingress (ingress_reconcile.go: `cilium-ingress-<name>` per Ingress in dedicated
// mode, `kube-system/cilium-ingress` in shared mode, ports 80 `http` and 443 `https`, label
// `cilium.io/ingress`). Cilium points those Services at Envoy through its own datapath; waggle's
// selector-less Services get an EndpointSlice of every Ready node's InternalIP at the proxy
// ports, so the ordinary service LB carries the traffic.
import {
  type EndpointSlice,
  type Ingress,
  type IngressClass,
  ingressProblems,
  isOurIngress,
  type LbMode,
  lbModeOf,
  type Node,
  type Secret,
  type Service,
  SLICE_MANAGED_BY_LABEL,
  SLICE_SERVICE_LABEL,
} from '../api/index.js';

export const INGRESS_LABEL = 'cilium.io/ingress';
export const MANAGED_BY = 'waggle-operator';
export const SHARED_NAMESPACE = 'kube-system';
export const SHARED_NAME = 'cilium-ingress';

export interface IngressInputs {
  ingresses: readonly Ingress[];
  classes: readonly IngressClass[];
  services: readonly Service[];
  secrets: readonly Secret[];
  nodes: readonly Node[];
  defaultMode: LbMode;
  ports: { http: number; https: number };
}

export interface IngressVerdict {
  ingress: Ingress;
  /**
   * The Service carrying its traffic (namespace/name). A refused Ingress names the one its mode
   * points at (none is made for it), so its status keeps the address it had and a shared Service
   * it is on is not pruned; undefined only when the mode itself is bad.
   */
  lbService?: { namespace: string; name: string };
  problems: string[];
}

export interface IngressDesired {
  services: Service[];
  slices: EndpointSlice[];
  verdicts: IngressVerdict[];
}

const nsOf = (o: { metadata: { namespace?: string | undefined } }) => o.metadata.namespace ?? 'default';

export function dedicatedName(ing: Ingress): string {
  return `cilium-ingress-${ing.metadata.name}`;
}

function nodeReady(n: Node): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function nodeIps(nodes: readonly Node[]): string[] {
  const ips = nodes
    .filter(nodeReady)
    .flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address))
    .filter((ip) => !ip.includes(':'));
  return [...new Set(ips)].sort();
}

function lbService(namespace: string, name: string, owners: readonly Ingress[]): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      labels: { [INGRESS_LABEL]: 'true' },
      // Shared mode has no single owner (Cilium keeps that Service for as long as it runs).
      ...(owners.length === 1
        ? {
            ownerReferences: owners.map((o) => ({
              apiVersion: 'networking.k8s.io/v1',
              kind: 'Ingress',
              name: o.metadata.name,
              uid: o.metadata.uid ?? '',
              controller: true,
            })),
          }
        : {}),
    },
    spec: {
      type: 'LoadBalancer',
      ports: [
        { name: 'http', protocol: 'TCP', port: 80 },
        { name: 'https', protocol: 'TCP', port: 443 },
      ],
      externalTrafficPolicy: 'Cluster',
    },
  };
}

function lbSlice(svc: Service, ips: string[], ports: { http: number; https: number }): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: svc.metadata.name,
      namespace: nsOf(svc),
      labels: { [SLICE_SERVICE_LABEL]: svc.metadata.name, [SLICE_MANAGED_BY_LABEL]: MANAGED_BY },
    },
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({
      addresses: [ip],
      conditions: { ready: true, serving: true, terminating: false },
    })),
    ports: [
      { name: 'http', protocol: 'TCP', port: ports.http },
      { name: 'https', protocol: 'TCP', port: ports.https },
    ],
  };
}

export function desiredIngress(inp: IngressInputs): IngressDesired {
  const world = {
    service: (ns: string, name: string) =>
      inp.services.find((s) => nsOf(s) === ns && s.metadata.name === name),
    secret: (ns: string, name: string) => inp.secrets.find((s) => nsOf(s) === ns && s.metadata.name === name),
  };
  const verdicts: IngressVerdict[] = [];
  const dedicated: Ingress[] = [];
  const shared: Ingress[] = [];
  const ours = inp.ingresses
    .filter((i) => isOurIngress(i, inp.classes) && !i.metadata.deletionTimestamp)
    .sort((a, b) => `${nsOf(a)}/${a.metadata.name}`.localeCompare(`${nsOf(b)}/${b.metadata.name}`));
  for (const ing of ours) {
    const problems = ingressProblems(ing, world);
    const mode = lbModeOf(ing, inp.defaultMode);
    if (typeof mode === 'object') {
      verdicts.push({ ingress: ing, problems });
      continue;
    }
    const lbService =
      mode === 'shared'
        ? { namespace: SHARED_NAMESPACE, name: SHARED_NAME }
        : { namespace: nsOf(ing), name: dedicatedName(ing) };
    verdicts.push({ ingress: ing, lbService, problems });
    if (problems.length > 0) continue;
    if (mode === 'shared') shared.push(ing);
    else dedicated.push(ing);
  }
  const services = dedicated.map((i) => lbService(nsOf(i), dedicatedName(i), [i]));
  if (shared.length > 0) services.push(lbService(SHARED_NAMESPACE, SHARED_NAME, []));
  const ips = nodeIps(inp.nodes);
  return { services, slices: services.map((s) => lbSlice(s, ips, inp.ports)), verdicts };
}

/** Ingress status: the Service's load balancer addresses, and the Accepted condition. */
export function ingressStatus(
  v: IngressVerdict,
  lb: Service | undefined,
): {
  ingress: Array<{ ip?: string; hostname?: string }>;
  accepted: { status: 'True' | 'False'; reason: string; message: string };
} {
  const ingress = (lb?.status?.loadBalancer?.ingress ?? []).map((i) => ({
    ...(i.ip ? { ip: i.ip } : {}),
    ...(i.hostname ? { hostname: i.hostname } : {}),
  }));
  const accepted =
    v.problems.length > 0
      ? { status: 'False' as const, reason: 'Invalid', message: v.problems.join('; ') }
      : {
          status: 'True' as const,
          reason: 'Accepted',
          message: `served through service ${v.lbService?.namespace}/${v.lbService?.name}`,
        };
  return { ingress, accepted };
}
