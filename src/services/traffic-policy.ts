// The Service fields that change which backends a frontend offers on this node, or to whom
// (pure, after desiredFrontends):
//   externalTrafficPolicy: Local  the LoadBalancer, externalIP and NodePort frontends offer only
//                                 this node's backends to clients from outside — so the client's
//                                 address is kept and no SNAT is needed — while clients inside the
//                                 cluster still reach every backend: two row sets, scope external
//                                 (local backends) and internal (all), as Cilium's two-scope
//                                 services (pkg/loadbalancer, SVCTrafficPolicyLocal);
//   internalTrafficPolicy: Local  the ClusterIP offers only this node's backends (KEP-2086);
//   loadBalancerSourceRanges      the LoadBalancer frontends let only these client prefixes in
//                                 from outside (Kubernetes applies them to the load balancer's
//                                 addresses; kube-proxy and Cilium do the same). An entry that
//                                 is not an IPv4 CIDR is reported and ignored: it lets nobody in;
//   sessionAffinity: ClientIP     a client's new connections go to its last backend within
//                                 sessionAffinityConfig.clientIP.timeoutSeconds (default 3 h).
// No local backend under a Local policy leaves the frontend with none: its packets are dropped
// (DROP_NO_SERVICE) and a connect() is refused, as Cilium does.
import type { Service } from '../api/service.js';
import { parsePrefix } from '../lib/ip.js';
import type { DesiredBackend } from './backends.js';
import type { DesiredFrontend } from './desired.js';

/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds: 3 hours. */
export const DEFAULT_AFFINITY_S = 10800;

const EXTERNAL_TYPES = new Set(['LoadBalancer', 'ExternalIPs', 'NodePort']);

const localOnly = (bs: DesiredBackend[], node: string) => bs.filter((b) => b.nodeName === node);

/** `frontends` with the Services' traffic policies and source ranges applied for node `node`. */
export function applyTrafficPolicies(
  frontends: readonly DesiredFrontend[],
  services: readonly Service[],
  node: string,
): { frontends: DesiredFrontend[]; problems: string[] } {
  const byKey = new Map(services.map((s) => [`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s]));
  const out: DesiredFrontend[] = [];
  const problems: string[] = [];
  const badRanges = new Set<string>();
  for (const fe of frontends) {
    const spec = byKey.get(fe.service)?.spec;
    if (!spec) {
      out.push(fe);
      continue;
    }
    const sticky: DesiredFrontend =
      spec.sessionAffinity === 'ClientIP'
        ? {
            ...fe,
            affinityTimeoutS: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_S,
          }
        : fe;
    if (fe.type === 'ClusterIP') {
      out.push(
        spec.internalTrafficPolicy === 'Local'
          ? { ...sticky, backends: localOnly(fe.backends, node) }
          : sticky,
      );
      continue;
    }
    let ext: DesiredFrontend = sticky;
    if (fe.type === 'LoadBalancer' && spec.loadBalancerSourceRanges?.length) {
      const ranges: string[] = [];
      spec.loadBalancerSourceRanges.forEach((r, i) => {
        const p = parsePrefix(r.trim());
        if (p.ok && !r.includes(':')) ranges.push(r.trim());
        else if (!badRanges.has(fe.service)) {
          badRanges.add(fe.service);
          problems.push(
            `service "${fe.service}": spec.loadBalancerSourceRanges[${i}] "${r}": not an IPv4 CIDR; ignored (the valid ranges still apply)`,
          );
        }
      });
      // Fail closed: a bad entry lets nobody more in; with no valid entry, nobody from outside.
      ext = { ...ext, sourceRanges: ranges };
    }
    if (EXTERNAL_TYPES.has(fe.type) && spec.externalTrafficPolicy === 'Local') {
      out.push({ ...ext, backends: localOnly(fe.backends, node), extLocal: true, scope: 0 });
      out.push({ ...ext, extLocal: true, scope: 1 });
      continue;
    }
    out.push(ext);
  }
  return { frontends: out, problems };
}
