// LeaseClient over the Store: coordination.k8s.io/v1 Lease objects in kube-system, with the
// object's resourceVersion as the compare-and-swap version.
import type { Lease } from '../api/index.js';
import type { Store } from '../store/types.js';
import { LEASE_NAMESPACE, type LeaseClient, type LeaseRecord, type VersionedLease } from './lease-client.js';

function toRecord(l: Lease): LeaseRecord {
  const s = l.spec ?? {};
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    acquireTime: s.acquireTime ?? '',
    renewTime: s.renewTime ?? '',
    leaseTransitions: s.leaseTransitions ?? 0,
  };
}

function versioned(l: Lease): VersionedLease {
  return { name: l.metadata.name, record: toRecord(l), version: l.metadata.resourceVersion ?? '' };
}

function toLease(name: string, record: LeaseRecord, resourceVersion?: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: LEASE_NAMESPACE, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: { ...record },
  } as Lease;
}

export function storeLeaseClient(store: Store): LeaseClient {
  return {
    async get(name) {
      const l = await store.tryGet('Lease', name, LEASE_NAMESPACE);
      return l ? versioned(l as Lease) : undefined;
    },
    async create(name, record) {
      return (await store.create(toLease(name, record))).metadata.resourceVersion ?? '';
    },
    async update(name, record, version) {
      return (await store.update(toLease(name, record, version))).metadata.resourceVersion ?? '';
    },
    async list() {
      const res = await store.list({ kind: 'Lease', namespace: LEASE_NAMESPACE });
      return (res.items as Lease[]).map(versioned);
    },
    async delete(name, version) {
      await store.delete('Lease', name, LEASE_NAMESPACE, { resourceVersion: version });
    },
  };
}
