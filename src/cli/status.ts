// `waggle status`: what one agent is doing, read from its API socket.
import type { Command } from 'commander';
import { fetchEndpoints, fetchStatus, resolveSocket } from '../agent/api-client.js';
import type { AgentStatus } from '../agent/status.js';
import { allocatedAddresses } from '../endpoints/views.js';
import { clusterHealthLine } from '../health/format.js';
import { servicesLines } from '../services/status-lines.js';
import { ingressLine } from '../ingress/status-line.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show an agent's store, devices, liveness, leases and map entries")
    .option('--node <name>', "the agent's node (socket /run/waggle/<node>/agent.sock)")
    .option('--api-socket <path>', 'the agent API socket')
    .option('-o, --output <fmt>', 'json for machine-readable output')
    .option('--verbose', 'also every allocated address with its owner')
    .action(async (opts: { node?: string; apiSocket?: string; output?: string; verbose?: boolean }) => {
      const socket = resolveSocket(opts);
      const s = await fetchStatus(socket);
      if (opts.output === 'json') {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      const lv = s.liveness;
      const l2 = s.l2;
      const age = lv.ageMs === null ? 'never written' : `${(lv.ageMs / 1000).toFixed(1)}s ago`;
      const held = l2.leases.filter((l) => l.leading).map((l) => l.lease);
      const lines = [
        `Node:             ${s.node}`,
        `Store:            ${s.store.url} (watching ${s.store.watching.join(', ') || 'nothing'})`,
        `Modules:          ${s.modules.map((m) => (m.state === 'running' ? m.name : `${m.name} (${m.state})`)).join(', ')}`,
        `Devices:          ${s.devices.map((d) => `${d.name} ${d.mac} (ifindex ${d.ifindex})`).join(', ') || 'none'}`,
        `Agent liveness:   ${age} (every ${lv.intervalMs}ms, max ${lv.maxMs}ms)`,
        `Leases held:      ${held.length}/${l2.leases.length}${held.length ? ` (${held.join(', ')})` : ''}`,
        `Responder:        ${l2.responder.length} entries`,
        `Initial sync:     ${l2.initialSyncDone ? 'done' : 'pending'}`,
      ];
      const ep = s.endpoints;
      if (ep) {
        // Cilium's IPAM line ends with ", " (the IPv6 part is empty); kept for scripts that parse it.
        lines.push(`IPAM:             ${ep.ipam ? `IPv4: ${ep.ipam}, ` : `not ready (${ep.message})`}`);
        if (opts.verbose && ep.phase === 'ready') {
          const { endpoints } = await fetchEndpoints(socket);
          lines.push('Allocated addresses:', ...allocatedAddresses(ep.allocated, endpoints));
        }
        lines.push(
          `Endpoints:        ${ep.endpoints} (${ep.phase}${ep.router ? `, router ${ep.router}` : ''})`,
        );
      }
      lines.push(...datapathLines(s));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/** Routing, masquerading and cluster health, as `cilium status` prints them (pkg/client/client.go). */
function datapathLines(s: AgentStatus): string[] {
  const out: string[] = [];
  if (s.routing) {
    const direct = s.routing.autoDirectNodeRoutes ? `, ${s.routing.routes.length} node routes` : '';
    const skipped = s.routing.skipped.length ? `, ${s.routing.skipped.length} node(s) not on-link` : '';
    const host = s.datapath.hostRouting?.mode ?? 'Legacy';
    out.push(`Routing:          Network: Native   Host: ${host}${direct}${skipped}`);
  }
  if (s.masquerade) {
    const m = s.masquerade;
    const mode =
      m.mode === 'iptables'
        ? 'IPTables [IPv4: Enabled, IPv6: Disabled]'
        : m.mode === 'bpf'
          ? `BPF   [${(m.devices ?? []).join(', ')}]   ${m.nativeRoutingCidr ?? '0.0.0.0/0'} [IPv4: Enabled, IPv6: Disabled]`
          : 'Disabled';
    out.push(`Masquerading:     ${mode}${m.lastError ? ` (error: ${m.lastError})` : ''}`);
  }
  if (s.health) out.push(clusterHealthLine(s.health));
  if (s.services) out.push(...servicesLines(s.services));
  if (s.ingress) out.push(ingressLine(s.ingress));
  return out;
}
