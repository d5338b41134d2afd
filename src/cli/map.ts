// `waggle map list` / `waggle map get <name>`: the agent's BPF maps as it reads them (real entry
// counts). Any map in the datapath registry is shown; its codec decides the columns.
import type { Command } from 'commander';
import { fetchMap, fetchMaps, resolveSocket, table } from '../agent/api-client.js';

type Opts = { node?: string; apiSocket?: string };

export function registerMap(program: Command): void {
  const map = program.command('map').description("inspect the agent's BPF maps");
  const common = (c: Command) =>
    c.option('--node <name>', "the agent's node").option('--api-socket <path>', 'the agent API socket');
  common(map.command('list').description('list maps with their entry counts')).action(async (opts: Opts) => {
    const maps = await fetchMaps(resolveSocket(opts));
    process.stdout.write(
      table(
        ['NAME', 'ENTRIES', 'MAX ENTRIES'],
        maps.map((m) => [m.name, String(m.entries), String(m.maxEntries)]),
      ),
    );
  });
  common(map.command('get <name>').description('dump one map')).action(async (name: string, opts: Opts) => {
    const m = await fetchMap(resolveSocket(opts), name);
    process.stdout.write(table(m.columns, m.rows));
  });
}
