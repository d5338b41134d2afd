// Shared pieces of the store contract suite: fixtures and a bounded way to read watch events.
import type { CiliumLoadBalancerIPPool, Lease, Service } from '../../api/index.js';
import type { Store, Watch, WatchEvent } from '../types.js';

export interface ContractHarness {
  /** A fresh, empty store for one test case. */
  open(): Promise<Store>;
  /** Restart the backend process (etcd only); the store object must keep working. */
  restart?: () => Promise<void>;
  /** Discard history up to the store's current revision (etcd only). */
  compact?: (store: Store) => Promise<void>;
  /** Make the backend unreachable (etcd only) and bring it back. */
  outage?: { down(): Promise<void>; up(): Promise<void> };
}

export function service(
  name: string,
  extra: Partial<Service['spec']> = {},
  labels?: Record<string, string>,
  namespace?: string,
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...extra },
  };
}

export function pool(name: string, cidr = '10.0.10.0/24'): CiliumLoadBalancerIPPool {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumLoadBalancerIPPool',
    metadata: { name },
    spec: { blocks: [{ cidr }], disabled: false },
  };
}

export function lease(name: string, holder?: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-system' },
    spec: { ...(holder ? { holderIdentity: holder } : {}), leaseDurationSeconds: 15 },
  };
}

/** Reads the next `count` events, failing after `timeoutMs` instead of hanging the suite. */
export async function take<T extends WatchEvent>(
  watch: Watch,
  count: number,
  timeoutMs = 10_000,
): Promise<T[]> {
  const it = watch[Symbol.asyncIterator]();
  const out: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), Math.max(left, 0));
    });
    const next = await Promise.race([it.next(), timeout]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error(`watch: got ${out.length} of ${count} events in ${timeoutMs} ms`);
    if (next.done) throw new Error(`watch ended after ${out.length} of ${count} events`);
    out.push(next.value as T);
  }
  return out;
}

/** Asserts that no event arrives within `ms` (used after the expected ones were taken). */
export async function quiet(watch: Watch, ms = 300): Promise<WatchEvent | undefined> {
  const it = watch[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    it.next().then((r) => (r.done ? undefined : r.value)),
    new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), ms);
    }),
  ]);
  clearTimeout(timer);
  return result;
}

/** Runs fn with a fresh store and always closes it. */
export async function withStore(h: ContractHarness, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await h.open();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}
