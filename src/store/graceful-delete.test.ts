// requestPodDeletion's decisions, on the memory store with a fixed clock: a pod on a node is
// marked (deadline = now + grace), one never scheduled or already finished is removed, a forced
// grace 0 removes, a second request keeps the first deadline, a missing pod is "gone".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../api/index.js';
import { requestPodDeletion } from './graceful-delete.js';
import { MemoryStore } from './memory.js';

const now = () => new Date('2025-03-01T10:00:00Z');

async function seed(
  store: MemoryStore,
  name: string,
  spec: Partial<Pod['spec']>,
  phase?: 'Succeeded',
): Promise<Pod> {
  const pod = await store.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
  } as Pod);
  return phase ? store.updateStatus({ ...pod, status: { phase } }) : pod;
}

test('a scheduled pod is marked with its own grace period, or the requested one', async () => {
  const store = new MemoryStore();
  const a = await seed(store, 'a', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 });
  const res = await requestPodDeletion(store, a, undefined, { now });
  assert.equal(res.action, 'terminating');
  const stored = await store.get('Pod', 'a');
  assert.equal(stored.metadata.deletionTimestamp, '2025-03-01T10:00:30Z');
  assert.equal(stored.metadata.deletionGracePeriodSeconds, 30);

  const b = await seed(store, 'b', { nodeName: 'node-1' });
  await requestPodDeletion(store, b, 5, { now });
  assert.equal((await store.get('Pod', 'b')).metadata.deletionGracePeriodSeconds, 5);
  // Again, shorter: the deadline stays (the store keeps the first deletionTimestamp).
  const again = await requestPodDeletion(store, b, 1, { now: () => new Date('2025-03-01T10:00:02Z') });
  assert.equal(again.action, 'terminating');
  assert.equal((await store.get('Pod', 'b')).metadata.deletionTimestamp, '2025-03-01T10:00:05Z');
  await store.close();
});

test('unscheduled, finished and force-deleted pods are removed at once; a missing one is gone', async () => {
  const store = new MemoryStore();
  const pending = await seed(store, 'pending', {});
  assert.equal((await requestPodDeletion(store, pending, undefined, { now })).action, 'deleted');
  const done = await seed(store, 'done', { nodeName: 'node-1' }, 'Succeeded');
  assert.equal((await requestPodDeletion(store, done, undefined, { now })).action, 'deleted');
  const forced = await seed(store, 'forced', { nodeName: 'node-1' });
  assert.equal((await requestPodDeletion(store, forced, 0, { force: true, now })).action, 'deleted');
  const zero = await seed(store, 'zero', { nodeName: 'node-1', terminationGracePeriodSeconds: 0 });
  assert.equal(
    (await requestPodDeletion(store, zero, undefined, { now })).action,
    'terminating',
    'grace 0 without force: the kubelet still tears down',
  );
  assert.equal((await store.list({ kind: 'Pod' })).items.map((p) => p.metadata.name).join(), 'zero');
  assert.deepEqual(await requestPodDeletion(store, pending), { action: 'gone' });
  await store.close();
});

test('with a uid, a replacement created under the same name is left alone', async () => {
  const store = new MemoryStore();
  const first = await seed(store, 'web', { nodeName: 'node-1' });
  await store.delete('Pod', 'web');
  await seed(store, 'web', { nodeName: 'node-1' });
  const r = await requestPodDeletion(store, first, undefined, { uid: first.metadata.uid as string });
  assert.equal(r.action, 'gone');
  assert.equal((await store.get('Pod', 'web')).metadata.deletionTimestamp, undefined);
});
