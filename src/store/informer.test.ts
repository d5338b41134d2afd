// The informer: list then watch with no gap, events in order, only its own kind, recorded writes
// never undone by an older version, a broken watch re-listed with the difference reported, a
// RESYNC handled the same way — on the memory store, and against a real etcd across a restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Service } from '../api/index.js';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { lease, pool, service } from './contract/harness.js';
import { EtcdStore } from './etcd.js';
import { Informer, type InformerEvent } from './informer.js';
import { MemoryStore } from './memory.js';
import { storeWith } from '../testing/store.js';
import type { Watch, WatchEvent } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function record<T extends { metadata: { name: string } }>(inf: Informer<never> | Informer<'Service'>) {
  const seen: string[] = [];
  (inf as Informer<'Service'>).subscribe((ev: InformerEvent<Service>) =>
    seen.push(ev.type === 'sync' ? 'sync' : `${ev.type} ${(ev.object as unknown as T).metadata.name}`),
  );
  return seen;
}

/** A watch that yields `events` and then ends, as a dropped stream does. */
function endingWatch(events: WatchEvent[]): Watch<never> {
  return {
    close() {},
    async *[Symbol.asyncIterator]() {
      yield* events;
    },
  } as unknown as Watch<never>;
}

describe('informer on the memory store', () => {
  test('lists, then reports creates, updates and deletes in order, and syncs once', async () => {
    const store = new MemoryStore();
    await store.create(service('a'));
    const inf = new Informer(store, 'Service');
    const seen = record(inf);
    await inf.start();
    assert.deepEqual(seen, ['upsert a', 'sync']);
    const b = await store.create(service('b'));
    await store.update({ ...b, spec: { ...b.spec, type: 'ClusterIP' } });
    await store.delete('Service', 'a');
    await until(() => seen.length === 5);
    assert.deepEqual(seen, ['upsert a', 'sync', 'upsert b', 'upsert b', 'delete a']);
    assert.deepEqual(
      inf.list().map((s) => [s.metadata.name, s.spec.type]),
      [['b', 'ClusterIP']],
    );
    await inf.stop();
    await store.close();
  });

  test('watches only its kind: leases written meanwhile reach no Service informer', async () => {
    const store = new MemoryStore();
    const inf = new Informer(store, 'Service');
    await inf.start();
    for (let i = 0; i < 20; i++) await store.create(lease(`l${i}`, 'node-0'));
    await store.create(service('only'));
    await until(() => inf.list().length === 1);
    assert.equal(inf.eventsReceived, 1, 'one event: the Service, none of the 20 leases');
    await inf.stop();
    await store.close();
  });

  test('a recorded write is not undone by the watch delivering an older version', async () => {
    const store = new MemoryStore();
    const inf = new Informer(store, 'Service');
    const versions: string[] = [];
    inf.subscribe((ev) => ev.type === 'upsert' && versions.push(ev.object.metadata.resourceVersion ?? ''));
    await inf.start();
    const v1 = await store.create(service('s'));
    const v2 = await store.updateStatus({
      ...v1,
      status: { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } },
    });
    inf.noteWrite(v2); // the watch may not have delivered v1 or v2 yet
    const rv2 = v2.metadata.resourceVersion ?? '';
    assert.equal(inf.get({ namespace: 'default', name: 's' })?.metadata.resourceVersion, rv2);
    await sleep(50); // the watch delivers whatever it still had: v1 (older) is ignored, v2 is no news
    assert.equal(inf.get({ namespace: 'default', name: 's' })?.metadata.resourceVersion, rv2);
    assert.equal(versions.at(-1), rv2, `upserts by version: ${versions.join(', ')}`);
    assert.equal(versions.filter((v) => v === rv2).length, 1, 'v2 reported once');
    const asNumbers = versions.map(Number);
    assert.deepEqual(
      asNumbers,
      [...asNumbers].sort((a, b) => a - b),
      'versions never go backwards',
    );
    await inf.stop();
    await store.close();
  });

  test('a broken watch is re-listed and the difference reported as upserts and deletes', async () => {
    const backing = new MemoryStore();
    await backing.create(pool('keep'));
    await backing.create(pool('gone'));
    let watches = 0;
    const store = storeWith(backing, {
      watch: (opts) => (++watches === 1 ? endingWatch([]) : backing.watch(opts)),
    });
    const inf = new Informer(store, 'CiliumLoadBalancerIPPool', { backoffMs: 100 });
    const seen = record(inf as unknown as Informer<'Service'>);
    await inf.start();
    // While the informer is between watches, the store changes.
    await backing.delete('CiliumLoadBalancerIPPool', 'gone');
    await backing.create(pool('new', '10.0.11.0/24'));
    await until(() => seen.filter((s) => s === 'sync').length === 2);
    assert.deepEqual(seen.slice(3), ['upsert new', 'delete gone', 'sync']);
    assert.deepEqual(
      inf
        .list()
        .map((p) => p.metadata.name)
        .sort(),
      ['keep', 'new'],
    );
    await inf.stop();
    await backing.close();
  });

  test('a RESYNC replaces the cache, reporting what went and what came', async () => {
    const backing = new MemoryStore();
    const a = await backing.create(pool('a'));
    const { revision } = await backing.list({ kind: 'CiliumLoadBalancerIPPool' });
    const b = {
      ...pool('b', '10.0.11.0/24'),
      metadata: { name: 'b', resourceVersion: String(Number(revision) + 5) },
    };
    const resync: WatchEvent = {
      type: 'RESYNC',
      objects: [b],
      revision: b.metadata.resourceVersion,
      reason: 'test',
    };
    let watches = 0;
    const store = storeWith(backing, {
      watch: (opts) =>
        ++watches === 1
          ? endingWatch([resync])
          : backing.watch({ ...(opts?.kind ? { kind: opts.kind } : {}) }),
    });
    const inf = new Informer(store, 'CiliumLoadBalancerIPPool', { backoffMs: 10_000 });
    const seen = record(inf as unknown as Informer<'Service'>);
    await inf.start();
    await until(() => seen.length >= 5);
    assert.deepEqual(seen, [`upsert ${a.metadata.name}`, 'sync', 'upsert b', 'delete a', 'sync']);
    await inf.stop();
    await backing.close();
  });
});

describe('informer on a real etcd', { timeout: 60_000 }, () => {
  let etcd: TestEtcd;
  before(async () => {
    etcd = await startEtcd();
  });
  after(() => etcd?.stop());

  test('writes racing the initial list are all seen; the cache converges after an etcd restart', async () => {
    const writer = new EtcdStore({ endpoints: etcd.endpoints, timeoutMs: 2000 });
    const reader = new EtcdStore({ endpoints: etcd.endpoints, timeoutMs: 2000 });
    const inf = new Informer(reader, 'Service', { backoffMs: 100 });
    try {
      const writes = Array.from({ length: 40 }, (_, i) => writer.create(service(`s${i}`)));
      await inf.start();
      await Promise.all(writes);
      await until(() => inf.list().length === 40);
      await etcd.restart();
      for (let i = 0; i < 10; i++) await writer.delete('Service', `s${i}`);
      await writer.create(service('after-restart'));
      await until(() => inf.list().length === 31, 15_000);
      const stored = (await writer.list({ kind: 'Service' })).items.map((s) => s.metadata.name).sort();
      assert.deepEqual(
        inf
          .list()
          .map((s) => s.metadata.name)
          .sort(),
        stored,
      );
    } finally {
      await inf.stop();
      await writer.close();
      await reader.close();
    }
  });
});
