import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointAddReply } from '../api/cni-protocol.js';
import { addResult } from './result.js';
import { SUPPORTED_VERSIONS } from './versions.js';

const reply: EndpointAddReply = {
  id: 1234,
  ipv4: '10.200.1.23',
  gateway: '10.200.1.1',
  hostIfname: 'lxc3f9a1c2b7d01',
  hostMac: 'b2:6c:0e:5a:11:9f',
  containerIfname: 'eth0',
  containerMac: 'ce:1d:44:90:3a:02',
  netns: '/var/run/netns/cni-6c2f',
  identity: 41234,
  mtu: 1450,
};

// Written out by hand from the spec's result sections (spec-v0.3.1 / v0.4.0 "Result": ips carry
// "version"; spec-v1.0.0 removed it; spec-v1.1.0 added interfaces[].mtu), not derived from the code.
const host = '{"name":"lxc3f9a1c2b7d01","mac":"b2:6c:0e:5a:11:9f"}';
const pod = '{"name":"eth0","mac":"ce:1d:44:90:3a:02","sandbox":"/var/run/netns/cni-6c2f"}';
const routes = '"routes":[{"dst":"10.200.1.1/32"},{"dst":"0.0.0.0/0","gw":"10.200.1.1"}],"dns":{}';
const legacy = (v: string) =>
  `{"cniVersion":"${v}","interfaces":[${host},${pod}],` +
  `"ips":[{"version":"4","address":"10.200.1.23/32","gateway":"10.200.1.1","interface":1}],${routes}}`;
const EXPECTED: Record<string, string> = {
  '0.3.0': legacy('0.3.0'),
  '0.3.1': legacy('0.3.1'),
  '0.4.0': legacy('0.4.0'),
  '1.0.0':
    `{"cniVersion":"1.0.0","interfaces":[${host},${pod}],` +
    `"ips":[{"address":"10.200.1.23/32","gateway":"10.200.1.1","interface":1}],${routes}}`,
  '1.1.0':
    '{"cniVersion":"1.1.0","interfaces":[{"name":"lxc3f9a1c2b7d01","mac":"b2:6c:0e:5a:11:9f","mtu":1450},' +
    '{"name":"eth0","mac":"ce:1d:44:90:3a:02","mtu":1450,"sandbox":"/var/run/netns/cni-6c2f"}],' +
    `"ips":[{"address":"10.200.1.23/32","gateway":"10.200.1.1","interface":1}],${routes}}`,
};

describe('ADD result per CNI version', () => {
  test('every supported version has an expected result here', () => {
    assert.deepEqual(Object.keys(EXPECTED), [...SUPPORTED_VERSIONS]);
  });
  for (const v of SUPPORTED_VERSIONS) {
    test(`${v}: exact JSON`, () => {
      assert.equal(JSON.stringify(addResult(reply, v)), EXPECTED[v]);
    });
  }
  test('ips[].interface points at the pod interface, the one with the sandbox', () => {
    const r = addResult(reply, '1.0.0');
    const idx = r.ips[0]?.interface ?? -1;
    assert.equal(r.interfaces[idx]?.sandbox, reply.netns);
    assert.equal(r.interfaces[idx]?.name, 'eth0');
  });
  test('an address the agent sends with a prefix is kept, not given a second one', () => {
    assert.equal(addResult({ ...reply, ipv4: '10.200.1.23/32' }, '1.0.0').ips[0]?.address, '10.200.1.23/32');
  });
});
