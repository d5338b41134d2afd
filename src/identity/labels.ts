// The security-relevant labels of a pod, as Cilium derives an identity from them: every pod label
// as `k8s:<key>=<value>` except those Cilium's default label filter drops (pkg/labelsfilter:
// labels that change per pod or per rollout and would give every pod its own identity), plus the
// labels Cilium adds itself: the namespace, the cluster name and the service account
// (pkg/k8s/utils, pkg/k8s/apis/cilium.io/const.go). Sorted, with the key string Cilium hashes for
// an identity's labelsSHA256 (`source:key=value;` per label, in order, pkg/labels SortedList).
import { createHash } from 'node:crypto';

export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POLICY_CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';
export const POLICY_SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
export const DEFAULT_CLUSTER_NAME = 'default';

/** Key prefixes Cilium's default filter excludes (its `!…` patterns match from the start). */
const ignoredPrefixes = [
  'io.kubernetes', // Kubernetes' own (io.kubernetes.container.*, io.kubernetes.pod.* from pods)
  'kubernetes.io',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/',
  'controller-uid',
  'job-name',
  'pod-template-generation',
  'pod-template-hash',
  'controller-revision-hash',
  'annotation.',
  'etcd_node',
  'io.cilium.k8s.policy', // ours are added below; a pod must not set them itself
];

/** Whether Cilium's default label filter keeps a pod label key. */
export function isSecurityRelevant(key: string): boolean {
  if (key.includes('beta.kubernetes.io')) return false;
  return !ignoredPrefixes.some((p) => key.startsWith(p));
}

export interface SecurityLabels {
  /** `k8s:app=web`, …, sorted; what a CiliumEndpoint's status.identity.labels lists. */
  list: string[];
  /** `k8s:app` → `web`: a CiliumIdentity's security-labels. */
  map: Record<string, string>;
  /** `k8s:app=web;k8s:io.kubernetes.pod.namespace=default;…`: the text the SHA-256 is of. */
  key: string;
  /** Hex SHA-256 of `key` (Cilium's labelsSHA256). */
  sha256: string;
}

export interface PodLabelInput {
  namespace: string;
  labels?: Record<string, string> | undefined;
  serviceAccount?: string | undefined;
  cluster?: string | undefined;
}

export function podSecurityLabels(pod: PodLabelInput): SecurityLabels {
  const map: Record<string, string> = {};
  for (const [k, v] of Object.entries(pod.labels ?? {})) if (isSecurityRelevant(k)) map[`k8s:${k}`] = v;
  map[`k8s:${POD_NAMESPACE_LABEL}`] = pod.namespace;
  map[`k8s:${POLICY_CLUSTER_LABEL}`] = pod.cluster ?? DEFAULT_CLUSTER_NAME;
  map[`k8s:${POLICY_SERVICE_ACCOUNT_LABEL}`] = pod.serviceAccount || 'default';
  return securityLabelsOf(map);
}

/** From `source:key` → value (a CiliumIdentity's security-labels). */
export function securityLabelsOf(map: Record<string, string>): SecurityLabels {
  const keys = Object.keys(map).sort();
  const sorted: Record<string, string> = {};
  for (const k of keys) sorted[k] = map[k] as string;
  // As Cilium prints a label: `k8s:foo` when its value is empty; the hashed key always has `=`.
  const list = keys.map((k) => (sorted[k] ? `${k}=${sorted[k]}` : k));
  const key = keys.map((k) => `${k}=${sorted[k]};`).join('');
  return { list, map: sorted, key, sha256: createHash('sha256').update(key).digest('hex') };
}
