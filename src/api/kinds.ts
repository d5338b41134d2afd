// The kind registry: names, short names, groups and scopes as kubectl and Cilium use them, and
// the schema that validates each kind. The CLI resolves user-typed names here; the stores derive
// keys from it.
import type { z } from 'zod';
import { CiliumEndpointSchema } from './cilium-endpoint.js';
import { CiliumIdentitySchema } from './cilium-identity.js';
import { CiliumNodeSchema } from './cilium-node.js';
import { CiliumL2AnnouncementPolicySchema } from './policy.js';
import { CiliumLoadBalancerIPPoolSchema } from './pool.js';
import { LeaseSchema } from './lease.js';
import { NodeSchema } from './node.js';
import { EndpointSliceSchema } from './endpoint-slice.js';
import { PodSchema } from './pod.js';
import { IngressClassSchema, IngressSchema } from './ingress.js';
import { SecretSchema } from './secret.js';
import { ServiceSchema } from './service.js';
import { DeploymentSchema, ReplicaSetSchema } from './workloads.js';

export interface KindInfo {
  kind: string;
  /** '' for the core group (Service, Node). */
  group: string;
  apiVersions: readonly string[];
  plural: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  /** With a status subresource, update() keeps the stored status and updateStatus() the spec. */
  hasStatus: boolean;
  schema: z.ZodType;
}

