// `waggle l2 list`: the services this agent announces or could announce, per IP.
import type { Command } from 'commander';
import { fetchStatus, resolveSocket, table } from '../agent/api-client.js';

export function registerL2(program: Command): void {
  const l2 = program.command('l2').description('L2 announcements of an agent');
  l2.command('list')
    .description('services, IPs, interfaces, lease holder and responses')
    .option('--node <name>', "the agent's node")
    .option('--api-socket <path>', 'the agent API socket')
    .action(async (opts: { node?: string; apiSocket?: string }) => {
      const s = await fetchStatus(resolveSocket(opts));
      process.stdout.write(
        table(
          ['SERVICE', 'IP', 'INTERFACES', 'HOLDER', 'LEADING', 'RESPONSES'],
          s.l2.services.map((r) => [
            r.service,
            r.ip,
            r.interfaces.join(','),
            r.holder || '<none>',
            r.leading ? 'yes' : 'no',
            r.responses,
          ]),
        ),
      );
    });
}
