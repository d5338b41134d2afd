// Services and EndpointSlices for the services tests, parsed through the API schemas so defaults
// (protocol TCP, conditions {}) are the API server's.
import { type EndpointSlice, EndpointSliceSchema } from '../api/endpoint-slice.js';
import { type Service, ServiceSchema } from '../api/service.js';

export function service(
  name: string,
  spec: Record<string, unknown>,
  status?: Record<string, unknown>,
  createdAt = '2026-01-01T00:00:00Z',
): Service {
  return ServiceSchema.parse({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', creationTimestamp: createdAt },
    spec,
    ...(status ? { status } : {}),
  });
}

export interface Ep {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  node?: string;
}

export function slice(
  svc: string,
  name: string,
  ports: Array<{ name?: string; port: number; protocol?: 'TCP' | 'UDP' }>,
  eps: Ep[],
): EndpointSlice {
  return EndpointSliceSchema.parse({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports,
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: {
        ...(e.ready !== undefined ? { ready: e.ready } : {}),
        ...(e.serving !== undefined ? { serving: e.serving } : {}),
        ...(e.terminating !== undefined ? { terminating: e.terminating } : {}),
      },
      ...(e.node ? { nodeName: e.node } : {}),
    })),
  });
}
