// What the connectivity test deploys, as cilium-cli's connectivity check does in cilium-test
// (cilium-cli/connectivity/check/deployment.go): an echo server on one node and another on a
// different node, a client next to the first echo and a client on the other node, a NodePort
// Service per echo, and a LoadBalancer Service with its own pool and L2 policy. Pods are pinned by spec.nodeName so the topology is known before they run.
import type { Ran } from './shell.js';
import { waggle } from './shell.js';

export type Role = 'client' | 'client2' | 'echo-same' | 'echo-other';
export const ROLES: readonly Role[] = ['client', 'client2', 'echo-same', 'echo-other'];
export const ECHO_SERVICES = ['echo-same', 'echo-other'] as const;
export type EchoService = (typeof ECHO_SERVICES)[number];

/**
 * The node of each role. server carries the control-plane taint and hosts no test pod; it is
 * still reached as a host (pod-to-host, host-to-pod).
 */
export const PLACEMENT: Readonly<Record<Role, string>> = {
  client: 'node-0',
  'echo-same': 'node-0',
  client2: 'node-1',
  'echo-other': 'node-1',
};

const IMAGES: Readonly<Record<Role, string>> = {
  client: 'nicolaka/netshoot:v0.13',
  client2: 'nicolaka/netshoot:v0.13',
  'echo-same': 'traefik/whoami:v1.10',
  'echo-other': 'traefik/whoami:v1.10',
};

function deployment(ns: string, role: Role, replicas: number): object {
  const echo = role.startsWith('echo');
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: role, namespace: ns, labels: { name: role, kind: echo ? 'echo' : 'client' } },
    spec: {
      replicas,
      selector: { matchLabels: { name: role } },
      template: {
        metadata: { labels: { name: role, kind: echo ? 'echo' : 'client' } },
        spec: {
          nodeName: PLACEMENT[role],
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: echo ? 'echo' : 'client',
              image: IMAGES[role],
              ...(echo
                ? { ports: [{ name: 'http', containerPort: 80 }] }
                : { command: ['sleep', 'infinity'] }),
            },
          ],
        },
      },
    },
  };
}

/** NodePort, as cilium-cli's echo-same / echo-other: the ClusterIP and a port on every node. */
function service(ns: string, name: EchoService): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { kind: 'echo' } },
    spec: { type: 'NodePort', selector: { name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}

/**
 * outside-to-loadbalancer's objects: a LoadBalancer Service in front of echo-other (node-1) whose
 * address, from a pool of the test's own on the nodes' segment, node-0 alone announces — so the
 * jumpbox's request crosses node-0's eBPF service LB to a backend on the other node and back.
 * The address is asked for by annotation, so no other pool can give it something else.
 */
export const LB_SERVICE = 'echo-lb';
export const LB_IP = '192.168.56.241';
const LB_LABEL = { 'waggle.io/connectivity': 'lb' };

function lbObjects(ns: string): object[] {
  return [
    {
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumLoadBalancerIPPool',
      metadata: { name: 'cilium-test-pool' },
      spec: { blocks: [{ cidr: '192.168.56.240/29' }], serviceSelector: { matchLabels: LB_LABEL } },
    },
    {
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumL2AnnouncementPolicy',
      metadata: { name: 'cilium-test-l2' },
      spec: {
        serviceSelector: { matchLabels: LB_LABEL },
        nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'node-0' } },
        interfaces: ['^eth1$'],
        loadBalancerIPs: true,
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: LB_SERVICE,
        namespace: ns,
        labels: { kind: 'echo', ...LB_LABEL },
        annotations: { 'lbipam.cilium.io/ips': LB_IP },
      },
      spec: {
        type: 'LoadBalancer',
        selector: { name: 'echo-other' },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    },
  ];
}

/** Everything, as one multi-document manifest (JSON documents are YAML). */
export function manifests(ns: string, echoReplicas: number): string {
  const objs = [
    ...ROLES.map((r) => deployment(ns, r, r.startsWith('echo') ? echoReplicas : 1)),
    ...ECHO_SERVICES.map((s) => service(ns, s)),
    ...lbObjects(ns),
  ];
  return objs.map((o) => JSON.stringify(o)).join('\n---\n');
}

export function applyAll(ns: string, echoReplicas: number): Promise<Ran> {
  return waggle(['apply', '-f', '-'], 30_000, manifests(ns, echoReplicas));
}

/** Deletes what applyAll made and waits (bounded) for the pods to be gone. */
export async function deleteAll(ns: string, timeoutS: number): Promise<Ran> {
  return waggle(['delete', '-f', '-', '--timeout', `${timeoutS}s`], (timeoutS + 10) * 1000, manifests(ns, 0));
}
