// Services × EndpointSlices → frontends and backends: which endpoints take new connections
// (ready; else serving+terminating, KEP-1669), named target ports through the slice ports,
// frontends for ClusterIP, LoadBalancer ingress and externalIPs, and conflicts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backendsFor } from './backends.js';
import { desiredFrontends, l3n4 } from './desired.js';
import { service, slice } from './fixtures.test-helper.js';

const web = service('web', {
  clusterIP: '10.96.0.10',
  ports: [{ name: 'http', port: 80, targetPort: 'web' }],
});
const summary = (bs: ReturnType<typeof backendsFor>) =>
  bs.map((b) => `${b.address}:${b.port} ${b.state}${b.slot ? ' slot' : ''}`);

describe('services: backends of a Service port', () => {
  test('ready endpoints (and ones with no ready condition, which count as ready) are the slots; a starting pod is nothing', () => {
    const s = slice(
      'web',
      'web-a',
      [{ name: 'http', port: 8080 }],
      [{ ip: '10.200.2.7', ready: true }, { ip: '10.200.1.5' }, { ip: '10.200.1.9', ready: false }],
    );
    assert.deepEqual(summary(backendsFor([s], 'http', 'TCP')), [
      '10.200.1.5:8080 active slot',
      '10.200.2.7:8080 active slot',
    ]);
  });

  test('a terminating endpoint is kept (for its connections) but takes no new ones while any is ready', () => {
    const s = slice(
      'web',
      'web-a',
      [{ name: 'http', port: 80 }],
      [
        { ip: '10.200.1.5', ready: true },
        { ip: '10.200.1.6', ready: false, serving: true, terminating: true },
      ],
    );
    assert.deepEqual(summary(backendsFor([s], 'http', 'TCP')), [
      '10.200.1.5:80 active slot',
      '10.200.1.6:80 terminating',
    ]);
  });

  test('KEP-1669: with none ready, the serving terminating ones are the slots, the non-serving ones are not', () => {
    const s = slice(
      'web',
      'web-a',
      [{ name: 'http', port: 80 }],
      [
        { ip: '10.200.1.6', ready: false, serving: true, terminating: true },
        { ip: '10.200.1.7', ready: false, serving: false, terminating: true },
        { ip: '10.200.1.8', ready: false, serving: false },
      ],
    );
    assert.deepEqual(summary(backendsFor([s], 'http', 'TCP')), [
      '10.200.1.6:80 terminating slot',
      '10.200.1.7:80 terminating',
    ]);
  });

  test('named target ports resolve through the slice port of the same name and protocol; other slices and ports do not count', () => {
    const slices = [
      slice('web', 'web-a', [{ name: 'http', port: 8080 }], [{ ip: '10.200.1.5' }]),
      slice('web', 'web-b', [{ name: 'http', port: 9090 }], [{ ip: '10.200.2.7' }]),
      slice('web', 'web-c', [{ name: 'metrics', port: 9100 }], [{ ip: '10.200.3.1' }]),
      slice('web', 'web-d', [{ name: 'http', port: 8080, protocol: 'UDP' }], [{ ip: '10.200.4.1' }]),
    ];
    assert.deepEqual(summary(backendsFor(slices, 'http', 'TCP')), [
      '10.200.1.5:8080 active slot',
      '10.200.2.7:9090 active slot',
    ]);
  });

  test('one address in two slices (a slice being replaced) is one backend, the ready record winning; order is numeric', () => {
    const slices = [
      slice(
        'web',
        'old',
        [{ name: 'http', port: 80 }],
        [{ ip: '10.200.1.10', ready: false, terminating: true }, { ip: '10.200.1.9' }],
      ),
      slice('web', 'new', [{ name: 'http', port: 80 }], [{ ip: '10.200.1.10', ready: true }]),
    ];
    assert.deepEqual(summary(backendsFor(slices, 'http', 'TCP')), [
      '10.200.1.9:80 active slot',
      '10.200.1.10:80 active slot',
    ]);
  });
});

describe('services: frontends', () => {
  test('ClusterIP, LoadBalancer ingress IPs and externalIPs are each a frontend of every port; IPv6 and ExternalName are skipped', () => {
    const lb = service(
      'lb',
      {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.20',
        externalIPs: ['192.168.56.50', 'fd00::1'],
        ports: [
          { name: 'http', port: 80 },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
      },
      { loadBalancer: { ingress: [{ ip: '10.0.10.0' }, { ip: 'fd00::2' }, { hostname: 'x.example' }] } },
    );
    const ext = service('ext', { type: 'ExternalName', externalName: 'example.com' });
    const { frontends } = desiredFrontends([lb, ext], []);
    assert.deepEqual(
      frontends.map((f) => `${l3n4(f)} ${f.type}`),
      [
        '10.0.10.0:53/UDP LoadBalancer',
        '10.0.10.0:80/TCP LoadBalancer',
        '10.96.0.20:53/UDP ClusterIP',
        '10.96.0.20:80/TCP ClusterIP',
        '192.168.56.50:53/UDP ExternalIPs',
        '192.168.56.50:80/TCP ExternalIPs',
      ],
    );
  });

  test("a Service's slices are found by the kubernetes.io/service-name label in its namespace", () => {
    const s = slice('web', 'web-a', [{ name: 'http', port: 8080 }], [{ ip: '10.200.1.5' }]);
    const other = slice('db', 'db-a', [{ name: 'http', port: 5432 }], [{ ip: '10.200.9.9' }]);
    const { frontends } = desiredFrontends([web], [s, other]);
    assert.deepEqual(
      frontends.map((f) => f.backends.map(l3n4)),
      [['10.200.1.5:8080/TCP']],
    );
  });

  test('a headless Service has no frontend; a Service with no slice has frontends with no backends', () => {
    const headless = service('hl', { clusterIP: 'None', ports: [{ port: 80 }] });
    const { frontends } = desiredFrontends([headless, web], []);
    assert.deepEqual(
      frontends.map((f) => [l3n4(f), f.backends.length]),
      [['10.96.0.10:80/TCP', 0]],
    );
  });

  test('two Services claiming one frontend: the older keeps it and the other is reported', () => {
    const young = service(
      'young',
      { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] },
      undefined,
      '2026-02-01T00:00:00Z',
    );
    const { frontends, conflicts } = desiredFrontends([young, web], []);
    assert.deepEqual(
      frontends.map((f) => f.service),
      ['default/web'],
    );
    assert.deepEqual(conflicts, [
      'service "default/young": frontend 10.96.0.10:80/TCP is already service "default/web"\'s; ignored',
    ]);
  });
});