export const kinds = {
  Service: {
    kind: 'Service',
    group: '',
    apiVersions: ['v1'],
    plural: 'services',
    singular: 'service',
    shortNames: ['svc'],
    namespaced: true,
    hasStatus: true,
    schema: ServiceSchema,
  },
  Node: {
    kind: 'Node',
    group: '',
    apiVersions: ['v1'],
    plural: 'nodes',
    singular: 'node',
    shortNames: ['no'],
    namespaced: false,
    hasStatus: true,
    schema: NodeSchema,
  },
  CiliumLoadBalancerIPPool: {
    kind: 'CiliumLoadBalancerIPPool',
    group: 'cilium.io',
    apiVersions: ['cilium.io/v2alpha1', 'cilium.io/v2'],
    plural: 'ciliumloadbalancerippools',
    singular: 'ciliumloadbalancerippool',
    shortNames: ['ippools', 'ippool', 'lbippool', 'lbippools'],
    namespaced: false,
    hasStatus: true,
    schema: CiliumLoadBalancerIPPoolSchema,
  },
  CiliumL2AnnouncementPolicy: {
    kind: 'CiliumL2AnnouncementPolicy',
    group: 'cilium.io',
    apiVersions: ['cilium.io/v2alpha1'],
    plural: 'ciliuml2announcementpolicies',
    singular: 'ciliuml2announcementpolicy',
    // Cilium's CRD declares `l2announcement`; the plural is accepted too, as users type it.
    shortNames: ['l2announcement', 'l2announcements'],
    namespaced: false,
    hasStatus: true,
    schema: CiliumL2AnnouncementPolicySchema,
  },
  Lease: {
    kind: 'Lease',
    group: 'coordination.k8s.io',
    apiVersions: ['coordination.k8s.io/v1'],
    plural: 'leases',
    singular: 'lease',
    shortNames: [],
    namespaced: true,
    hasStatus: false,
    schema: LeaseSchema,
  },
  // The workloads the lab's control plane and kubelets run (core/v1, apps/v1, discovery.k8s.io/v1).
  Pod: {
    kind: 'Pod',
    group: '',
    apiVersions: ['v1'],
    plural: 'pods',
    singular: 'pod',
    shortNames: ['po'],
    namespaced: true,
    hasStatus: true,
    schema: PodSchema,
  },
  Deployment: {
    kind: 'Deployment',
    group: 'apps',
    apiVersions: ['apps/v1'],
    plural: 'deployments',
    singular: 'deployment',
    shortNames: ['deploy'],
    namespaced: true,
    hasStatus: true,
    schema: DeploymentSchema,
  },
  ReplicaSet: {
    kind: 'ReplicaSet',
    group: 'apps',
    apiVersions: ['apps/v1'],
    plural: 'replicasets',
    singular: 'replicaset',
    shortNames: ['rs'],
    namespaced: true,
    hasStatus: true,
    schema: ReplicaSetSchema,
  },
  EndpointSlice: {
    kind: 'EndpointSlice',
    group: 'discovery.k8s.io',
    apiVersions: ['discovery.k8s.io/v1'],
    plural: 'endpointslices',
    singular: 'endpointslice',
    shortNames: [],
    namespaced: true,
    hasStatus: false,
    schema: EndpointSliceSchema,
  },
  // The three below as Cilium's CRDs declare them (pkg/k8s/apis/cilium.io/v2/types.go).
  CiliumNode: {
    kind: 'CiliumNode',
    group: 'cilium.io',
    apiVersions: ['cilium.io/v2'],
    plural: 'ciliumnodes',
    singular: 'ciliumnode',
    shortNames: ['cn', 'ciliumn'],
    namespaced: false,
    hasStatus: true,
    schema: CiliumNodeSchema,
  },
  CiliumEndpoint: {
    kind: 'CiliumEndpoint',
    group: 'cilium.io',
    apiVersions: ['cilium.io/v2'],
    plural: 'ciliumendpoints',
    singular: 'ciliumendpoint',
    shortNames: ['cep', 'ciliumep'],
    namespaced: true,
    // No status subresource in Cilium's CRD: the agent writes the whole object.
    hasStatus: false,
    schema: CiliumEndpointSchema,
  },
  CiliumIdentity: {
    kind: 'CiliumIdentity',
    group: 'cilium.io',
    apiVersions: ['cilium.io/v2'],
    plural: 'ciliumidentities',
    singular: 'ciliumidentity',
    shortNames: ['ciliumid'],
    namespaced: false,
    // The object is its labels; there is no status to keep apart.
    hasStatus: false,
    schema: CiliumIdentitySchema,
  },
  // networking.k8s.io/v1 (k8s.io/api/networking/v1) and the Secret an Ingress's TLS names.
  Ingress: {
    kind: 'Ingress',
    group: 'networking.k8s.io',
    apiVersions: ['networking.k8s.io/v1'],
    plural: 'ingresses',
    singular: 'ingress',
    shortNames: ['ing'],
    namespaced: true,
    hasStatus: true,
    schema: IngressSchema,
  },
  IngressClass: {
    kind: 'IngressClass',
    group: 'networking.k8s.io',
    apiVersions: ['networking.k8s.io/v1'],
    plural: 'ingressclasses',
    singular: 'ingressclass',
    shortNames: [],
    namespaced: false,
    hasStatus: false,
    schema: IngressClassSchema,
  },
  Secret: {
    kind: 'Secret',
    group: '',
    apiVersions: ['v1'],
    plural: 'secrets',
    singular: 'secret',
    shortNames: [],
    namespaced: true,
    hasStatus: false,
    schema: SecretSchema,
  },
} as const satisfies Record<string, KindInfo>;

export type Kind = keyof typeof kinds;
export const kindNames = Object.keys(kinds) as Kind[];

export function isKind(name: string): name is Kind {
  return Object.hasOwn(kinds, name);
}

export function kindInfo(kind: Kind): KindInfo {
  return kinds[kind];
}

/** kubectl's name in output lines: `service`, `lease.coordination.k8s.io`, `….cilium.io`. */
export function resourceName(kind: Kind): string {
  const info = kinds[kind];
  return info.group ? `${info.singular}.${info.group}` : info.singular;
}

/** Resolves what a user typed (kind, plural, singular, short name, optionally `.group`). */
export function resolveKind(typed: string): Kind | undefined {
  const want = typed.toLowerCase();
  for (const info of Object.values(kinds) as KindInfo[]) {
    const names = [info.kind.toLowerCase(), info.plural, info.singular, ...info.shortNames];
    const qualified = info.group ? names.flatMap((n) => [`${n}.${info.group}`]) : [];
    if (names.includes(want) || qualified.includes(want)) return info.kind as Kind;
  }
  return undefined;
}
