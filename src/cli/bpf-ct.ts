// `waggle bpf ct list global`: the per-packet service LB's conntrack (waggle_ct4_global and
// waggle_ct_any4_global), one line per entry as `cilium bpf ct list global` prints them. Socket
// LB translates most pod connections before a packet exists, so they never appear here: what
// does is traffic from outside the node (LoadBalancer, externalIP, NodePort) and pods' traffic
// the socket LB did not see.
import type { Command } from 'commander';
import { fetchMap, resolveSocket } from '../agent/api-client.js';
import { CT4_ANY_MAP, CT4_TCP_MAP } from '../datapath/maps/ct4.js';

interface Opts {
  node?: string;
  apiSocket?: string;
  output?: string;
}

export function registerBpfCt(bpf: Command): void {
  bpf
    .command('ct')
    .description('connection tracking maps (per-packet service LB)')
    .command('list')
    .alias('ls')
    .argument('[scope]', 'global (the only scope waggle has)', 'global')
    .description(`load-balanced flows (${CT4_TCP_MAP}, ${CT4_ANY_MAP}), as \`cilium bpf ct list global\``)
    .option('--node <name>', "the agent's node")
    .option('--api-socket <path>', 'the agent API socket')
    .option('-o, --output <fmt>', 'json')
    .action(async (scope: string, opts: Opts) => {
      if (scope !== 'global') throw new Error(`scope "${scope}": waggle has only the global conntrack maps`);
      if (opts.output !== undefined && opts.output !== 'json')
        throw new Error(`--output "${opts.output}": only json is supported`);
      const socket = resolveSocket(opts);
      const maps = [await fetchMap(socket, CT4_TCP_MAP), await fetchMap(socket, CT4_ANY_MAP)];
      const rows = maps.flatMap((m) => m.rows);
      if (opts.output === 'json') {
        const keys = maps[0]?.columns.map((c) => c.toLowerCase()) ?? [];
        const out = rows.map((r) => Object.fromEntries(r.map((v, i) => [keys[i] ?? String(i), v])));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stderr.write('No entries found.\n');
        return;
      }
      const lines = rows.map((r) => r.join(' ')).sort();
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    });
}
