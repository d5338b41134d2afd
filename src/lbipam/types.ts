// The shapes LB-IPAM reads. They are structural subsets of the Kubernetes/Cilium objects (src/api)
// so that the pure allocator can be driven by plain objects in tests and by stored objects in the
// controller alike. Every optional field also admits `undefined` (exactOptionalPropertyTypes).
import type { ConditionLike, LabelSelector } from '../api/index.js';

export const LB_CLASS_L2 = 'io.cilium/l2-announcer';
export const SATISFIED_CONDITION = 'cilium.io/IPAMRequestSatisfied';
export const POOL_CONFLICT = 'cilium.io/PoolConflict';
export const POOL_IPS_TOTAL = 'cilium.io/IPsTotal';
export const POOL_IPS_AVAILABLE = 'cilium.io/IPsAvailable';
export const POOL_IPS_USED = 'cilium.io/IPsUsed';

export type { ConditionLike };

export interface MetaLike {
  name: string;
  namespace?: string | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  generation?: number | undefined;
  creationTimestamp?: string | undefined;
}

export interface PoolBlockLike {
  cidr?: string | undefined;
  start?: string | undefined;
  stop?: string | undefined;
}

export interface PoolLike {
  metadata: MetaLike;
  spec: {
    blocks?: PoolBlockLike[] | undefined;
    serviceSelector?: LabelSelector | undefined;
    allowFirstLastIPs?: string | undefined;
    disabled?: boolean | undefined;
  };
}

export interface ServiceLike {
  metadata: MetaLike;
  spec: {
    type?: string | undefined;
    loadBalancerClass?: string | null | undefined;
    loadBalancerIP?: string | undefined;
    ipFamilyPolicy?: string | undefined;
    ipFamilies?: string[] | undefined;
    externalTrafficPolicy?: string | undefined;
    ports?: Array<{ port: number }> | undefined;
    selector?: Record<string, string> | undefined;
  };
  status?:
    | {
        loadBalancer?: { ingress?: Array<{ ip?: string | undefined }> | undefined } | undefined;
        conditions?: ConditionLike[] | undefined;
      }
    | undefined;
}

/** The satisfied condition LB-IPAM wants on a service (lastTransitionTime is the writer's job). */
export interface ServiceCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
  observedGeneration: number;
}

/**
 * What a service's LB-IPAM status should be. `condition: null` means "no satisfied condition":
 * a service LB-IPAM stopped owning, or one that has never had a condition while no pool exists
 * (Cilium's controller is dormant until the first pool, so the service simply stays <pending>).
 */
export interface DesiredServiceStatus {
  ingress: string[];
  condition: ServiceCondition | null;
}

export interface PoolCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}
