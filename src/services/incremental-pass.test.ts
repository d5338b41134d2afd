// The incremental pass against the full pass it stands in for: after every step of a sequence of
// Service and EndpointSlice changes (add, backend replaced, slice relabelled to another Service,
// Service deleted with its slice left, a shared backend), the maps written by incremental
// passes are row for row the maps a full pass writes from the same objects, with the same IDs;
// a frontend another Service holds, or a source range, makes it decline and write nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointSlice } from '../api/endpoint-slice.js';
import type { Service } from '../api/service.js';
import { desiredFrontends } from './desired.js';
import { type Ep, service, slice } from './fixtures.test-helper.js';
import { IdAllocator, releaseUnused } from './ids.js';
import { incrementalPass } from './incremental-pass.js';
import { type RowMap, ServiceReconciler } from './reconciler.js';
import { desiredRows } from './rows.js';
import { ServiceIndex } from './service-index.js';

class RowsMap<K, V> implements RowMap<K, V> {
  readonly rows = new Map<string, [K, V]>();
  set(k: K, v: V): void {
    this.rows.set(JSON.stringify(k), [k, v]);
  }
  delete(k: K): boolean {
    return this.rows.delete(JSON.stringify(k));
  }
  entries(): Array<[K, V]> {
    return [...this.rows.values()];
  }
}

function side() {
  const maps = { services: new RowsMap(), backends: new RowsMap(), revNat: new RowsMap() };
  const rec = new ServiceReconciler(maps as never);
  const ids = { services: new IdAllocator(1, 0xffff), backends: new IdAllocator(1, 0xffffffff) };
  const dump = () =>
    Object.fromEntries(Object.entries(maps).map(([n, m]) => [n, [...m.rows.entries()].sort()]));
  return { maps, rec, ids, dump };
}

/** Objects as the informers hold them, events for the index, and both ways of passing. */
class World {
  svcs = new Map<string, Service>();
  slices = new Map<string, EndpointSlice>();
  index = new ServiceIndex();
  inc = side();
  full = side();

  putService(s: Service): void {
    const old = this.svcs.get(s.metadata.name);
    this.svcs.set(s.metadata.name, s);
    this.index.serviceEvent({ type: 'upsert', object: s, old });
  }
  deleteService(name: string): void {
    const s = this.svcs.get(name) as Service;
    this.svcs.delete(name);
    this.index.serviceEvent({ type: 'delete', object: s });
  }
  putSlice(s: EndpointSlice): void {
    const old = this.slices.get(s.metadata.name);
    this.slices.set(s.metadata.name, s);
    this.index.sliceEvent({ type: 'upsert', object: s, old });
  }

  /** A full pass on the reference side; the incremental pass (or a full one if it declines) on the other. */
  step(): { declined: boolean } {
    const want = desiredRows(
      desiredFrontends([...this.svcs.values()], [...this.slices.values()]).frontends,
      this.full.ids,
    );
    assert.deepEqual(this.full.rec.apply(want, { prune: true }).errors, []);
    releaseUnused(this.full.ids, want, this.full.rec);
    const r = incrementalPass({
      dirty: this.index.takeDirty(),
      service: (k) => [...this.svcs.values()].find((s) => s.metadata.name === k.name),
      index: this.index,
      ids: this.inc.ids,
      rec: this.inc.rec,
      node: 'n1',
    });
    if (r) assert.deepEqual(r.errors, []);
    return { declined: r === undefined };
  }
}

const web = (name: string, ip: string) =>
  service(name, { type: 'ClusterIP', clusterIP: ip, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
const eps = (svc: string, name: string, ips: string[]) =>
  slice(
    svc,
    name,
    [{ name: 'http', port: 8080 }],
    ips.map((ip): Ep => ({ ip })),
  );

describe('incremental pass', () => {
  test('every step writes what a full pass writes, with the same IDs', () => {
    const w = new World();
    const steps: Array<[string, () => void]> = [
      [
        'service a with two backends',
        () => {
          w.putService(web('a', '10.96.0.1'));
          w.putSlice(eps('a', 'a-1', ['10.0.0.1', '10.0.0.2']));
        },
      ],
      [
        'service b, sharing backend 10.0.0.2',
        () => {
          w.putService(web('b', '10.96.0.2'));
          w.putSlice(eps('b', 'b-1', ['10.0.0.2', '10.0.0.3']));
        },
      ],
      [
        'a: backend 10.0.0.1 replaced by 10.0.0.9',
        () => w.putSlice(eps('a', 'a-1', ['10.0.0.9', '10.0.0.2'])),
      ],
      ['b: down to one backend', () => w.putSlice(eps('b', 'b-1', ['10.0.0.3']))],
      ['slice a-1 relabelled to b', () => w.putSlice(eps('b', 'a-1', ['10.0.0.9', '10.0.0.2']))],
      ['service a deleted', () => w.deleteService('a')],
      ['service a back, without slices', () => w.putService(web('a', '10.96.0.1'))],
      ['service b deleted, its slices stay', () => w.deleteService('b')],
    ];
    for (const [what, change] of steps) {
      change();
      assert.equal(w.step().declined, false, what);
      assert.deepEqual(w.inc.dump(), w.full.dump(), what);
    }
  });

  test('declines, writing nothing, for a frontend another Service holds or a source range', () => {
    const w = new World();
    w.putService(web('a', '10.96.0.1'));
    w.putSlice(eps('a', 'a-1', ['10.0.0.1']));
    w.index.takeDirty();
    const want = desiredRows(
      desiredFrontends([...w.svcs.values()], [...w.slices.values()]).frontends,
      w.inc.ids,
    );
    w.inc.rec.apply(want, { prune: true });
    w.index.record(
      'default/a',
      desiredFrontends([...w.svcs.values()], [...w.slices.values()]).frontends,
      new Set([1]),
    );
    const before = w.inc.dump();
    w.putService(web('b', '10.96.0.1'));
    assert.equal(w.step().declined, true);
    assert.deepEqual(w.inc.dump(), before);
    const lb = service(
      'c',
      { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.1.0.0/16'], ports: [{ port: 80 }] },
      { loadBalancer: { ingress: [{ ip: '10.0.10.1' }] } },
    );
    w.deleteService('b');
    w.putService(lb);
    assert.equal(w.step().declined, true);
    assert.deepEqual(w.inc.dump(), before);
  });
});
