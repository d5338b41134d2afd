// The reasons and messages LB-IPAM writes, word for word as Cilium does (Cilium's operator/pkg/lbipam/lbipam.go and pkg/k8s/apis/cilium.io/v2/lbipam_types.go).
import {
  POOL_CONFLICT,
  POOL_IPS_AVAILABLE,
  POOL_IPS_TOTAL,
  POOL_IPS_USED,
  type PoolCondition,
} from './types.js';

export interface Failure {
  reason: string;
  message: string;
}

export const noPoolGeneric = (): Failure => ({
  reason: 'no_pool',
  message: 'There are no enabled CiliumLoadBalancerIPPools that match this service',
});

export const noPoolSpecific = (ip: string): Failure => ({
  reason: 'no_pool',
  message: `No pool exists with a CIDR containing '${ip}'`,
});

export const outOfIps = (): Failure => ({
  reason: 'out_of_ips',
  message: 'All enabled CiliumLoadBalancerIPPools that match this service ran out of allocatable IPs',
});

export const selectorMismatch = (ip: string): Failure => ({
  reason: 'pool_selector_mismatch',
  message: `The pool with the CIDR containing '${ip}', doesn't select this service`,
});

export const alreadyAllocated = (ip: string): Failure => ({
  reason: 'already_allocated',
  message: `The IP '${ip}' is already allocated to another service`,
});

export const incompatibleService = (ip: string, why: string): Failure => ({
  reason: 'already_allocated_incompatible_service',
  message: `The IP '${ip}' is already allocated to an incompatible service. Reason: ${why}`,
});

export interface PoolCounts {
  total: bigint;
  available: bigint;
  used: bigint;
}

/** A pool's four conditions; counts are decimal big integers (a v6 /64 holds 2^64). */
export function poolConditions(counts: PoolCounts, conflict: string | undefined): PoolCondition[] {
  const count = (type: string, n: bigint): PoolCondition => ({
    type,
    status: 'Unknown',
    reason: 'noreason',
    message: n.toString(),
  });
  return [
    conflict === undefined
      ? { type: POOL_CONFLICT, status: 'False', reason: 'resolved', message: '' }
      : { type: POOL_CONFLICT, status: 'True', reason: 'cidr_overlap', message: conflict },
    count(POOL_IPS_TOTAL, counts.total),
    count(POOL_IPS_AVAILABLE, counts.available),
    count(POOL_IPS_USED, counts.used),
  ];
}
