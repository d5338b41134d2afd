// The same pools and services applied in every order of 7 events always end in a valid state,
// and replaying one order gives the same assignment (the allocator is deterministic).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddr, parseCidr } from './addr.js';
import { buildServiceView } from './service-view.js';
import { incompatibility } from './sharing.js';
import { Sim } from './sim.js';
import { POOL_CONFLICT } from './types.js';

const KEY = { 'lbipam.cilium.io/sharing-key': 'k' };
const events: Array<[string, (s: Sim) => void]> = [
  ['pool small', (s) => s.pool('small', { blocks: [{ cidr: '10.0.10.0/29' }] })],
  ['pool big', (s) => s.pool('big', { blocks: [{ cidr: '10.0.10.0/28' }] })], // overlaps small
  ['pool v6', (s) => s.pool('v6', { blocks: [{ cidr: '2001:db8::/126' }] })],
  ['svc dual', (s) => s.service('dual', { type: 'LoadBalancer', ipFamilyPolicy: 'RequireDualStack' })],
  ['svc wants-7', (s) => s.service('wants-7', { type: 'LoadBalancer', loadBalancerIP: '10.0.10.7' })],
  ['svc web', (s) => s.service('web', { type: 'LoadBalancer', ports: [{ port: 80 }] }, { annotations: KEY })],
  [
    'svc tls',
    (s) => s.service('tls', { type: 'LoadBalancer', ports: [{ port: 443 }] }, { annotations: KEY }),
  ],
];

function* permutations(n: number): Generator<number[]> {
  const a = [...Array(n).keys()];
  const c = Array<number>(n).fill(0);
  yield [...a];
  for (let i = 0; i < n; ) {
    const ci = c[i] as number;
    if (ci < i) {
      const j = i % 2 === 0 ? 0 : ci;
      [a[j], a[i]] = [a[i] as number, a[j] as number];
      yield [...a];
      c[i] = ci + 1;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

function run(order: number[]): Sim {
  const s = new Sim();
  for (const i of order) (events[i] as [string, (s: Sim) => void])[1](s);
  return s;
}

function assertValid(s: Sim, label: string): void {
  // The later of the two overlapping pools is the conflicting one; the other two are clean.
  const created = (n: string) => s.pools.get(n)?.metadata.creationTimestamp ?? '';
  const [older, newer] = created('small') < created('big') ? ['small', 'big'] : ['big', 'small'];
  const conflict = (n: string) => s.engine.poolConditions(n)?.find((c) => c.type === POOL_CONFLICT)?.status;
  assert.equal(conflict(newer), 'True', `${label}: ${newer} conflicting`);
  assert.equal(conflict(older), 'False', `${label}: ${older} clean`);
  assert.equal(conflict('v6'), 'False', label);
  const olderRange = parseCidr(older === 'small' ? '10.0.10.0/29' : '10.0.10.0/28');
  assert.ok(olderRange.ok);
  // Every service is satisfiable here, so every one must be satisfied, from a valid range.
  const holders = new Map<string, string[]>();
  for (const [key, obj] of s.services) {
    assert.equal(s.condition(obj.metadata.name)?.reason, 'satisfied', `${label}: ${key} satisfied`);
    for (const ing of obj.status?.loadBalancer?.ingress ?? []) {
      const a = parseAddr(ing.ip ?? '');
      assert.ok(a, `${label}: ${key} ingress parses`);
      if (a.family === 4)
        assert.ok(
          a.value >= olderRange.range.from && a.value <= olderRange.range.to,
          `${label}: ${key} ${ing.ip} in ${older}`,
        );
      holders.set(ing.ip ?? '', [...(holders.get(ing.ip ?? '') ?? []), key]);
    }
  }
  assert.equal(s.external('wants-7'), '10.0.10.7', label);
  assert.equal(s.external('dual').split(',').length, 2, `${label}: dual has v4 and v6`);
  // No IP is held twice unless the sharing rules allow it; the allocator's book agrees.
  const fam = { ipv4: true, ipv6: true };
  for (const [ip, keys] of holders) {
    const views = keys.map((k) => buildServiceView(s.services.get(k) as never, fam));
    for (let i = 1; i < views.length; i++) {
      assert.equal(
        incompatibility(views[0] as never, views[i] as never),
        undefined,
        `${label}: ${ip} shared by ${keys}`,
      );
    }
    assert.deepEqual(
      [...(s.engine.holdings().get(ip) ?? [])].sort(),
      [...keys].sort(),
      `${label}: book for ${ip}`,
    );
  }
  assert.equal(s.engine.holdings().size, holders.size, `${label}: no leaked holdings`);
}

describe('LB-IPAM permutations', () => {
  it(`every order of ${events.length} events ends valid, and replays identically`, () => {
    let orders = 0;
    const outcomes = new Set<string>();
    for (const order of permutations(events.length)) {
      const label = order.map((i) => events[i]?.[0]).join(' → ');
      const s = run(order);
      assertValid(s, label);
      const result = JSON.stringify([...s.services.keys()].sort().map((k) => [k, s.services.get(k)?.status]));
      const again = run(order);
      const replay = JSON.stringify(
        [...again.services.keys()].sort().map((k) => [k, again.services.get(k)?.status]),
      );
      assert.equal(replay, result, `${label}: replay differs`);
      outcomes.add(
        JSON.stringify(
          [...s.services.values()].map((o) => [o.metadata.name, s.external(o.metadata.name)]).sort(),
        ),
      );
      orders++;
    }
    assert.equal(orders, 5040);
    assert.ok(outcomes.size > 1, 'event order does matter, so the test sees several distinct end states');
  });
});
