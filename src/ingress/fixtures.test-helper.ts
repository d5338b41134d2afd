// Objects for the ingress unit tests, validated through the real schemas so a fixture that the
// API would refuse fails here first.
import { type AnyObject, validateObject } from '../api/index.js';

export function obj<T extends AnyObject>(doc: unknown): T {
  const v = validateObject(doc);
  if (!v.ok) throw new Error(`fixture: ${JSON.stringify(v.errors)}`);
  return v.object as T;
}

export function service(name: string, port = 80, clusterIP = '10.96.0.10', ns = 'default') {
  return obj<AnyObject & { kind: 'Service' }>({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { clusterIP, ports: [{ port, targetPort: 8080 }], selector: { app: name } },
  });
}

export function slice(svc: string, ips: Array<[string, boolean]>, port = 8080, ns = 'default') {
  return obj<AnyObject & { kind: 'EndpointSlice' }>({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: ips.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
    ports: [{ port }],
  });
}

export function ingress(name: string, spec: unknown, annotations?: Record<string, string>) {
  return obj<AnyObject & { kind: 'Ingress' }>({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(annotations ? { annotations } : {}) },
    spec,
  });
}

export const prefix = (path: string, svc: string, port = 80) => ({
  path,
  pathType: 'Prefix',
  backend: { service: { name: svc, port: { number: port } } },
});
