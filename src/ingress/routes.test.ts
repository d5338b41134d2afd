import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateObject } from '../api/index.js';
import { ingress, obj, prefix, service, slice } from './fixtures.test-helper.js';
import { proxyModel } from './routes.js';

const base = { classes: [], secrets: [] };

test('one Prefix / rule: ready pod IPs at the target port, unready left out', () => {
  const m = proxyModel({
    ...base,
    ingresses: [
      ingress('basic-ingress', {
        ingressClassName: 'cilium',
        rules: [{ http: { paths: [prefix('/', 'nginx')] } }],
      }),
    ],
    services: [service('nginx')],
    slices: [
      slice('nginx', [
        ['10.200.0.5', true],
        ['10.200.1.7', false],
        ['10.200.1.6', true],
      ]),
    ],
  });
  assert.deepEqual(m.vhosts, [
    { host: undefined, routes: [{ path: '/', match: 'prefix', backend: 'default_nginx_80' }] },
  ]);
  assert.deepEqual(m.backends, [
    {
      name: 'default_nginx_80',
      servers: [
        { address: '10.200.0.5', port: 8080 },
        { address: '10.200.1.6', port: 8080 },
      ],
    },
  ]);
  assert.equal(m.ingresses, 1);
});

test('no EndpointSlice: the ClusterIP at the service port (the socket LB picks the pod)', () => {
  const m = proxyModel({
    ...base,
    ingresses: [
      ingress('a', {
        ingressClassName: 'waggle',
        defaultBackend: { service: { name: 'web', port: { number: 80 } } },
      }),
    ],
    services: [service('web', 80, '10.96.0.20')],
    slices: [],
  });
  assert.deepEqual(m.backends[0]?.servers, [{ address: '10.96.0.20', port: 80 }]);
});

test('hosts: exact before wildcard before any; longest path first, Exact before Prefix at equal length', () => {
  const m = proxyModel({
    ...base,
    ingresses: [
      ingress('x', {
        ingressClassName: 'cilium',
        rules: [
          { http: { paths: [prefix('/', 'a')] } },
          { host: '*.example.com', http: { paths: [prefix('/', 'b')] } },
          {
            host: 'foo.example.com',
            http: {
              paths: [prefix('/', 'a'), prefix('/api', 'b'), { ...prefix('/api', 'a'), pathType: 'Exact' }],
            },
          },
        ],
      }),
    ],
    services: [service('a'), service('b')],
    slices: [],
  });
  assert.deepEqual(
    m.vhosts.map((v) => v.host),
    ['foo.example.com', '*.example.com', undefined],
  );
  assert.deepEqual(
    m.vhosts[0]?.routes.map((r) => `${r.match} ${r.path} ${r.backend}`),
    ['exact /api default_a_80', 'prefix /api default_b_80', 'prefix / default_a_80'],
  );
});

test('other classes are ignored; no class is ours only when our IngressClass is the default', () => {
  const spec = { defaultBackend: { service: { name: 'a', port: { number: 80 } } } };
  const nginx = ingress('n', { ...spec, ingressClassName: 'nginx' });
  const none = ingress('d', spec);
  const cls = obj<never>({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'cilium', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'cilium.io/ingress-controller' },
  });
  const inp = { secrets: [], services: [service('a')], slices: [], ingresses: [nginx, none] };
  assert.equal(proxyModel({ ...inp, classes: [] }).ingresses, 0);
  assert.equal(proxyModel({ ...inp, classes: [cls] }).ingresses, 1);
});

test('a bad Ingress (unknown service, missing secret) is skipped with field paths; the others serve', () => {
  const m = proxyModel({
    ...base,
    ingresses: [
      ingress('bad', {
        ingressClassName: 'cilium',
        rules: [{ http: { paths: [prefix('/', 'nope')] } }],
        tls: [{ secretName: 'gone' }],
      }),
      ingress('good', { ingressClassName: 'cilium', rules: [{ http: { paths: [prefix('/', 'a')] } }] }),
    ],
    services: [service('a')],
    slices: [],
  });
  assert.equal(m.ingresses, 1);
  assert.deepEqual(m.skipped, [
    {
      ingress: 'default/bad',
      problems: [
        'spec.rules[0].http.paths[0].backend.service.name: service default/nope not found',
        'spec.tls[0].secretName: secret default/gone not found',
      ],
    },
  ]);
});

test('schema: bad pathType and relative path are refused with their field paths', () => {
  const v = validateObject({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'x' },
    spec: { rules: [{ http: { paths: [{ ...prefix('api', 'a'), pathType: 'Regex' }] } }] },
  });
  assert.equal(v.ok, false);
  const paths = v.ok ? [] : v.errors.map((e) => e.path);
  assert.ok(paths.includes('spec.rules[0].http.paths[0].pathType'), JSON.stringify(v));
});

test('schema: a kubernetes.io/tls Secret needs tls.crt and tls.key', () => {
  const v = validateObject({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'QQ==' },
  });
  assert.equal(v.ok, false);
  assert.deepEqual(v.ok ? [] : v.errors.map((e) => e.path), ['data.tls.key']);
});
