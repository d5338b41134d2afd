// The reconciler over fake maps that record every operation: the order of writes on add, shrink
// and remove (no socket ever sees a count beyond the slots in place, or a slot pointing at a
// missing backend), a failed write leaving consistent rows that the next pass completes, no
// pruning before the first sync, and IDs that survive a restart (read back from the maps).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Lb4Key } from '../datapath/maps/lb4-services.js';
import { desiredFrontends } from './desired.js';
import { service, slice } from './fixtures.test-helper.js';
import { IdAllocator } from './ids.js';
import { type RowMap, ServiceReconciler, type ServiceMaps } from './reconciler.js';
import { restoreIds } from './restore.js';
import { desiredRows } from './rows.js';

class FakeMap<K, V> implements RowMap<K, V> {
  readonly rows = new Map<string, [K, V]>();
  failSet: ((k: K) => boolean) | undefined;
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly show: (k: K) => string,
  ) {}
  set(k: K, v: V): void {
    if (this.failSet?.(k)) throw new Error('E2BIG: map full');
    this.log.push(`set ${this.name} ${this.show(k)}`);
    this.rows.set(JSON.stringify(k), [k, v]);
  }
  delete(k: K): boolean {
    this.log.push(`del ${this.name} ${this.show(k)}`);
    return this.rows.delete(JSON.stringify(k));
  }
  entries(): Array<[K, V]> {
    return [...this.rows.values()];
  }
}

function fakeMaps() {
  const log: string[] = [];
  const maps = {
    services: new FakeMap<Lb4Key, never>('svc', log, (k) => `${k.address}:${k.port}#${k.backendSlot}`),
    backends: new FakeMap<number, never>('be', log, String),
    revNat: new FakeMap<number, never>('revnat', log, String),
  };
  return { log, maps: maps as unknown as ServiceMaps & typeof maps };
}

/** The master row's value (count, service ID, flags) of the one frontend in the fake map. */
function masterOf(maps: ServiceMaps): { count: number; revNatIndex: number; flags: number } {
  const row = maps.services.entries().find(([k]) => k.backendSlot === 0);
  assert.ok(row, 'a master row');
  return row[1];
}

