// What an election needs from the store: one namespace's Lease records with optimistic
// concurrency. Kept this small so that elections test against any backend through an adapter.

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** RFC 3339 with microseconds, as Kubernetes' MicroTime. */
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

export interface VersionedLease {
  name: string;
  record: LeaseRecord;
  version: string;
}

export interface LeaseClient {
  get(name: string): Promise<VersionedLease | undefined>;
  /** Fails when the lease already exists. Resolves to the new version. */
  create(name: string, record: LeaseRecord): Promise<string>;
  /** Fails when the stored version is no longer `version`. Resolves to the new version. */
  update(name: string, record: LeaseRecord, version: string): Promise<string>;
  list(): Promise<VersionedLease[]>;
  delete(name: string, version: string): Promise<void>;
}

export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_PREFIX = 'waggle-l2announce';

/** `waggle-l2announce-<namespace>-<name>`, one lease per service. */
export function leaseName(namespace: string, name: string): string {
  return `${LEASE_PREFIX}-${namespace}-${name}`;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits, UTC. */
export function microTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-01-01T00:00:00.123Z
  return `${iso.slice(0, 23)}000Z`;
}

export function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}
