// What LB-IPAM needs to know about one Service (Cilium's operator/pkg/lbipam/lbipam.go: isResponsibleForSVC, handleUpsertService), extracted once
// per event so that the allocator never reads raw objects.
import { type Addr, type Family, formatAddr, parseAddr } from './addr.js';
import { keyString, namespacedName, serviceSelectorLabels } from '../api/index.js';
import { LB_CLASS_L2, SATISFIED_CONDITION, type ServiceLike } from './types.js';

export const ANNOTATION_IPS = 'lbipam.cilium.io/ips';
export const ANNOTATION_IPS_LEGACY = 'io.cilium/lb-ipam-ips';
export const ANNOTATION_SHARING_KEY = 'lbipam.cilium.io/sharing-key';
export const ANNOTATION_SHARING_KEY_LEGACY = 'io.cilium/lb-ipam-sharing-key';
export const ANNOTATION_CROSS_NS = 'lbipam.cilium.io/sharing-cross-namespace';
export const ANNOTATION_CROSS_NS_LEGACY = 'io.cilium/lb-ipam-sharing-cross-namespace';

export interface ServiceView {
  key: string; // namespace/name
  namespace: string;
  name: string;
  owned: boolean;
  generation: number;
  /** The service's labels plus the two synthetic io.kubernetes.service.* labels. */
  labels: Record<string, string>;
  families: Record<Family, boolean>;
  requested: Addr[]; // specific IPs, spec.loadBalancerIP first
  invalidRequests: string[]; // entries that were skipped (logged by the controller)
  sharingKey: string;
  crossNamespace: string[];
  etp: string;
  ports: number[];
  selector: Record<string, string>;
  /** From the stored status: the ingress IPs as written, and whether our condition is there. */
  ingress: string[];
  hasCondition: boolean;
  satisfied: boolean;
}

export interface FamilySupport {
  ipv4: boolean;
  ipv6: boolean;
}

/** The string form of a service's key, for Map keys only (never split back: see api/object-key.ts). */
export function serviceKey(namespace: string, name: string): string {
  return keyString(namespacedName(namespace, name));
}

/** Primary annotation first, then its legacy alias, as Cilium's annotation.Get does. */
function annotation(ann: Record<string, string>, primary: string, alias: string): string | undefined {
  return ann[primary] ?? ann[alias];
}

export function isOwned(svc: ServiceLike): boolean {
  if (svc.spec.type !== 'LoadBalancer') return false;
  const cls = svc.spec.loadBalancerClass;
  return cls === undefined || cls === null || cls === LB_CLASS_L2;
}

/** serviceIPFamilyRequest: which families a service asks for (Cilium's operator/pkg/lbipam/lbipam.go). */
export function requestedFamilies(svc: ServiceLike, on: FamilySupport): Record<Family, boolean> {
  const listed = svc.spec.ipFamilies ?? [];
  const first = (): Record<Family, boolean> => {
    if (listed.length > 0) return { 4: listed[0] === 'IPv4', 6: listed[0] !== 'IPv4' };
    return { 4: on.ipv4, 6: !on.ipv4 && on.ipv6 };
  };
  switch (svc.spec.ipFamilyPolicy) {
    case 'PreferDualStack':
      if (listed.length === 0) return { 4: on.ipv4, 6: on.ipv6 };
      return { 4: on.ipv4 && listed.includes('IPv4'), 6: on.ipv6 && listed.includes('IPv6') };
    case 'RequireDualStack':
      return { 4: on.ipv4, 6: on.ipv6 };
    default: // absent or SingleStack
      return first();
  }
}

function requestedIPs(svc: ServiceLike, ann: Record<string, string>): { ips: Addr[]; invalid: string[] } {
  const raw: string[] = [];
  if (svc.spec.loadBalancerIP) raw.push(svc.spec.loadBalancerIP);
  const list = annotation(ann, ANNOTATION_IPS, ANNOTATION_IPS_LEGACY);
  if (list) raw.push(...list.split(','));
  const ips: Addr[] = [];
  const invalid: string[] = [];
  for (const entry of raw) {
    const text = entry.trim();
    if (text === '') continue;
    const a = parseAddr(text);
    if (!a) {
      invalid.push(text);
      continue;
    }
    // Like slices.CompactFunc upstream: only adjacent duplicates collapse.
    const prev = ips[ips.length - 1];
    if (prev && prev.family === a.family && prev.value === a.value) continue;
    ips.push(a);
  }
  return { ips, invalid };
}

export function buildServiceView(svc: ServiceLike, on: FamilySupport): ServiceView {
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name;
  const ann = svc.metadata.annotations ?? {};
  const { ips, invalid } = requestedIPs(svc, ann);
  const cross = annotation(ann, ANNOTATION_CROSS_NS, ANNOTATION_CROSS_NS_LEGACY) ?? '';
  const ingress: string[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    const a = ing.ip ? parseAddr(ing.ip) : undefined;
    if (!a) continue;
    const text = formatAddr(a.family, a.value);
    if (!ingress.includes(text)) ingress.push(text); // duplicates are collapsed on import
  }
  const cond = svc.status?.conditions?.find((c) => c.type === SATISFIED_CONDITION);
  return {
    key: serviceKey(namespace, name),
    namespace,
    name,
    owned: isOwned(svc),
    generation: svc.metadata.generation ?? 0,
    labels: serviceSelectorLabels({ ...svc.metadata, namespace }),
    families: requestedFamilies(svc, on),
    requested: ips,
    invalidRequests: invalid,
    sharingKey: annotation(ann, ANNOTATION_SHARING_KEY, ANNOTATION_SHARING_KEY_LEGACY) ?? '',
    crossNamespace: cross
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    etp: svc.spec.externalTrafficPolicy ?? 'Cluster',
    ports: (svc.spec.ports ?? []).map((p) => p.port),
    selector: svc.spec.selector ?? {},
    ingress,
    hasCondition: cond !== undefined,
    satisfied: cond?.status === 'True',
  };
}
