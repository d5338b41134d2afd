// The bench's services, three ways from one list (pure: no I/O): as the Service and EndpointSlice
// objects the store holds (what an API server and the EndpointSlice controller would write), as
// the frontend key the agent writes into waggle_lb4_services_v2, and as kube-proxy's rules
// (rules.ts). Service i: ClusterIP 10.96.0.1 + i, port 80/TCP named p80, two endpoints in
// 172.16/12 on 8080 (never reached: only the control plane is measured).
import type { EndpointSlice } from '../../src/api/endpoint-slice.js';
import type { Service } from '../../src/api/service.js';
import { L4Proto, type Lb4Key } from '../../src/datapath/maps/lb4-services.js';
import { MANAGED_BY } from '../../src/lab/control-plane/slice-plan.js';
import {
  addIp,
  type BenchService,
  CLUSTER_CIDR,
  nftEndpointChain,
  nftServiceChain,
} from '../service-lookup/rules.js';

export const NAMESPACE = 'bench';
const PORT_NAME = 'p80';

/** Service i of the bench, in rules.ts's shape (its name `bench/svc-<i>:p80`). */
export function benchService(i: number): BenchService {
  return {
    name: `${NAMESPACE}/svc-${i}:${PORT_NAME}`,
    ns: NAMESPACE,
    svc: `svc-${i}`,
    vip: addIp('10.96.0.1', i),
    port: 80,
    endpoints: [0, 1].map((j) => ({ ip: addIp('172.16.0.1', 2 * i + j), port: 8080 })),
  };
}

export const benchServices = (from: number, to: number): BenchService[] =>
  Array.from({ length: to - from }, (_, k) => benchService(from + k));

export function serviceObject(s: BenchService): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.svc, namespace: s.ns },
    spec: {
      type: 'ClusterIP',
      clusterIP: s.vip,
      ports: [{ name: PORT_NAME, port: s.port, protocol: 'TCP', targetPort: 8080 }],
    },
  } as Service;
}

/** The slice the EndpointSlice controller writes for `s` (its name: the Service's plus a suffix). */
export function sliceObject(s: BenchService, endpoints = s.endpoints): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${s.svc}-bench`,
      namespace: s.ns,
      labels: {
        'kubernetes.io/service-name': s.svc,
        'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
      },
    },
    addressType: 'IPv4',
    ports: [{ name: PORT_NAME, port: endpoints[0]?.port ?? 8080, protocol: 'TCP' }],
    endpoints: endpoints.map((ep) => ({ addresses: [ep.ip], conditions: { ready: true } })),
  } as EndpointSlice;
}

/** The master row's key (slot 0) of `s`'s frontend, as the agent writes it. */
export const masterKey = (s: BenchService, backendSlot = 0): Lb4Key => ({
  address: s.vip,
  port: s.port,
  backendSlot,
  proto: L4Proto.TCP,
  scope: 0,
});

/**
 * One more service in kube-proxy's nftables mode: what its partial sync sends to `nft -f` for a
 * new Service (pkg/proxy/nftables/proxier.go, syncProxyRules: the endpoint chains, the service
 * chain and its numgen vmap, then the service-ips element), in the ruleset nftRuleset() wrote.
 * Endpoint chains come first: a `goto` may only name a chain that already exists.
 */
export function nftAddOne(s: BenchService): string {
  const t = 'ip kube-proxy';
  const out: string[] = [];
  for (const ep of s.endpoints) {
    const c = nftEndpointChain(s, ep);
    out.push(
      `add chain ${t} ${c}`,
      `flush chain ${t} ${c}`,
      `add rule ${t} ${c} ip saddr ${ep.ip} jump mark-for-masquerade`,
      `add rule ${t} ${c} meta l4proto tcp dnat to ${ep.ip}:${ep.port}`,
    );
  }
  const svc = nftServiceChain(s);
  const eps = s.endpoints.map((ep, i) => `${i} : goto ${nftEndpointChain(s, ep)}`).join(', ');
  out.push(
    `add chain ${t} ${svc}`,
    `flush chain ${t} ${svc}`,
    `add rule ${t} ${svc} ip daddr ${s.vip} tcp dport ${s.port} ip saddr != ${CLUSTER_CIDR} jump mark-for-masquerade`,
    `add rule ${t} ${svc} numgen random mod ${s.endpoints.length} vmap { ${eps} }`,
    `add element ${t} service-ips { ${s.vip} . tcp . ${s.port} : goto ${svc} }`,
    '',
  );
  return out.join('\n');
}
