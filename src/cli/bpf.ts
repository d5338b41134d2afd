// `waggle bpf endpoint list`, `bpf ipcache list`, `bpf metrics list`, `bpf nat list`, `bpf ct list`: the agent's BPF maps in
// cilium-dbg's `bpf … list` formats (formatting in format-bpf.ts). The agent reads the maps, so
// the CLI needs its API socket, not root.
import type { Command } from 'commander';
import { fetchMap, resolveSocket } from '../agent/api-client.js';
import type { MapRows } from '../agent/status.js';
import { ENDPOINTS_MAP } from '../datapath/maps/endpoints.js';
import { IPCACHE_MAP } from '../datapath/maps/ipcache.js';
import { METRICS_MAP } from '../datapath/maps/metrics.js';
import { SNAT_MAP } from '../datapath/maps/snat.js';
import { registerBpfCt } from './bpf-ct.js';
import { registerBpfLb } from './service.js';
import { bpfEndpointList, bpfIpcacheList, bpfMetricsList, bpfNatList, type Listing } from './format-bpf.js';

interface Opts {
  node?: string;
  apiSocket?: string;
  output?: string;
}

function listCommand(
  parent: Command,
  map: string,
  description: string,
  format: (m: MapRows, json: boolean) => Listing,
): void {
  parent
    .command('list')
    .alias('ls')
    .description(description)
    .option('--node <name>', "the agent's node")
    .option('--api-socket <path>', 'the agent API socket')
    .option('-o, --output <fmt>', 'json')
    .action(async (opts: Opts) => {
      if (opts.output !== undefined && opts.output !== 'json')
        throw new Error(`--output "${opts.output}": only json is supported`);
      const out = format(await fetchMap(resolveSocket(opts), map), opts.output === 'json');
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
    });
}

export function registerBpf(program: Command): void {
  const bpf = program.command('bpf').description("the agent's BPF maps, as `cilium-dbg bpf …` prints them");
  listCommand(
    bpf.command('endpoint').description('local endpoint map'),
    ENDPOINTS_MAP,
    `local endpoint entries (${ENDPOINTS_MAP}), as \`cilium-dbg bpf endpoint list\``,
    bpfEndpointList,
  );
  listCommand(
    bpf.command('ipcache').description('IP cache map'),
    IPCACHE_MAP,
    `IPs and prefixes with their security identities (${IPCACHE_MAP}), as \`cilium-dbg bpf ipcache list\``,
    bpfIpcacheList,
  );
  listCommand(
    bpf.command('metrics').description('datapath metrics map'),
    METRICS_MAP,
    `datapath packet and byte counts per reason and direction (${METRICS_MAP}), as \`cilium-dbg bpf metrics list\``,
    bpfMetricsList,
  );
  registerBpfLb(bpf);
  listCommand(
    bpf.command('nat').description('NAT map (eBPF masquerading)'),
    SNAT_MAP,
    `masqueraded flows, both directions (${SNAT_MAP}), as \`cilium bpf nat list\``,
    bpfNatList,
  );
  registerBpfCt(bpf);
}
