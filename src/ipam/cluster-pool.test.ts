// The cluster-pool engine: blocks per CIDR list and mask, cidrset order (next after the last,
// wrapping, so a released block is not reused at once), import rules and exhaustion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterPool } from './cluster-pool.js';

function pool(cidrs: string[], mask?: number): ClusterPool {
  const r = ClusterPool.create(cidrs, mask);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}

test('flags are checked: CIDR text, family, mask size, overlap', () => {
  const bad = (cidrs: string[], mask: number | undefined, want: string) => {
    const r = ClusterPool.create(cidrs, mask);
    assert.deepEqual(r, { ok: false, error: want });
  };
  bad([], 24, '--cluster-pool-ipv4-cidr: no CIDR given');
  bad(['10.0.0.0/33'], 24, '--cluster-pool-ipv4-cidr "10.0.0.0/33": prefix length 33 > 32');
  bad(['fd00::/104'], 120, '--cluster-pool-ipv4-mask-size 120: must be a whole number up to 30');
  bad(['fd00::/104'], 24, '--cluster-pool-ipv4-cidr "fd00::/104": only IPv4 is supported');
  bad(['10.0.0.0/25'], 24, '--cluster-pool-ipv4-cidr "10.0.0.0/25": smaller than the /24 mask size');
  bad(['10.0.0.0/16', '10.0.3.0/24'], 24, '--cluster-pool-ipv4-cidr "10.0.3.0/24" overlaps 10.0.0.0/16');
  assert.equal(pool(['10.0.0.0/8']).total, 65536, 'default mask /24');
  assert.equal(pool(['10.0.0.0/16', '10.1.0.0/23'], 24).total, 258);
});

test('blocks in order across CIDRs; a released block is reused only after the others', () => {
  const p = pool(['10.200.0.0/23', '10.201.0.0/24'], 24);
  assert.deepEqual(p.allocate('a'), { ok: true, value: '10.200.0.0/24' });
  assert.deepEqual(p.allocate('b'), { ok: true, value: '10.200.1.0/24' });
  assert.deepEqual(p.allocate('a'), { ok: true, value: '10.200.0.0/24' }, 'idempotent per node');
  assert.equal(p.release('a'), '10.200.0.0/24');
  assert.deepEqual(p.allocate('c'), { ok: true, value: '10.201.0.0/24' }, 'not the block a just left');
  assert.deepEqual(p.allocate('d'), { ok: true, value: '10.200.0.0/24' }, 'wraps to the freed one');
  assert.deepEqual(p.allocate('e'), {
    ok: false,
    error: 'cluster pool 10.200.0.0/23,10.201.0.0/24: no free /24 left for node e (3/3 allocated)',
  });
  assert.equal(p.ownerOf('10.201.0.0/24'), 'c');
});

test('import keeps existing blocks and refuses ones that are not ours or are taken', () => {
  const p = pool(['10.200.0.0/22'], 24);
  assert.deepEqual(p.import('w2', '10.200.2.0/24'), { ok: true, value: '10.200.2.0/24' });
  assert.deepEqual(p.import('w3', '10.200.2.0/24'), {
    ok: false,
    error: 'node w3: 10.200.2.0/24 is already allocated to node w2',
  });
  assert.deepEqual(p.import('w3', '10.9.0.0/24'), {
    ok: false,
    error: '10.9.0.0/24 is not in the cluster pool 10.200.0.0/22',
  });
  assert.deepEqual(p.import('w3', '10.200.0.0/25'), {
    ok: false,
    error: '10.200.0.0/25 is not a /24 IPv4 block',
  });
  assert.deepEqual(p.import('w3', '10.200.1.7/24'), { ok: false, error: '10.200.1.7/24 has host bits set' });
  assert.deepEqual(p.allocate('w1'), { ok: true, value: '10.200.0.0/24' });
  assert.deepEqual(p.allocate('w3'), { ok: true, value: '10.200.1.0/24' });
  assert.deepEqual(p.allocate('w4'), { ok: true, value: '10.200.3.0/24' }, 'skips the imported block');
  assert.deepEqual(p.import('w4', '10.200.2.0/24').ok, false);
  assert.deepEqual(p.nodes().sort(), ['w1', 'w2', 'w3', 'w4']);
});
