// `waggle map list` / `waggle map get <name>`: the agent's BPF maps as it reads them (real
// entry counts, the responder map included).
import type { Command } from 'commander';
import { fetchStatus, resolveSocket, table } from '../agent/api-client.js';

type Opts = { node?: string; apiSocket?: string };

export function registerMap(program: Command): void {
  const map = program.command('map').description("inspect the agent's BPF maps");
  const common = (c: Command) =>
    c.option('--node <name>', "the agent's node").option('--api-socket <path>', 'the agent API socket');
  common(map.command('list').description('list maps with their entry counts')).action(async (opts: Opts) => {
    const s = await fetchStatus(resolveSocket(opts));
    process.stdout.write(
      table(
        ['NAME', 'ENTRIES', 'MAX ENTRIES'],
        s.maps.map((m) => [m.name, String(m.entries), String(m.maxEntries)]),
      ),
    );
  });
  common(map.command('get <name>').description('dump one map')).action(async (name: string, opts: Opts) => {
    const s = await fetchStatus(resolveSocket(opts));
    if (name === 'waggle_runtime_config') {
      process.stdout.write(
        table(
          ['Key', 'Value'],
          s.runtimeConfig.map((r) => [r.key, r.value]),
        ),
      );
    } else if (name === 'waggle_l2_responder_v4') {
      process.stdout.write(
        table(
          ['IP', 'INTERFACE', 'IFINDEX', 'RESPONSES_SENT'],
          s.responder.map((e) => [e.ip, e.iface, String(e.ifindex), e.responsesSent]),
        ),
      );
    } else {
      const known = 'waggle_runtime_config, waggle_l2_responder_v4';
      throw new Error(`map "${name}": not supported by map get (supported: ${known})`);
    }
  });
}
