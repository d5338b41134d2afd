// Node IPAM: the seed's pinned blocks whatever the order, the next free /24 for others, a pinned
// block never handed to someone else, exhaustion named, bad flags refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeSchema } from '../../api/index.js';
import { node } from './fixtures.test-helper.js';
import { checkConfig, cidrFor } from './node-ipam-plan.js';

const cfg = {
  clusterCidr: '10.200.0.0/22',
  maskSize: 24,
  pinned: new Map([
    ['server', '10.200.0.0/24'],
    ['node-0', '10.200.1.0/24'],
    ['node-1', '10.200.2.0/24'],
  ]),
};
const withCidr = (name: string, cidr: string) =>
  NodeSchema.parse({ ...node(name), spec: { podCIDRs: [cidr] } });

test('pinned nodes get their block; another node the first block nobody holds or is pinned to', () => {
  assert.deepEqual(cidrFor('node-1', [node('node-1')], cfg), { ok: true, cidr: '10.200.2.0/24' });
  assert.deepEqual(cidrFor('extra', [node('extra')], cfg), { ok: true, cidr: '10.200.3.0/24' });
  const full = [withCidr('extra', '10.200.3.0/24'), node('late')];
  assert.deepEqual(cidrFor('late', full, cfg), {
    ok: false,
    error: 'node late: no free /24 left in --cluster-cidr 10.200.0.0/22',
  });
});

test('a pinned block held by another node is reported, not shared', () => {
  const r = cidrFor('server', [withCidr('intruder', '10.200.0.0/24'), node('server')], cfg);
  assert.deepEqual(r, { ok: false, error: 'node server: pinned 10.200.0.0/24 is held by another node' });
});

test('bad configuration fails with the flag named', () => {
  assert.throws(() => checkConfig({ ...cfg, clusterCidr: '10.200.0.0' }), /--cluster-cidr "10.200.0.0"/);
  assert.throws(() => checkConfig({ ...cfg, maskSize: 16 }), /--node-cidr-mask-size 16/);
  assert.throws(() => checkConfig({ ...cfg, pinned: new Map([['x', 'nope']]) }), /--node-cidr x= "nope"/);
});
