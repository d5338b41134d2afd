// The store contract on the memory backend, plus the memory store's own history limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerStoreContract } from './contract/index.js';
import { pool, take } from './contract/harness.js';
import { MemoryStore } from './memory.js';
import type { ResyncEvent } from './types.js';

registerStoreContract({ open: async () => new MemoryStore() });

test('memory: a watch from before the kept history gets a RESYNC', async () => {
  const store = new MemoryStore(2);
  await store.create(pool('a'));
  await store.create(pool('b', '10.0.11.0/24'));
  await store.create(pool('c', '10.0.12.0/24'));
  await store.delete('CiliumLoadBalancerIPPool', 'a');
  const watch = store.watch({ kind: 'CiliumLoadBalancerIPPool', sinceRevision: '0' });
  const [event] = await take<ResyncEvent>(watch, 1);
  assert.equal(event?.type, 'RESYNC');
  assert.deepEqual(event?.objects.map((o) => o.metadata.name).sort(), ['b', 'c']);
  await store.close();
});
