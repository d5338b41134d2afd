import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CiliumEndpoint, CiliumNode } from '../api/index.js';
import { desiredClusterIpcache } from './ipcache-desired.js';

const node = (name: string, ip: string, router: string, health?: string): CiliumNode =>
  ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNode',
    metadata: { name },
    spec: {
      addresses: [
        { type: 'InternalIP', ip },
        { type: 'CiliumInternalIP', ip: router },
      ],
      ...(health ? { health: { ipv4: health } } : {}),
    },
  }) as CiliumNode;

const cep = (name: string, ip: string, identity: number, nodeIp: string): CiliumEndpoint => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumEndpoint',
  metadata: { name, namespace: 'default' },
  status: { identity: { id: identity }, networking: { addressing: [{ ipv4: ip }], node: nodeIp } },
});

test('other nodes are remote-node (6), their health IPs 4, pods their identity and host node', () => {
  const got = desiredClusterIpcache({
    self: 'a',
    local: new Set(['10.0.0.1', '10.1.0.1', '10.1.0.7']),
    nodes: [node('a', '10.0.0.1', '10.1.0.1'), node('b', '10.0.0.2', '10.1.1.1', '10.1.1.9')],
    endpoints: [cep('web', '10.1.1.5', 3000, '10.0.0.2'), cep('mine', '10.1.0.7', 3000, '10.0.0.1')],
  });
  assert.deepEqual(Object.fromEntries(got), {
    '10.0.0.2/32': { identity: 6, hostIp: '0.0.0.0' },
    '10.1.1.1/32': { identity: 6, hostIp: '0.0.0.0' },
    '10.1.1.9/32': { identity: 4, hostIp: '10.0.0.2' },
    '10.1.1.5/32': { identity: 3000, hostIp: '10.0.0.2' },
  });
});

test("this node's own addresses and pods never come from the cluster's objects", () => {
  const got = desiredClusterIpcache({
    self: 'a',
    local: new Set(['10.0.0.1']),
    nodes: [node('a', '10.0.0.1', '10.1.0.1')],
    // A CEP of ours that outlives its endpoint for a moment.
    endpoints: [cep('gone', '10.1.0.8', 3000, '10.0.0.1')],
  });
  assert.equal(got.size, 0);
});
