// `waggle get` columns of the Cilium v2 kinds, as their CRDs' printer columns declare them
// (Cilium's pkg/k8s/apis/cilium.io/v2/types.go). A missing value prints as an empty cell, as
// kubectl prints a CRD column whose JSONPath finds nothing (IPV6 on an IPv4-only cluster).
import {
  type CiliumEndpoint,
  type CiliumIdentity,
  type CiliumNode,
  ciliumNodeAddress,
} from '../api/index.js';
import { age } from './format-age.js';
import type { Columns } from './format-columns.js';

export const ciliumNodes: Columns<CiliumNode> = {
  headers: ['NAME', 'CILIUMINTERNALIP', 'INTERNALIP', 'AGE'],
  wideHeaders: [],
  row: (n, now) => [
    n.metadata.name,
    ciliumNodeAddress(n, 'CiliumInternalIP') ?? '',
    ciliumNodeAddress(n, 'InternalIP') ?? '',
    age(n.metadata.creationTimestamp, now),
  ],
  wide: () => [],
};

const cepIdentity = (e: CiliumEndpoint) => String(e.status?.identity?.id ?? '');
const cepAddress = (e: CiliumEndpoint) => e.status?.networking?.addressing[0];

// The enforcement columns have priority 1 in the CRD: -o wide shows them in their place, between
// SECURITY IDENTITY and ENDPOINT STATE, not appended at the end. (Cilium ≤ 1.15 also had a
// VISIBILITY POLICY column; it went with the visibility annotations in 1.16.)
export const ciliumEndpoints: Columns<CiliumEndpoint> = {
  headers: ['NAME', 'SECURITY IDENTITY', 'ENDPOINT STATE', 'IPV4', 'IPV6'],
  wideHeaders: [],
  row: (e) => [
    e.metadata.name,
    cepIdentity(e),
    e.status?.state ?? '',
    cepAddress(e)?.ipv4 ?? '',
    cepAddress(e)?.ipv6 ?? '',
  ],
  wide: () => [],
  wideTable: {
    headers: [
      'NAME',
      'SECURITY IDENTITY',
      'INGRESS ENFORCEMENT',
      'EGRESS ENFORCEMENT',
      'ENDPOINT STATE',
      'IPV4',
      'IPV6',
    ],
    row: (e) => [
      e.metadata.name,
      cepIdentity(e),
      e.status?.policy?.ingress?.state ?? '',
      e.status?.policy?.egress?.state ?? '',
      e.status?.state ?? '',
      cepAddress(e)?.ipv4 ?? '',
      cepAddress(e)?.ipv6 ?? '',
    ],
  },
};

export const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';

export const ciliumIdentities: Columns<CiliumIdentity> = {
  headers: ['NAME', 'NAMESPACE', 'AGE'],
  wideHeaders: [],
  row: (i, now) => [
    i.metadata.name,
    i.metadata.labels?.[NAMESPACE_LABEL] ?? i['security-labels'][`k8s:${NAMESPACE_LABEL}`] ?? '',
    age(i.metadata.creationTimestamp, now),
  ],
  wide: () => [],
};
