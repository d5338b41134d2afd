// Objects for the control plane's tests, parsed by their schemas so defaults are as stored.
import {
  type Deployment,
  DeploymentSchema,
  type Node,
  NodeSchema,
  type Pod,
  PodSchema,
  type ReplicaSet,
  ReplicaSetSchema,
  type Service,
  ServiceSchema,
} from '../../api/index.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

export function node(
  name: string,
  opts: { ready?: boolean; labels?: Record<string, string>; taints?: Node['spec']['taints'] } = {},
): Node {
  return NodeSchema.parse({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  });
}

export const template = (image = 'nginx:1.27', labels: Record<string, string> = { app: 'nginx' }) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'nginx', image, ports: [{ name: 'http', containerPort: 80 }] }] },
});

export function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}): Deployment {
  return DeploymentSchema.parse({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'nginx' } }, template: template(), ...spec },
  });
}

export function replicaSet(
  rs: ReplicaSet,
  status: { replicas: number; available: number; ready?: number },
  created: string,
): ReplicaSet {
  return ReplicaSetSchema.parse({
    ...rs,
    metadata: { ...rs.metadata, uid: `uid-${rs.metadata.name}`, creationTimestamp: created },
    status: {
      replicas: status.replicas,
      availableReplicas: status.available,
      readyReplicas: status.ready ?? status.available,
    },
  });
}

export interface PodOpts {
  node?: string;
  phase?: NonNullable<Pod['status']>['phase'];
  ready?: boolean;
  ip?: string;
  deleting?: boolean;
  created?: string;
  restarts?: number;
  labels?: Record<string, string>;
  ports?: Array<{ name?: string; containerPort: number }>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  return PodSchema.parse({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'nginx' },
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z', deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      ...(o.node ? { nodeName: o.node } : {}),
      containers: [{ name: 'c', image: 'nginx', ports: o.ports ?? [{ name: 'http', containerPort: 80 }] }],
    },
    status: {
      phase: o.phase ?? (o.node ? 'Running' : 'Pending'),
      ...(o.ip ? { podIP: o.ip } : {}),
      conditions: [
        { type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
      containerStatuses: [
        { name: 'c', image: 'nginx', ready: o.ready ?? false, restartCount: o.restarts ?? 0 },
      ],
    },
  });
}

export function service(name: string, spec: Record<string, unknown> = {}): Service {
  return ServiceSchema.parse({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-svc-${name}` },
    spec: { selector: { app: 'nginx' }, ports: [{ port: 80, targetPort: 'http' }], ...spec },
  });
}
