// Stores: `openStore(url)` for `etcd://…` or `memory://`, the Store contract (types.ts) and its
// typed errors. Controllers take a Store; tests give them a MemoryStore or a real etcd.
import { EtcdStore } from './etcd.js';
import { MemoryStore } from './memory.js';
import type { Store } from './types.js';
import { parseStoreUrl } from './url.js';

export * from './errors.js';
export type * from './types.js';
export { EtcdStore, type EtcdStoreOptions } from './etcd.js';
export { defaultPrefix } from './etcd-keys.js';
export { MemoryStore } from './memory.js';
export { parseStoreUrl, type StoreUrl, StoreUrlError } from './url.js';

/** Opens a store. `memory://` is a fresh, process-local store (tests only). */
export function openStore(url: string): Store {
  const parsed = parseStoreUrl(url);
  if (parsed.backend === 'memory') return new MemoryStore();
  return new EtcdStore({ endpoints: parsed.endpoints, prefix: parsed.prefix });
}
export { type ApplyAction, type ApplyResult, applyLine, applyManifests, applyObject } from './apply.js';
export {
  type InformerEvent,
  Informer,
  type InformerOptions,
  Informers,
  type Subscriber,
} from './informer.js';
export { type PodDeletion, podGracePeriod, requestPodDeletion } from './graceful-delete.js';
