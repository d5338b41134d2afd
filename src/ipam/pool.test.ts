// The host-scope pool: capacity without network and broadcast, random-scan order with a pinned
// random source, restore and exclusion rules, Cilium's status line, and a property test that no
// address ever has two owners whatever the sequence of calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostScopePool } from './pool.js';

function pool(cidr: string, random?: () => number): HostScopePool {
  const r = HostScopePool.create(cidr, random ? { random } : {});
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}

/** mulberry32: a small seeded generator, so a failing sequence can be replayed by its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("capacity excludes network and broadcast; status is Cilium's line", () => {
  const p = pool('10.244.1.0/24');
  assert.equal(p.capacity, 254);
  assert.equal(p.statusString(), '0/254 allocated from 10.244.1.0/24');
  assert.equal(pool('10.200.1.4/30').cidr, '10.200.1.4/30');
  assert.equal(pool('10.0.0.77/16').cidr, '10.0.0.0/16', 'host bits are masked off');
  for (const [cidr, why] of [
    ['10.0.0.0/31', /prefix length must be \/8 to \/30/],
    ['2001:db8::/64', /only IPv4/],
    ['10.0.0.0', /missing "\/prefix-length"/],
  ] as const) {
    const r = HostScopePool.create(cidr);
    assert.ok(!r.ok && why.test(r.error) && r.error.includes(cidr), `${cidr}: ${JSON.stringify(r)}`);
  }
});

test('random scan: starts where the random source points, takes the first free at or after it, wraps', () => {
  let next = 0.5;
  const p = pool('10.0.0.0/29', () => next); // 6 usable: .1 … .6, offsets 0 … 5
  assert.deepEqual(p.allocate('router'), { ok: true, value: '10.0.0.4' }); // floor(0.5*6)=3 → .4
  assert.deepEqual(p.allocate('health'), { ok: true, value: '10.0.0.5' }); // .4 taken → next
  next = 0.99;
  assert.deepEqual(p.allocate('a'), { ok: true, value: '10.0.0.6' });
  assert.deepEqual(p.allocate('b'), { ok: true, value: '10.0.0.1' }, 'wraps to the start');
  next = 0;
  assert.deepEqual(p.allocate('c'), { ok: true, value: '10.0.0.2' });
  assert.equal(p.statusString(), '5/6 allocated from 10.0.0.0/29');
});

test('an exhausted pool names its CIDR and its fill', () => {
  const p = pool('10.200.1.0/30');
  assert.ok(p.allocate('router').ok);
  assert.ok(p.allocate('health').ok);
  assert.deepEqual(p.allocate('default/web'), {
    ok: false,
    error: '10.200.1.0/30: no free address (2/2 allocated)',
  });
});

test('allocateSpecific restores, is idempotent per owner, and refuses another owner naming both', () => {
  const p = pool('10.0.1.0/24');
  assert.deepEqual(p.allocateSpecific('10.0.1.7', 'router'), { ok: true, value: '10.0.1.7' });
  assert.deepEqual(p.allocateSpecific('10.0.1.7', 'router'), { ok: true, value: '10.0.1.7' });
  assert.deepEqual(p.allocateSpecific('10.0.1.7', 'default/web'), {
    ok: false,
    error: '10.0.1.0/24: 10.0.1.7 is owned by "router", not "default/web"',
  });
  for (const [ip, why] of [
    ['10.0.1.0', 'is the network address'],
    ['10.0.1.255', 'is the broadcast address'],
    ['10.0.2.1', 'is outside the range'],
    ['x', 'is not an IPv4 address'],
  ]) {
    const r = p.allocateSpecific(ip as string, 'o');
    assert.ok(!r.ok && r.error.includes(why as string), `${ip}: ${JSON.stringify(r)}`);
  }
  assert.equal(p.owner('10.0.1.7'), 'router');
  assert.equal(p.release('10.0.1.7'), 'router');
  assert.equal(p.release('10.0.1.7'), undefined);
  assert.equal(p.owner('10.0.1.7'), undefined);
});

test('exclude: the node IP inside the range is never handed out; outside it is a no-op', () => {
  const p = pool('10.0.0.0/30'); // .1 and .2
  assert.deepEqual(p.exclude('10.0.0.1', 'node-ip'), { ok: true, value: true });
  assert.deepEqual(p.exclude('192.168.1.1', 'node-ip'), { ok: true, value: false });
  assert.deepEqual(p.allocate('router'), { ok: true, value: '10.0.0.2' });
  assert.equal(p.allocate('health').ok, false);
  assert.equal(p.release('10.0.0.1'), undefined, 'an exclusion is not released as an allocation');
  assert.deepEqual(p.list(), [
    { ip: '10.0.0.1', owner: 'node-ip', excluded: true },
    { ip: '10.0.0.2', owner: 'router' },
  ]);
  const r = p.exclude('10.0.0.2', 'node-ip');
  assert.ok(!r.ok && r.error === '10.0.0.0/30: cannot exclude 10.0.0.2 (node-ip): owned by "router"');
});

test('property: random allocate/release/specific sequences never give one address two owners', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rnd = seeded(seed);
    const p = pool('10.9.0.0/28', rnd); // 14 addresses: small, so it fills and collides often
    const model = new Map<string, string>(); // what the pool should hold
    for (let step = 0; step < 200; step++) {
      const owner = `o${Math.floor(rnd() * 20)}`;
      const ip = `10.9.0.${Math.floor(rnd() * 16)}`;
      const op = rnd();
      const ctx = `seed ${seed} step ${step}`;
      if (op < 0.45) {
        const r = p.allocate(owner);
        assert.equal(r.ok, model.size < 14, `${ctx}: allocate ok iff not full`);
        if (r.ok) {
          assert.ok(!model.has(r.value), `${ctx}: ${r.value} handed out twice`);
          model.set(r.value, owner);
        }
      } else if (op < 0.75) {
        const r = p.allocateSpecific(ip, owner);
        const inRange = ip !== '10.9.0.0' && ip !== '10.9.0.15';
        const free = !model.has(ip) || model.get(ip) === owner;
        assert.equal(r.ok, inRange && free, `${ctx}: allocateSpecific(${ip}, ${owner})`);
        if (r.ok) model.set(ip, owner);
      } else {
        assert.equal(p.release(ip), model.get(ip), `${ctx}: release(${ip})`);
        model.delete(ip);
      }
      const listed = p.list();
      assert.equal(new Set(listed.map((e) => e.ip)).size, listed.length, `${ctx}: an address listed twice`);
      assert.deepEqual(new Map(listed.map((e) => [e.ip, e.owner])), model, `${ctx}: pool ≠ model`);
    }
  }
});
