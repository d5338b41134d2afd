// `waggle status`: what one agent is doing, read from its API socket.
import type { Command } from 'commander';
import { fetchStatus, resolveSocket } from '../agent/api-client.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show an agent's store, devices, liveness, leases and map entries")
    .option('--node <name>', "the agent's node (socket /run/waggle/<node>/agent.sock)")
    .option('--api-socket <path>', 'the agent API socket')
    .option('-o, --output <fmt>', 'json for machine-readable output')
    .action(async (opts: { node?: string; apiSocket?: string; output?: string }) => {
      const s = await fetchStatus(resolveSocket(opts));
      if (opts.output === 'json') {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      const age = s.livenessAgeMs === null ? 'never written' : `${(s.livenessAgeMs / 1000).toFixed(1)}s ago`;
      const held = s.leases.filter((l) => l.leading).map((l) => l.lease);
      const lines = [
        `Node:             ${s.node}`,
        `Store:            ${s.store}`,
        `Devices:          ${s.devices.map((d) => `${d.name} ${d.mac} (ifindex ${d.ifindex})`).join(', ') || 'none'}`,
        `Agent liveness:   ${age} (every ${s.livenessIntervalMs}ms, max ${s.maxLivenessMs}ms)`,
        `Leases held:      ${held.length}/${s.leases.length}${held.length ? ` (${held.join(', ')})` : ''}`,
        `Responder:        ${s.responder.length} entries`,
        `Initial sync:     ${s.initialSyncDone ? 'done' : 'pending'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
