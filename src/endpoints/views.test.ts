// Endpoint views in cilium-dbg's formats: `endpoint list` (a table, one row per label),
// `endpoint get` (models.Endpoint with the networking block) and the "Allocated addresses" lines
// of `status --verbose`. The expected texts are laid out by hand from Cilium's formats
// (cilium-dbg/cmd/endpoint_list.go: columns 3 blanks apart, extra labels on continuation rows).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointRecord } from './record.js';
import {
  allocatedAddresses,
  type EndpointView,
  endpointModel,
  formatEndpointList,
  type HostEndpointView,
  labelsSha256,
} from './views.js';

function view(rec: Partial<EndpointRecord> & { id: number; ipv4: string }, restored = false): EndpointView {
  return {
    kind: 'pod',
    state: 'ready',
    attachment: `c${rec.id}:eth0`,
    containerId: `c${rec.id}`,
    ifname: 'eth0',
    netns: `/var/run/netns/pod-${rec.id}`,
    labels: [],
    identity: 0,
    hostIfname: 'lxc000000000001',
    hostIfindex: 17,
    hostMac: 'b2:6c:0e:5a:11:9f',
    containerMac: 'ce:1d:44:90:3a:02',
    mtu: 1500,
    createdAt: '2026-01-01T00:00:00.000Z',
    owner: rec.podNamespace && rec.podName ? `${rec.podNamespace}/${rec.podName}` : 'health',
    restored,
    ...rec,
  };
}

const webpod = view({
  id: 392,
  ipv4: '10.244.1.61',
  identity: 19520,
  podNamespace: 'default',
  podName: 'webpod',
  labels: [
    'k8s:app=webpod',
    'k8s:io.cilium.k8s.policy.cluster=default',
    'k8s:io.kubernetes.pod.namespace=default',
  ],
});
const health = view({
  id: 883,
  kind: 'health',
  attachment: 'health',
  ipv4: '10.244.1.149',
  identity: 4,
  labels: ['reserved:health'],
});
const host: HostEndpointView = {
  id: 726,
  labels: ['reserved:host'],
  ifname: 'waggle_host',
  ifindex: 5,
  mac: '6e:00:00:00:00:01',
};

describe('formatEndpointList', () => {
  test('sorted by ID, the host without addresses, extra labels on continuation rows', () => {
    assert.equal(
      formatEndpointList([health, webpod], host),
      [
        'ENDPOINT   POLICY (ingress)   POLICY (egress)   IDENTITY   LABELS (source:key[=value])                IPv6   IPv4           STATUS',
        '           ENFORCEMENT        ENFORCEMENT',
        '392        Disabled           Disabled          19520      k8s:app=webpod                                    10.244.1.61    ready',
        '                                                           k8s:io.cilium.k8s.policy.cluster=default',
        '                                                           k8s:io.kubernetes.pod.namespace=default',
        '726        Disabled           Disabled          1          reserved:host                                                    ready',
        '883        Disabled           Disabled          4          reserved:health                                   10.244.1.149   ready',
        '',
      ].join('\n'),
    );
  });

  test('an endpoint without labels shows <no label id>; states read as Cilium names them', () => {
    const out = formatEndpointList(
      [
        view({ id: 2, ipv4: '10.0.0.2', state: 'creating' }),
        view({ id: 3, ipv4: '10.0.0.3', state: 'disconnecting', labels: ['k8s:a=b'] }),
      ],
      undefined,
    ).split('\n');
    assert.equal(out.length, 5); // two headers, two rows, the final newline
    assert.match(
      out[2] ?? '',
      /^2 {10}Disabled {11}Disabled {10}0 {10}<no label id> {4}\S* *10\.0\.0\.2 {3}waiting-for-identity$/,
    );
    assert.match(out[3] ?? '', /k8s:a=b .* 10\.0\.0\.3 {3}disconnecting$/);
  });
});

describe('endpointModel', () => {
  const model = endpointModel(webpod, { podCidr: '10.244.1.0/24', router: '10.244.1.47' }) as {
    id: number;
    status: Record<string, unknown> & {
      networking: Record<string, unknown>;
      'external-identifiers': Record<string, unknown>;
      identity: { id: number; labels: string[]; labelsSHA256: string };
    };
  };

  test("the networking block has models.EndpointNetworking's fields, from the record and the node", () => {
    assert.deepEqual(model.status.networking, {
      addressing: [{ ipv4: '10.244.1.61', 'ipv4-pool-name': 'default' }],
      'container-interface-name': 'eth0',
      'host-addressing': {
        ipv4: {
          'address-type': 'InternalIP',
          'alloc-range': '10.244.1.0/24',
          enabled: true,
          ip: '10.244.1.47',
        },
        ipv6: { enabled: false },
      },
      'host-mac': 'b2:6c:0e:5a:11:9f',
      'interface-index': 17,
      'interface-name': 'lxc000000000001',
      mac: 'ce:1d:44:90:3a:02',
    });
  });

  test('identity, external identifiers and state', () => {
    assert.equal(model.id, 392);
    assert.equal(model.status.state, 'ready');
    assert.equal(model.status.restored, false);
    assert.equal(model.status.identity.id, 19520);
    assert.deepEqual(model.status.identity.labels, webpod.labels);
    assert.deepEqual(model.status['external-identifiers'], {
      'container-id': 'c392',
      'cni-attachment-id': 'c392:eth0',
      'k8s-namespace': 'default',
      'k8s-pod-name': 'webpod',
      'pod-name': 'default/webpod',
      'container-interface-name': 'eth0',
    });
  });

  test('the labels hash depends on the set of labels, not their order', () => {
    const sorted = labelsSha256(webpod.labels);
    assert.match(sorted, /^[0-9a-f]{64}$/);
    assert.equal(labelsSha256([...webpod.labels].reverse()), sorted);
    assert.notEqual(labelsSha256(webpod.labels.slice(1)), sorted);
  });
});

describe('allocatedAddresses', () => {
  test('sorted as strings, as Cilium prints them; only restored endpoints are marked [restored]', () => {
    const restored = view({ id: 5, ipv4: '10.244.1.61', podNamespace: 'default', podName: 'webpod1' }, true);
    const fresh = view({ id: 6, ipv4: '10.244.1.105', podNamespace: 'default', podName: 'netpod' });
    assert.deepEqual(
      allocatedAddresses(
        [
          { ip: '10.244.1.61', owner: 'default/webpod1' },
          { ip: '10.244.1.9', owner: 'kube-system/coredns' },
          { ip: '10.244.1.149', owner: 'health' },
          { ip: '10.244.1.47', owner: 'router' },
          { ip: '10.244.1.105', owner: 'default/netpod' },
        ],
        [fresh, restored],
      ),
      [
        '  10.244.1.105 (default/netpod)',
        '  10.244.1.149 (health)',
        '  10.244.1.47 (router)',
        '  10.244.1.61 (default/webpod1 [restored])',
        '  10.244.1.9 (kube-system/coredns)',
      ],
    );
  });
});
