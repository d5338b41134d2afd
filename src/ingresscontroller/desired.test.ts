import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../api/index.js';
import { ingress, obj, prefix, service } from '../ingress/fixtures.test-helper.js';
import { desiredIngress, ingressStatus } from './desired.js';

function node(name: string, ip: string, ready: boolean): Node {
  return obj<Node>({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      addresses: [{ type: 'InternalIP', address: ip }],
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          lastHeartbeatTime: '2026-01-01T00:00:00Z',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          reason: 'r',
          message: 'm',
        },
      ],
    },
  });
}

const inputs = {
  classes: [],
  secrets: [],
  services: [service('nginx')],
  nodes: [
    node('node-1', '192.168.56.60', true),
    node('node-0', '192.168.56.50', true),
    node('server', '192.168.56.20', false),
  ],
  defaultMode: 'dedicated' as const,
  ports: { http: 10080, https: 10443 },
};
const basic = ingress('basic-ingress', {
  ingressClassName: 'cilium',
  rules: [{ http: { paths: [prefix('/', 'nginx')] } }],
});

test('dedicated: cilium-ingress-<name>, LoadBalancer 80/443, owned, and a slice of Ready nodes at the proxy ports', () => {
  const d = desiredIngress({ ...inputs, ingresses: [basic] });
  assert.equal(d.services.length, 1);
  const svc = d.services[0];
  assert.equal(svc?.metadata.name, 'cilium-ingress-basic-ingress');
  assert.equal(svc?.metadata.namespace, 'default');
  assert.equal(svc?.spec.type, 'LoadBalancer');
  assert.deepEqual(
    svc?.spec.ports?.map((p) => `${p.name}:${p.port}`),
    ['http:80', 'https:443'],
  );
  assert.deepEqual(svc?.metadata.labels, { 'cilium.io/ingress': 'true' });
  assert.equal(svc?.metadata.ownerReferences?.[0]?.uid, 'uid-basic-ingress');
  const sl = d.slices[0];
  assert.deepEqual(
    sl?.endpoints.map((e) => e.addresses[0]),
    ['192.168.56.50', '192.168.56.60'],
  );
  assert.deepEqual(
    sl?.ports?.map((p) => p.port),
    [10080, 10443],
  );
  assert.equal(sl?.metadata.labels?.['kubernetes.io/service-name'], 'cilium-ingress-basic-ingress');
  assert.equal(sl?.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'waggle-operator');
});

test('shared (annotation): both Ingresses on kube-system/cilium-ingress', () => {
  const shared = { 'ingress.cilium.io/loadbalancer-mode': 'shared' };
  const a = ingress(
    'a',
    { ingressClassName: 'cilium', rules: [{ host: 'a.test', http: { paths: [prefix('/', 'nginx')] } }] },
    shared,
  );
  const b = ingress(
    'b',
    { ingressClassName: 'cilium', rules: [{ host: 'b.test', http: { paths: [prefix('/', 'nginx')] } }] },
    shared,
  );
  const d = desiredIngress({ ...inputs, ingresses: [a, b] });
  assert.deepEqual(
    d.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
    ['kube-system/cilium-ingress'],
  );
  assert.deepEqual(
    d.verdicts.map((v) => v.lbService?.name),
    ['cilium-ingress', 'cilium-ingress'],
  );
});

test('a bad Ingress gets no Service, Accepted=False naming the field; status copies the LB address', () => {
  const bad = ingress('bad', {
    ingressClassName: 'cilium',
    rules: [{ http: { paths: [prefix('/', 'missing')] } }],
  });
  const d = desiredIngress({ ...inputs, ingresses: [bad, basic] });
  assert.deepEqual(
    d.services.map((s) => s.metadata.name),
    ['cilium-ingress-basic-ingress'],
  );
  const badV = d.verdicts.find((v) => v.ingress.metadata.name === 'bad');
  assert.ok(badV);
  const st = ingressStatus(badV, undefined);
  assert.equal(st.accepted.status, 'False');
  assert.match(
    st.accepted.message,
    /spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.name: service default\/missing not found/,
  );
  const okV = d.verdicts.find((v) => v.ingress.metadata.name === 'basic-ingress');
  assert.ok(okV);
  const lb = {
    ...service('cilium-ingress-basic-ingress'),
    status: { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } },
  };
  assert.deepEqual(ingressStatus(okV, lb).ingress, [{ ip: '10.0.10.0' }]);
});

test('a bad loadbalancer-mode annotation is refused', () => {
  const x = ingress(
    'x',
    { ingressClassName: 'cilium', defaultBackend: { service: { name: 'nginx', port: { number: 80 } } } },
    {
      'ingress.cilium.io/loadbalancer-mode': 'both',
    },
  );
  const d = desiredIngress({ ...inputs, ingresses: [x] });
  assert.equal(d.services.length, 0);
  assert.match(d.verdicts[0]?.problems[0] ?? '', /"both" is not dedicated or shared/);
});

test('a refused Ingress in shared mode still names the shared Service: its address stays, the Service is not pruned', () => {
  const shared = { 'ingress.cilium.io/loadbalancer-mode': 'shared' };
  const ok = ingress(
    'ok',
    { ingressClassName: 'cilium', rules: [{ host: 'a.test', http: { paths: [prefix('/', 'nginx')] } }] },
    shared,
  );
  const broken = ingress(
    'broken',
    { ingressClassName: 'cilium', rules: [{ host: 'b.test', http: { paths: [prefix('/', 'gone')] } }] },
    shared,
  );
  const both = desiredIngress({ ...inputs, ingresses: [ok, broken] });
  const v = both.verdicts.find((x) => x.ingress.metadata.name === 'broken');
  assert.deepEqual(v?.lbService, { namespace: 'kube-system', name: 'cilium-ingress' });
  assert.equal(v?.problems.length, 1);
  const lb = { ...service('cilium-ingress'), status: { loadBalancer: { ingress: [{ ip: '10.0.10.1' }] } } };
  assert.ok(v);
  assert.deepEqual(ingressStatus(v, lb).ingress, [{ ip: '10.0.10.1' }]);
  assert.equal(ingressStatus(v, lb).accepted.status, 'False');
  // Alone, the refused one makes no Service, and does not ask for the shared one to be removed.
  const alone = desiredIngress({ ...inputs, ingresses: [broken] });
  assert.deepEqual(alone.services, []);
  assert.equal(alone.verdicts[0]?.lbService?.name, 'cilium-ingress');
});
