// The EndpointSlice controller's desired state, pure (pkg/controller/endpointslice and
// staging/src/k8s.io/endpointslice: reconciler.go, utils.go): for a Service with a selector, its
// pods that have an IP and have not finished, one endpoint each, grouped by their resolved ports
// (a named targetPort can resolve to different numbers on different pods, and a slice has one
// port list), at most 100 endpoints per slice. With no endpoints at all the Service keeps one
// empty placeholder slice, as upstream does.
import type { EndpointSlice, Pod, Service } from '../../api/index.js';
import { SLICE_MANAGED_BY_LABEL, SLICE_SERVICE_LABEL } from '../../api/index.js';
import type { SliceEndpoint, SlicePort } from '../../api/endpoint-slice.js';
import { parseAddr } from '../../lib/ip.js';
import { canonicalJson } from '../../store/prepare.js';
import { isReady, isTerminating } from './pod-state.js';

export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export type AddressType = EndpointSlice['addressType'];

/** One slice's content: what a stored slice is compared on. */
export interface SliceContent {
  addressType: AddressType;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

/** podutil.ShouldPodBeInEndpoints with terminating pods included (EndpointSlices list them). */
export function podInEndpoints(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.status?.podIP) && phase !== 'Succeeded' && phase !== 'Failed';
}

/** The Service's selector as the controller reads it: none or empty means no managed slices. */
export function selects(svc: Service, pod: Pod): boolean {
  const sel = svc.spec.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  if ((pod.metadata.namespace ?? 'default') !== (svc.metadata.namespace ?? 'default')) return false;
  return Object.entries(sel).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

export function hasManagedSlices(svc: Service): boolean {
  return svc.spec.type !== 'ExternalName' && Object.keys(svc.spec.selector ?? {}).length > 0;
}

/** podutil.FindPort: a named targetPort is the container port of that name and protocol. */
function resolvePort(pod: Pod, target: number | string | undefined, port: number, protocol: string) {
  if (target === undefined) return port;
  if (typeof target === 'number') return target;
  for (const c of pod.spec.containers)
    for (const p of c.ports ?? []) if (p.name === target && p.protocol === protocol) return p.containerPort;
  return undefined;
}

/** getEndpointPorts: the Service's ports on this pod; a name the pod lacks is left out. */
export function endpointPorts(svc: Service, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = resolvePort(pod, sp.targetPort, sp.port, sp.protocol);
    if (port === undefined) continue;
    out.push({
      name: sp.name ?? '',
      protocol: sp.protocol,
      port,
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return out;
}

/** podToEndpoint: ready = Ready and not terminating; serving = Ready; terminating = being deleted. */
export function podToEndpoint(pod: Pod): SliceEndpoint {
  const terminating = isTerminating(pod);
  const ready = isReady(pod);
  return {
    addresses: [pod.status?.podIP as string],
    conditions: { ready: ready && !terminating, serving: ready, terminating },
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      uid: pod.metadata.uid ?? '',
    },
  };
}

function addressTypeOf(ip: string): AddressType | undefined {
  const a = parseAddr(ip);
  return a ? (a.family === 4 ? 'IPv4' : 'IPv6') : undefined;
}

/** The slices a Service should have, in a stable order (by ports, then pod name). */
export function desiredSlices(svc: Service, pods: Pod[]): SliceContent[] {
  if (!hasManagedSlices(svc)) return [];
  const groups = new Map<string, SliceContent>();
  const chosen = pods
    .filter((p) => selects(svc, p) && podInEndpoints(p))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const pod of chosen) {
    const addressType = addressTypeOf(pod.status?.podIP as string);
    if (!addressType) continue;
    const ports = endpointPorts(svc, pod);
    const key = canonicalJson({ addressType, ports });
    const group = groups.get(key) ?? { addressType, ports, endpoints: [] };
    group.endpoints.push(podToEndpoint(pod));
    groups.set(key, group);
  }
  const out: SliceContent[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key) as SliceContent;
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE)
      out.push({ ...g, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
  }
  if (out.length === 0) out.push({ addressType: 'IPv4', ports: [], endpoints: [] });
  return out;
}

/** The labels of a managed slice: the Service's own, plus the two that tie it to the Service. */
export function sliceLabels(svc: Service): Record<string, string> {
  return {
    ...svc.metadata.labels,
    [SLICE_SERVICE_LABEL]: svc.metadata.name,
    [SLICE_MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

export function contentOf(s: EndpointSlice): SliceContent {
  return { addressType: s.addressType, ports: s.ports ?? [], endpoints: s.endpoints };
}

export const sameContent = (a: SliceContent, b: SliceContent) => canonicalJson(a) === canonicalJson(b);

export type SliceWrite =
  | { kind: 'create'; content: SliceContent }
  | { kind: 'update'; slice: EndpointSlice; content: SliceContent }
  | { kind: 'delete'; slice: EndpointSlice };

/**
 * The writes that turn `existing` (the Service's managed slices) into `desired`: a slice whose
 * ports already match keeps its name and is rewritten only if its endpoints differ; a left-over
 * slice is reused for a group that has none before anything is created; the rest is deleted.
 */
export function sliceWrites(existing: EndpointSlice[], desired: SliceContent[], svc: Service): SliceWrite[] {
  const writes: SliceWrite[] = [];
  const free = [...existing].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const portsKey = (c: SliceContent) => canonicalJson({ a: c.addressType, p: c.ports });
  const unmatched: SliceContent[] = [];
  const labels = canonicalJson(sliceLabels(svc));
  const stale = (s: EndpointSlice, c: SliceContent) =>
    !sameContent(contentOf(s), c) || canonicalJson(s.metadata.labels ?? {}) !== labels;
  for (const want of desired) {
    const i = free.findIndex((s) => portsKey(contentOf(s)) === portsKey(want));
    if (i < 0) {
      unmatched.push(want);
      continue;
    }
    const [slice] = free.splice(i, 1) as [EndpointSlice];
    if (stale(slice, want)) writes.push({ kind: 'update', slice, content: want });
  }
  for (const want of unmatched) {
    const slice = free.shift();
    writes.push(slice ? { kind: 'update', slice, content: want } : { kind: 'create', content: want });
  }
  for (const slice of free) writes.push({ kind: 'delete', slice });
  return writes;
}
