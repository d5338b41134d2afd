// waggle's object model: Kubernetes-shaped objects ({apiVersion, kind, metadata, spec, status})
// validated by strict zod schemas, the kind registry, and label selector matching.
//
//   import { type Service, validateObject, labelSelectorMatches, kinds } from '../api/index.js';
//
// - validateObject(doc) parses one decoded YAML/JSON document into a typed object with defaults
//   (or field errors with paths). Stores and the manifest loader both use it.
// - labelSelectorMatches(selector, labels) → boolean | SelectorError (never throws).
// - kinds / resolveKind / resourceName: names, short names, groups, scope, status subresource.
export type {
  AnyObject,
  CiliumEndpoint,
  CiliumIdentity,
  CiliumL2AnnouncementPolicy,
  CiliumNode,
  CiliumLoadBalancerIPPool,
  Deployment,
  EndpointSlice,
  Ingress,
  IngressClass,
  Lease,
  Node,
  ObjectOf,
  Pod,
  ReplicaSet,
  Secret,
  Service,
} from './objects.js';
export {
  type Condition,
  type ConditionLike,
  ConditionSchema,
  type LabelSelector,
  LabelSelectorSchema,
  type ObjectMeta,
  ObjectMetaSchema,
  type OwnerReference,
  OwnerReferenceSchema,
  rfc3339Seconds,
  selectorOperators,
} from './meta.js';
export { CiliumEndpointSchema, endpointStates } from './cilium-endpoint.js';
export { CiliumIdentitySchema, MAX_GLOBAL_IDENTITY, MIN_GLOBAL_IDENTITY } from './cilium-identity.js';
export { ciliumNodeAddress, ciliumNodeAddressTypes, CiliumNodeSchema } from './cilium-node.js';
export { specOf } from './spec-of.js';
export { CiliumL2AnnouncementPolicySchema } from './policy.js';
export { CiliumLoadBalancerIPPoolSchema } from './pool.js';
export { LeaseSchema } from './lease.js';
export { type NodeCondition, NodeSchema, setNodeCondition } from './node.js';
export { ServiceSchema } from './service.js';
export {
  DEFAULT_CLASS_ANNOTATION,
  type IngressBackend,
  IngressClassSchema,
  type IngressPath,
  type IngressRule,
  IngressSchema,
} from './ingress.js';
export {
  DEFAULT_INGRESS_HTTP_PORT,
  DEFAULT_INGRESS_HTTPS_PORT,
  type IngressWorld,
  ingressProblems,
  isOurIngress,
  LB_MODE_ANNOTATION,
  type LbMode,
  lbModeOf,
} from './ingress-class.js';
export { SecretSchema, TLS_CERT_KEY, TLS_KEY_KEY } from './secret.js';
export {
  type Container,
  ContainerSchema,
  type LifecycleHandler,
  PodSpecSchema,
  type PodSpec,
  type PodTemplate,
  type Probe,
  type Toleration,
} from './pod-spec.js';
export {
  type ContainerState,
  type ContainerStatus,
  type PodCondition,
  PodSchema,
  type PodStatus,
  podReady,
} from './pod.js';
export { DeploymentSchema, ReplicaSetSchema } from './workloads.js';
export {
  EndpointSliceSchema,
  SLICE_MANAGED_BY_LABEL,
  SLICE_SERVICE_LABEL,
  type SliceEndpoint,
  type SlicePort,
} from './endpoint-slice.js';
export {
  isKind,
  type Kind,
  type KindInfo,
  kindInfo,
  kindNames,
  kinds,
  resolveKind,
  resourceName,
} from './kinds.js';
export {
  compileLabelSelector,
  type LabelMatcher,
  labelKeyError,
  labelSelectorMatches,
  SelectorError,
  selectorError,
} from './selector.js';
export { SERVICE_NAME_LABEL, SERVICE_NAMESPACE_LABEL, serviceSelectorLabels } from './service-labels.js';
export { parseLabelSelector } from './selector-string.js';
export { type ParsedCidr, type ParsedIp, parseCidr, parseIp } from './net.js';
export { type FieldError, formatPath, joinFieldError } from './issues.js';
export { type Validated, validateObject } from './validate.js';
export {
  loadManifests,
  ManifestError,
  type ManifestObject,
  type ManifestSource,
  maxManifestBytes,
  maxObjectBytes,
  parseManifests,
  readManifestSources,
} from './manifest.js';
export {
  KeyedMap,
  keyOfObject,
  keyString,
  type NamespacedName,
  namespacedName,
} from './object-key.js';
