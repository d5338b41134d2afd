// Graceful pod deletion on the memory store: a bound pod is marked (deletionTimestamp and its
// grace period), an unscheduled or finished one is removed at once, a second delete writes
// nothing, and a replacement of the same name is not touched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../api/index.js';
import { deletePodGracefully } from './graceful-delete.js';
import { MemoryStore } from './memory.js';

const pod = (name: string, nodeName?: string): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'nginx' }],
      terminationGracePeriodSeconds: 7,
      ...(nodeName ? { nodeName } : {}),
    },
  }) as Pod;
const now = () => new Date('2026-01-01T00:00:00Z');

test('a bound pod is marked with its terminationGracePeriodSeconds; again is a no-op', async () => {
  const store = new MemoryStore();
  await store.create(pod('web', 'node-1'));
  const r = await deletePodGracefully(store, 'default', 'web', { now });
  assert.equal(r.outcome, 'terminating');
  const stored = await store.get('Pod', 'web');
  assert.equal(stored.metadata.deletionTimestamp, '2026-01-01T00:00:00Z');
  assert.equal(stored.metadata.deletionGracePeriodSeconds, 7);
  const again = await deletePodGracefully(store, 'default', 'web', { gracePeriodSeconds: 1 });
  assert.equal(again.outcome, 'already-terminating');
  assert.equal((await store.get('Pod', 'web')).metadata.resourceVersion, stored.metadata.resourceVersion);
});

test('unscheduled, finished or grace 0: removed at once', async () => {
  const store = new MemoryStore();
  await store.create(pod('pending'));
  assert.equal((await deletePodGracefully(store, 'default', 'pending')).outcome, 'deleted');
  assert.equal(await store.tryGet('Pod', 'pending'), undefined);
  const done = await store.create(pod('done', 'node-1'));
  await store.updateStatus({ ...done, status: { phase: 'Succeeded' } });
  assert.equal((await deletePodGracefully(store, 'default', 'done')).outcome, 'deleted');
  await store.create(pod('now', 'node-1'));
  assert.equal(
    (await deletePodGracefully(store, 'default', 'now', { gracePeriodSeconds: 0 })).outcome,
    'deleted',
  );
  assert.equal((await deletePodGracefully(store, 'default', 'gone')).outcome, 'not-found');
});

test('expectUid: a replacement of the same name is left alone', async () => {
  const store = new MemoryStore();
  await store.create(pod('web', 'node-1'));
  const r = await deletePodGracefully(store, 'default', 'web', { expectUid: 'someone-else' });
  assert.equal(r.outcome, 'not-found');
  assert.equal((await store.get('Pod', 'web')).metadata.deletionTimestamp, undefined);
});
