// `waggle health status`: the agent's last cluster probe round (GET /v1/health), printed as
// Cilium's `cilium-health status`.
import type { Command } from 'commander';
import { fetchJson, resolveSocket } from '../agent/api-client.js';
import { formatHealthStatus } from '../health/format.js';
import type { HealthStatus } from '../health/health-status.js';

export function fetchHealth(socketPath: string): Promise<HealthStatus> {
  return fetchJson<HealthStatus>(socketPath, '/v1/health');
}

export function registerHealth(program: Command): void {
  const health = program.command('health').description('cluster connectivity as seen by one agent');
  health
    .command('status')
    .description("show the agent's last probe of every node (ICMP and HTTP to host and health endpoint)")
    .option('--node <name>', "the agent's node (socket /run/waggle/<node>/agent.sock)")
    .option('--api-socket <path>', 'the agent API socket')
    .option('-o, --output <fmt>', 'json for machine-readable output')
    .action(async (opts: { node?: string; apiSocket?: string; output?: string }) => {
      const s = await fetchHealth(resolveSocket(opts));
      process.stdout.write(
        opts.output === 'json' ? `${JSON.stringify(s, null, 2)}\n` : formatHealthStatus(s),
      );
    });
}
