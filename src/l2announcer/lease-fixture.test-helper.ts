// Lease storage for election unit tests: the real MemoryStore behind the Store adapter, so the
// tests exercise the same resourceVersion compare-and-swap the agent relies on.
import { MemoryStore } from '../store/memory.js';
import type { LeaseClient } from './lease-client.js';
import { storeLeaseClient } from './store-lease-client.js';

export async function leaseStoreFixture(): Promise<{ client: LeaseClient; close(): Promise<void> }> {
  const store = new MemoryStore();
  return { client: storeLeaseClient(store), close: () => store.close() };
}
