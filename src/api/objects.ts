// Object types, inferred from the schemas, and the union every store handles.
import type { CiliumEndpoint } from './cilium-endpoint.js';
import type { CiliumIdentity } from './cilium-identity.js';
import type { CiliumNode } from './cilium-node.js';
import type { CiliumL2AnnouncementPolicy } from './policy.js';
import type { CiliumLoadBalancerIPPool } from './pool.js';
import type { Lease } from './lease.js';
import type { Node } from './node.js';
import type { EndpointSlice } from './endpoint-slice.js';
import type { Pod } from './pod.js';
import type { Ingress, IngressClass } from './ingress.js';
import type { Secret } from './secret.js';
import type { Service } from './service.js';
import type { Deployment, ReplicaSet } from './workloads.js';

export type {
  CiliumEndpoint,
  CiliumIdentity,
  CiliumL2AnnouncementPolicy,
  CiliumLoadBalancerIPPool,
  CiliumNode,
  Deployment,
  EndpointSlice,
  Ingress,
  IngressClass,
  Lease,
  Node,
  Pod,
  ReplicaSet,
  Secret,
  Service,
};

export type AnyObject =
  | Service
  | Node
  | CiliumLoadBalancerIPPool
  | CiliumL2AnnouncementPolicy
  | Lease
  | CiliumNode
  | CiliumEndpoint
  | CiliumIdentity
  | Pod
  | Deployment
  | ReplicaSet
  | EndpointSlice
  | Ingress
  | IngressClass
  | Secret;

/** The object type of a kind name: ObjectOf<'Service'> is Service. */
export type ObjectOf<K extends AnyObject['kind']> = Extract<AnyObject, { kind: K }>;
