// CIDR membership for the endpoint code's checks (a pod IP inside the node's pod CIDR).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ipInCidr } from './cidr.js';

describe('ipInCidr', () => {
  test('the first and last address of a /24 are in it, their neighbours are not', () => {
    assert.equal(ipInCidr('10.244.1.0', '10.244.1.0/24'), true);
    assert.equal(ipInCidr('10.244.1.255', '10.244.1.0/24'), true);
    assert.equal(ipInCidr('10.244.0.255', '10.244.1.0/24'), false);
    assert.equal(ipInCidr('10.244.2.0', '10.244.1.0/24'), false);
  });

  test('/32 holds one address, /0 holds every IPv4 address', () => {
    assert.equal(ipInCidr('10.0.0.7', '10.0.0.7/32'), true);
    assert.equal(ipInCidr('10.0.0.8', '10.0.0.7/32'), false);
    assert.equal(ipInCidr('255.255.255.255', '0.0.0.0/0'), true);
  });

  test('host bits in the CIDR are ignored, as Cilium masks them', () => {
    assert.equal(ipInCidr('10.0.0.200', '10.0.0.7/24'), true);
  });

  test('a malformed address or CIDR, or another family, is never inside', () => {
    assert.equal(ipInCidr('10.0.0.300', '10.0.0.0/24'), false);
    assert.equal(ipInCidr('pod', '10.0.0.0/24'), false);
    assert.equal(ipInCidr('10.0.0.1', '10.0.0.0'), false);
    assert.equal(ipInCidr('10.0.0.1', '10.0.0.0/33'), false);
    assert.equal(ipInCidr('::ffff:10.0.0.1', '10.0.0.0/24'), false);
    assert.equal(ipInCidr('fd00::1', '10.0.0.0/8'), false);
  });
});
