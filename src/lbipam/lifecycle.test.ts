// Pool conflicts and counts, pool edits, restarts, bad input and idempotence of the allocator.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LbIpam } from './engine.js';
import { Sim } from './sim.js';
import { POOL_CONFLICT } from './types.js';

const conflictOf = (s: Sim, pool: string) =>
  s.engine.poolConditions(pool)?.find((c) => c.type === POOL_CONFLICT);
const counts = (s: Sim, pool: string) =>
  Object.fromEntries(
    (s.engine.poolConditions(pool) ?? [])
      .filter((c) => c.status === 'Unknown')
      .map((c) => [c.type, c.message]),
  );

describe('LB-IPAM pools, edits and restarts', () => {
  it('marks the newer of two overlapping pools, with the reference message, and clears it', () => {
    const s = new Sim();
    s.pool('old', { blocks: [{ cidr: '10.0.10.0/24' }] });
    s.pool('new', { blocks: [{ cidr: '10.0.20.0/24' }, { cidr: '10.0.10.128/25' }] });
    assert.deepEqual(conflictOf(s, 'old'), {
      type: POOL_CONFLICT,
      status: 'False',
      reason: 'resolved',
      message: '',
    });
    assert.deepEqual(conflictOf(s, 'new'), {
      type: POOL_CONFLICT,
      status: 'True',
      reason: 'cidr_overlap',
      message:
        "Pool conflicts since range '10.0.10.128 - 10.0.10.255' overlaps range '10.0.10.0 - 10.0.10.255' from IP Pool 'old'",
    });
    // The conflicting pool allocates nothing, even from its non-overlapping block.
    s.service('a', { type: 'LoadBalancer' }, { labels: {} });
    assert.equal(s.external('a'), '10.0.10.0');
    s.deletePool('old');
    assert.equal(conflictOf(s, 'new')?.reason, 'resolved');
    assert.equal(s.external('a'), '10.0.20.0', 'the service moves to the remaining pool');
  });

  it('marks a pool whose own blocks overlap', () => {
    const s = new Sim();
    s.pool('self', { blocks: [{ cidr: '10.0.0.0/24' }, { start: '10.0.0.5', stop: '10.0.0.6' }] });
    assert.equal(
      conflictOf(s, 'self')?.message,
      "Pool conflicts since range '10.0.0.5 - 10.0.0.6' overlaps range '10.0.0.0 - 10.0.0.255' from IP Pool 'self'",
    );
  });

  it('counts IPs as decimal big integers; reserved ends count as used', () => {
    const s = new Sim();
    s.pool('v4', { blocks: [{ cidr: '10.0.10.0/24' }], allowFirstLastIPs: 'No' });
    s.pool('v6', { blocks: [{ cidr: '2001:db8::/64' }] });
    assert.deepEqual(counts(s, 'v4'), {
      'cilium.io/IPsTotal': '256',
      'cilium.io/IPsAvailable': '254',
      'cilium.io/IPsUsed': '2',
    });
    s.service('a');
    assert.equal(counts(s, 'v4')['cilium.io/IPsAvailable'], '253');
    assert.equal(counts(s, 'v6')['cilium.io/IPsTotal'], '18446744073709551616');
  });

  it('refuses a bad pool with a one-line error naming pool and field, and changes nothing', () => {
    const s = new Sim();
    s.pool('lb', { blocks: [{ cidr: '10.0.10.0/24' }] });
    s.service('a');
    const res = s.pool('lb', { blocks: [{ cidr: '10.0.10.0/24' }, { cidr: '10.0.10.0/33' }] });
    assert.equal(res.error, 'pool "lb": spec.blocks[1].cidr "10.0.10.0/33": prefix length 33 > 32');
    assert.equal(
      s.engine.upsertPool({
        metadata: { name: 'x' },
        spec: { blocks: [{ start: '10.0.0.9', stop: '10.0.0.1' }] },
      }).ok,
      false,
    );
    assert.deepEqual(s.engine.poolNames(), ['lb']);
    assert.equal(s.external('a'), '10.0.10.0');
    assert.equal(s.engine.poolCounts('lb')?.available, 255n);
  });

  it('a pool edit that keeps an IP in range never moves it; shrinking past it does', () => {
    const s = new Sim();
    s.pool('lb', { blocks: [{ cidr: '10.0.10.0/24' }] });
    for (const n of ['a', 'b', 'c']) s.service(n);
    s.pool('lb', { blocks: [{ cidr: '10.0.10.0/23' }] }); // widened: a different range object
    assert.deepEqual(
      ['a', 'b', 'c'].map((n) => s.external(n)),
      ['10.0.10.0', '10.0.10.1', '10.0.10.2'],
    );
    s.pool('lb', { blocks: [{ start: '10.0.10.1', stop: '10.0.10.200' }] }); // a loses its IP only
    assert.deepEqual(
      ['a', 'b', 'c'].map((n) => s.external(n)),
      ['10.0.10.3', '10.0.10.1', '10.0.10.2'],
    );
  });

  it('write-only-when-changed: re-delivering every object produces no desired change', () => {
    const s = new Sim();
    s.pool('lb', { blocks: [{ cidr: '10.0.10.0/24' }] });
    for (const n of ['a', 'b']) s.service(n);
    for (const obj of s.services.values()) s.engine.upsertService(obj);
    for (const p of s.pools.values()) s.engine.upsertPool(p);
    assert.equal(s.flush(), 0);
  });

  it('restart: satisfied services re-import their IPs first, even from a disabled pool', () => {
    const s = new Sim();
    s.pool('lb', { blocks: [{ cidr: '10.0.10.0/24' }] });
    s.pool('spare', { blocks: [{ cidr: '10.0.20.0/24' }] });
    for (const n of ['a', 'b', 'c', 'd']) s.service(n);
    s.deleteService('b');
    s.pool('lb', { blocks: [{ cidr: '10.0.10.0/24' }], disabled: true });
    const before = new Map([...s.services].map(([k, v]) => [k, JSON.stringify(v.status)]));
    // A new operator sees the same stored objects, plus a fresh service listed *before* them.
    const fresh = new LbIpam();
    for (const p of s.pools.values()) fresh.upsertPool(p);
    const newcomer = { metadata: { name: 'aaa-new', namespace: 'default' }, spec: { type: 'LoadBalancer' } };
    fresh.syncServices([newcomer, ...s.services.values()]);
    for (const [key, obj] of s.services) {
      const want = fresh.desiredFor(obj.metadata.namespace ?? '', obj.metadata.name);
      assert.deepEqual(
        want?.ingress,
        JSON.parse(before.get(key) ?? '{}').loadBalancer.ingress.map((i: { ip: string }) => i.ip),
        key,
      );
    }
    assert.deepEqual(fresh.desiredFor('default', 'aaa-new')?.ingress, ['10.0.20.0']);
  });
});