const newIds = () => ({ services: new IdAllocator(1, 0xffff), backends: new IdAllocator(1, 0xffffffff) });
const svc = service('web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] });
const eps = (...ips: string[]) =>
  slice(
    'web',
    'web-a',
    [{ name: 'http', port: 8080 }],
    ips.map((ip) => ({ ip })),
  );

function rowsFor(
  ids: ReturnType<typeof newIds>,
  services = [svc],
  slices = [eps('10.200.1.5', '10.200.2.7')],
) {
  return desiredRows(desiredFrontends(services, slices).frontends, ids);
}

describe('services reconciler', () => {
  test('add: backends, then the reverse-NAT entry, then the slots, then the master row with the count', () => {
    const { log, maps } = fakeMaps();
    const rec = new ServiceReconciler(maps);
    const r = rec.apply(rowsFor(newIds()), { prune: true });
    assert.deepEqual(log, [
      'set be 1',
      'set be 2',
      'set revnat 1',
      'set svc 10.96.0.10:80#1',
      'set svc 10.96.0.10:80#2',
      'set svc 10.96.0.10:80#0',
    ]);
    assert.deepEqual([r.written, r.deleted, r.errors], [6, 0, []]);
    const master = masterOf(maps);
    assert.deepEqual([master.count, master.revNatIndex, master.flags], [2, 1, 0]);
    assert.equal(rec.apply(rowsFor(newIds()), { prune: true }).written, 0, 'a second pass writes nothing');
  });

  test('shrink: the master row with the smaller count first, then the unreachable slot, then the unused backend', () => {
    const { log, maps } = fakeMaps();
    const ids = newIds();
    const rec = new ServiceReconciler(maps);
    rec.apply(rowsFor(ids), { prune: true });
    log.length = 0;
    rec.apply(rowsFor(ids, [svc], [eps('10.200.1.5')]), { prune: true });
    assert.deepEqual(log, ['set svc 10.96.0.10:80#0', 'del svc 10.96.0.10:80#2', 'del be 2']);
  });

  test('remove: the master row first, then its slots, then its reverse-NAT entry, then the backends', () => {
    const { log, maps } = fakeMaps();
    const ids = newIds();
    const rec = new ServiceReconciler(maps);
    rec.apply(rowsFor(ids), { prune: true });
    log.length = 0;
    rec.apply(rowsFor(ids, [], []), { prune: true });
    assert.deepEqual(log, [
      'del svc 10.96.0.10:80#0',
      'del svc 10.96.0.10:80#1',
      'del svc 10.96.0.10:80#2',
      'del revnat 1',
      'del be 1',
      'del be 2',
    ]);
    assert.equal(maps.services.rows.size + maps.backends.rows.size + maps.revNat.rows.size, 0, 'no row left');
  });

  test('a backend that cannot be written: no slot points at it, the count covers only the slots in place; the next pass completes', () => {
    const { log, maps } = fakeMaps();
    const ids = newIds();
    const rec = new ServiceReconciler(maps);
    maps.backends.failSet = (id) => id === 2;
    const r = rec.apply(rowsFor(ids), { prune: true });
    assert.deepEqual(r.errors, ['backend 2: E2BIG: map full']);
    assert.deepEqual(log, ['set be 1', 'set revnat 1', 'set svc 10.96.0.10:80#1', 'set svc 10.96.0.10:80#0']);
    const count = () => masterOf(maps).count;
    assert.equal(count(), 1);
    maps.backends.failSet = undefined;
    assert.deepEqual(rec.apply(rowsFor(ids), { prune: true }).errors, []);
    assert.equal(count(), 2);
  });

  test('before the first complete sync nothing is deleted, not even rows nobody wants', () => {
    const { log, maps } = fakeMaps();
    const ids = newIds();
    new ServiceReconciler(maps).apply(rowsFor(ids), { prune: true });
    const rec = new ServiceReconciler(maps);
    rec.load();
    log.length = 0;
    rec.apply(rowsFor(newIds(), [], []), { prune: false });
    assert.deepEqual(log, []);
  });

  test('restart: IDs come back from the maps, so the same Services rewrite no row; new ones get fresh IDs', () => {
    const { log, maps } = fakeMaps();
    const other = service('other', { clusterIP: '10.96.0.11', ports: [{ name: 'http', port: 80 }] });
    const before = newIds();
    new ServiceReconciler(maps).apply(rowsFor(before, [other, svc]), { prune: true });
    const rec = new ServiceReconciler(maps);
    rec.load();
    const after = newIds();
    assert.deepEqual(restoreIds(rec, after), { services: 2, backends: 2 });
    for (const key of before.services.keys())
      assert.equal(after.services.get(key), before.services.get(key), key);
    for (const key of before.backends.keys())
      assert.equal(after.backends.get(key), before.backends.get(key), key);
    log.length = 0;
    assert.equal(rec.apply(rowsFor(after, [other, svc]), { prune: true }).written, 0);
    assert.deepEqual(log, []);
    const third = service('third', { clusterIP: '10.96.0.12', ports: [{ name: 'http', port: 80 }] });
    rowsFor(after, [other, svc, third]);
    assert.equal(after.services.get('10.96.0.12:80/TCP'), 3);
  });
});

describe('service and backend IDs', () => {
  test('an ID is stable while its key lives, and a released one is not handed out again before the range wraps', () => {
    const ids = new IdAllocator(1, 3);
    assert.equal(ids.acquire('a'), 1);
    assert.equal(ids.acquire('b'), 2);
    assert.equal(ids.acquire('a'), 1);
    ids.release('a');
    assert.equal(ids.acquire('c'), 3);
    assert.equal(ids.acquire('d'), 1, 'wrapped: the freed ID');
    assert.equal(ids.acquire('e'), undefined, 'exhausted');
    assert.equal(ids.restore('f', 2), false, 'taken');
  });
});

describe('services reconciler: NodePort', () => {
  test('a NodePort Service writes its 0.0.0.0:<nodePort> rows; back to ClusterIP, they go (master first) and the ClusterIP rows stay', () => {
    const { log, maps } = fakeMaps();
    const ids = newIds();
    const rec = new ServiceReconciler(maps);
    const np = service('web', {
      type: 'NodePort',
      clusterIP: '10.96.0.10',
      ports: [{ name: 'http', port: 80, nodePort: 31017 }],
    });
    rec.apply(rowsFor(ids, [np]), { prune: true });
    const keys = () =>
      maps.services
        .entries()
        .map(([k]) => `${k.address}:${k.port}#${k.backendSlot}`)
        .sort();
    assert.deepEqual(keys(), [
      '0.0.0.0:31017#0',
      '0.0.0.0:31017#1',
      '0.0.0.0:31017#2',
      '10.96.0.10:80#0',
      '10.96.0.10:80#1',
      '10.96.0.10:80#2',
    ]);
    log.length = 0;
    rec.apply(rowsFor(ids, [svc]), { prune: true });
    assert.deepEqual(log, [
      'del svc 0.0.0.0:31017#0',
      'del svc 0.0.0.0:31017#1',
      'del svc 0.0.0.0:31017#2',
      'del revnat 1', // frontends are sorted, so 0.0.0.0:31017 took the first service ID
    ]);
    assert.deepEqual(keys(), ['10.96.0.10:80#0', '10.96.0.10:80#1', '10.96.0.10:80#2']);
  });
});
