// The services part of `waggle status`, as `cilium status` prints it (pkg/client/client.go):
//   KubeProxyReplacement:   True   [eth1   10.98.0.21 (Direct Routing)]
//   Services:               3 frontends (1 NodePort), 4 backends (socket LB on /sys/fs/cgroup/unified/node-1)
import type { ServicesStatus } from './module.js';

export function servicesLines(s: ServicesStatus): string[] {
  const devices = s.devices.map((d) => [d.name, ...d.addresses.filter((a) => !a.includes(':'))].join('   '));
  const kpr = s.kubeProxyReplacement
    ? `True   [${devices.map((d) => `${d} (Direct Routing)`).join(', ')}]`
    : `False   (${s.socketLb.enabled ? 'socket LB not attached' : 'socket LB off (--bpf-lb-sock=false); per-packet LB is not built yet'})`;
  const where = s.socketLb.cgroupRoot ? ` (socket LB on ${s.socketLb.cgroupRoot})` : '';
  // NodePort frontends are 0.0.0.0:<nodePort>, matched for any address of the node.
  const nodePorts = s.nodePortFrontends > 0 ? ` (${s.nodePortFrontends} NodePort)` : '';
  const state = s.synced ? '' : ', waiting for the first Service/EndpointSlice listing';
  const out = [
    `KubeProxyReplacement:   ${kpr}`,
    `Services:               ${s.frontends} frontends${nodePorts}, ${s.backends} backends${where}${state}`,
  ];
  for (const e of [...s.errors, ...s.conflicts].slice(0, 5)) out.push(`  ${e}`);
  return out;
}
