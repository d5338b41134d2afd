import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AnyObject, type Ingress, validateObject } from '../api/index.js';
import { renderStructured } from './get-output.js';
import { ingresses, secrets } from './format-ingress-columns.js';

function parse<T extends AnyObject>(doc: unknown): T {
  const v = validateObject(doc);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.object as T;
}

const now = Date.parse('2026-12-02T12:00:40Z');
const basic = parse<Ingress>({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'basic-ingress', creationTimestamp: '2026-12-02T12:00:00Z' },
  spec: {
    ingressClassName: 'cilium',
    rules: [
      {
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx', port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
});

test("get ingress: the seed's row, then ADDRESS from status and `80, 443` with TLS", () => {
  assert.deepEqual(ingresses.headers, ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
  assert.deepEqual(ingresses.row(basic, now), ['basic-ingress', 'cilium', '*', '', '80', '40s']);
  const served = {
    ...basic,
    spec: { ...basic.spec, tls: [{ hosts: ['a.test'], secretName: 's' }] },
    status: { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } },
  };
  assert.deepEqual(ingresses.row(served, now).slice(3, 5), ['10.0.10.0', '80, 443']);
});

test('get secret: the number of keys; -o yaml/json never print the values', () => {
  const s = parse<AnyObject & { kind: 'Secret' }>({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tls', namespace: 'default', creationTimestamp: '2026-12-02T12:00:00Z' },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from('CERT-BYTES').toString('base64'),
      'tls.key': Buffer.from('KEY-BYTES').toString('base64'),
    },
  });
  assert.deepEqual(secrets.row(s, now), ['tls', 'kubernetes.io/tls', '2', '40s']);
  for (const kind of ['yaml', 'json'] as const) {
    const text = renderStructured({ kind }, [s], true) ?? '';
    assert.ok(!text.includes(Buffer.from('KEY-BYTES').toString('base64')), text);
    assert.match(text, /<redacted: 9 bytes>/);
  }
});
